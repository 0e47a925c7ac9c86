"""What the reporting side remembers of one hazard: the ledger's row and the facts behind its figures.

`HazardRecord.apply` follows the hazard through its contract events (in version order, as the
consumer guarantees); it trusts the hazard service's rules and never refuses an event, because a
read model that refused history would simply be wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

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
)
from hl_contracts.registry import EventData
from hl_contracts.vocabulary import HazardStatus
from hl_reporting.domain.calendar import business_day
from hl_reporting.domain.hazard_timeline import BucketKey, Fact, Placement, contributions


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
        day = business_day(data.found_at)
        record.facts.append(Fact(event.sequence, day, "found", level=data.level.value, deadline=data.deadline))
        return record

    @property
    def found_day(self) -> date:
        return business_day(self.found_at)

    @property
    def placement(self) -> Placement:
        return Placement(self.region_code, self.industry, self.source)

    def contributions(self) -> dict[BucketKey, int]:
        return contributions(self.facts, self.placement)

    def apply(self, event: CloudEvent, data: EventData) -> None:
        """Follow one later event of this hazard; the envelope's region and industry are the latest."""
        self.version = event.sequence
        self.region_code, self.industry = event.regioncode, event.industry
        match data:
            case HazardPlanSet():
                self._plan_set(event, data)
            case HazardRectified():
                self._rectified(event, data)
            case HazardAccepted():
                self._accepted(event, data)
            case HazardRejected():
                self._rejected(event, data)
            case HazardEscalated():
                self._escalated(event, data)
            case HazardDelisted():
                self.delisted_at = data.delisted_at
            case HazardDeadlineExtended():
                self._extended(event, data)
            case HazardOverdue():
                self.overdue_recorded = True
            case HazardReclassified():
                self.level = data.level.value
                self._fact(event, event.time, "reclassified", level=data.level.value)
            case HazardVoided():
                self.status = HazardStatus.VOIDED.value
                self._fact(event, event.time, "voided")
            case HazardAttachmentAdded():
                self.evidence_count += 1
            case HazardAttachmentWithdrawn():
                self.evidence_count = max(0, self.evidence_count - 1)

    def _fact(
        self,
        event: CloudEvent,
        moment: datetime,
        kind: str,
        *,
        level: str | None = None,
        deadline: date | None = None,
        funds_fen: int | None = None,
    ) -> None:
        day = business_day(moment)
        self.facts.append(Fact(event.sequence, day, kind, level=level, deadline=deadline, funds_fen=funds_fen))

    def _plan_set(self, event: CloudEvent, data: HazardPlanSet) -> None:
        if self.status == HazardStatus.REPORTED:
            self.status = HazardStatus.RECTIFYING.value
        self.deadline, self.funds_fen = data.deadline, yuan_to_fen(data.funds_yuan)
        self._fact(event, event.time, "plan", deadline=data.deadline, funds_fen=self.funds_fen)

    def _rectified(self, event: CloudEvent, data: HazardRectified) -> None:
        self.status, self.rectified_at, self.overdue_recorded = HazardStatus.RECTIFIED.value, data.completed_at, False
        self._fact(event, data.completed_at, "rectified")

    def _accepted(self, event: CloudEvent, data: HazardAccepted) -> None:
        self.status, self.closed_at = HazardStatus.CLOSED.value, data.decided_at
        self._fact(event, data.decided_at, "accepted")

    def _rejected(self, event: CloudEvent, data: HazardRejected) -> None:
        self.status, self.rectified_at = HazardStatus.RECTIFYING.value, None
        self._fact(event, data.decided_at, "rejected")

    def _escalated(self, event: CloudEvent, data: HazardEscalated) -> None:
        # A re-listing at a higher level is the listing in force: its level, authority, time, deadline.
        self.listing_level, self.listing_authority = data.level.value, data.authority
        self.listed_at, self.delisted_at, self.deadline = data.escalated_at, None, data.deadline
        self._fact(event, data.escalated_at, "escalated", level=data.level.value, deadline=data.deadline)

    def _extended(self, event: CloudEvent, data: HazardDeadlineExtended) -> None:
        self.deadline, self.overdue_recorded = data.new_deadline, False
        self._fact(event, event.time, "extended", deadline=data.new_deadline)
