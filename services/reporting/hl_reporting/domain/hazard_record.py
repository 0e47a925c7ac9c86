"""What the reporting side remembers of one hazard: the ledger's row and the facts behind its figures.

`HazardRecord.apply` follows the hazard through its contract events (in version order, as the
consumer guarantees); it trusts the hazard service's rules and never refuses an event, because a
read model that refused history would simply be wrong. Each event becomes a `Fact` (its business
day and instant, when it was recorded, what it set), and the record's fields are folded from the
facts alone, so that `as_known_at` gives the hazard exactly as the facts recorded by a moment say.
Decisions are dated by their own business time (v2 `decided_at`, `approved_at`; v1: the envelope).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hl_contracts import CloudEvent
from hl_contracts.evidence import HazardAttachmentAdded, HazardAttachmentWithdrawn
from hl_contracts.hazard import (
    HazardAccepted,
    HazardDeadlineExtended,
    HazardDelisted,
    HazardEscalated,
    HazardFound,
    HazardOverdue,
    HazardPlanSet,
    HazardReclassified,
    HazardRectified,
    HazardRejected,
    HazardVoided,
    decided_at,
)
from hl_contracts.registry import EventData
from hl_contracts.vocabulary import HazardStatus
from hl_reporting.domain.calendar import business_day
from hl_reporting.domain.hazard_timeline import BucketKey, Fact, Placement, contributions, known_facts


def yuan_to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


@dataclass
class HazardRecord:
    hazard_id: str
    enterprise_id: str
    enterprise_name: str
    title: str
    region_code: str
    industry: str
    source: str
    level: str
    status: str
    found_at: datetime
    version: int
    deadline: date | None = None
    funds_fen: int = 0
    rectified_at: datetime | None = None
    closed_at: datetime | None = None
    listing_level: str | None = None
    listing_authority: str | None = None
    listed_at: datetime | None = None
    first_listed_at: datetime | None = None
    delisted_at: datetime | None = None
    overdue_recorded: bool = False
    evidence_count: int = 0  # attachments not withdrawn (佐证材料)
    facts: list[Fact] = field(default_factory=list)

    @classmethod
    def found(cls, event: CloudEvent, data: HazardFound) -> HazardRecord:
        record = cls(
            hazard_id=event.subject,
            enterprise_id=data.enterprise_id,
            enterprise_name=data.enterprise_name,
            title=data.title,
            region_code=event.regioncode,
            industry=event.industry,
            source=data.source.value,
            level=data.level.value,
            status=HazardStatus.REPORTED.value,
            found_at=data.found_at,
            version=event.sequence,
            deadline=data.deadline,
        )
        fact = Fact(
            event.sequence,
            business_day(data.found_at),
            "found",
            level=data.level.value,
            deadline=data.deadline,
            known=event.recordedtime,
            at=data.found_at,
        )
        record.facts.append(fact)
        return record

    @property
    def found_day(self) -> date:
        return business_day(self.found_at)

    @property
    def placement(self) -> Placement:
        return Placement(self.region_code, self.industry, self.source)

    @property
    def known_at(self) -> datetime | None:
        """When the latest fact was recorded (the facts' known times never go back)."""
        return self.facts[-1].known if self.facts else None

    def contributions(self) -> dict[BucketKey, int]:
        return contributions(self.facts, self.placement)

    def apply(self, event: CloudEvent, data: EventData) -> None:
        """Follow one later event of this hazard; the envelope's region and industry are the latest."""
        self.version = event.sequence
        self.region_code, self.industry = event.regioncode, event.industry
        if isinstance(data, HazardOverdue):
            self.overdue_recorded = True
            return
        if isinstance(data, HazardAttachmentAdded | HazardAttachmentWithdrawn):
            self.evidence_count = max(0, self.evidence_count + (1 if isinstance(data, HazardAttachmentAdded) else -1))
            return
        fact = fact_of(event, data, self.known_at)
        if fact is not None:
            self.facts.append(fact)
            self.follow(fact)

    def follow(self, fact: Fact) -> None:
        """The record's fields after `fact` (the fold both `apply` and `as_known_at` use)."""
        match fact.kind:
            case "plan":
                if self.status == HazardStatus.REPORTED:
                    self.status = HazardStatus.RECTIFYING.value
                self.deadline, self.funds_fen = fact.deadline, fact.funds_fen or 0
            case "rectified":
                self.status, self.rectified_at, self.overdue_recorded = HazardStatus.RECTIFIED.value, fact.at, False
            case "accepted":
                self.status, self.closed_at = HazardStatus.CLOSED.value, fact.at
            case "rejected":
                self.status, self.rectified_at = HazardStatus.RECTIFYING.value, None
            case "escalated":
                # A re-listing at a higher level is the listing in force: level, authority, time, deadline.
                self.listing_level, self.listing_authority = fact.level, fact.by
                self.listed_at, self.delisted_at, self.deadline = fact.at, None, fact.deadline
                self.first_listed_at = self.first_listed_at or fact.at
            case "delisted":
                self.delisted_at = fact.at
            case "extended":
                self.deadline, self.overdue_recorded = fact.deadline, False
            case "reclassified":
                self.level = fact.level or self.level
            case "voided":
                self.status = HazardStatus.VOIDED.value

    def as_known_at(self, moment: datetime) -> HazardRecord | None:
        """The hazard as the facts recorded by `moment` say it was; None if not yet known then."""
        facts = known_facts(self.facts, moment)
        if not facts:
            return None
        found = facts[0]
        record = HazardRecord(
            hazard_id=self.hazard_id,
            enterprise_id=self.enterprise_id,
            enterprise_name=self.enterprise_name,
            title=self.title,
            region_code=self.region_code,
            industry=self.industry,
            source=self.source,
            level=found.level or self.level,
            status=HazardStatus.REPORTED.value,
            found_at=self.found_at,
            version=facts[-1].version,
            deadline=found.deadline,
            evidence_count=self.evidence_count,  # attachments are not kept per moment: today's count
            facts=[found],
        )
        for fact in facts[1:]:
            record.facts.append(fact)
            record.follow(fact)
        return record


def fact_of(event: CloudEvent, data: EventData, known_before: datetime | None) -> Fact | None:
    """The fact an event records, dated by its business time; None for events that set nothing."""
    known = max(event.recordedtime, known_before) if known_before else event.recordedtime
    moment, values = _moment_and_values(event, data)
    if moment is None:
        return None
    kind = values.pop("kind")
    return Fact(event.sequence, business_day(moment), kind, known=known, at=moment, **values)


def _moment_and_values(event: CloudEvent, data: EventData) -> tuple[datetime | None, dict[str, Any]]:
    match data:
        case HazardPlanSet():
            funds = yuan_to_fen(data.funds_yuan)
            return decided_at(data, event.time), {"kind": "plan", "deadline": data.deadline, "funds_fen": funds}
        case HazardRectified():
            return data.completed_at, {"kind": "rectified"}
        case HazardAccepted():
            return data.decided_at, {"kind": "accepted"}
        case HazardRejected():
            return data.decided_at, {"kind": "rejected"}
        case HazardEscalated():
            listing = {"level": data.level.value, "deadline": data.deadline, "by": data.authority}
            return data.escalated_at, {"kind": "escalated", **listing}
        case HazardDelisted():
            return data.delisted_at, {"kind": "delisted"}
        case HazardDeadlineExtended():
            return decided_at(data, event.time), {"kind": "extended", "deadline": data.new_deadline}
        case HazardReclassified():
            return decided_at(data, event.time), {"kind": "reclassified", "level": data.level.value}
        case HazardVoided():
            return decided_at(data, event.time), {"kind": "voided"}
    return None, {}
