"""The state of one hazard, as its events say it is (the `when_*` appliers), and how it reads.

Decisions live in `model.py`; this module only folds events into state, so that a replayed
hazard and one that recorded the same events are indistinguishable.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hl_contracts import EventData
from hl_contracts.evidence import HazardAttachmentAdded, HazardAttachmentWithdrawn, HazardListingReceived
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
from hl_contracts.reminders import HazardAcceptanceReminded, HazardDeadlineApproaching, HazardOverdueReminded
from hl_contracts.vocabulary import HazardLevel, HazardSource, HazardStatus, ProductionHalt
from hl_hazard.domain.evidence import Evidence
from hl_hazard.domain.policies import HazardFacts
from hl_platform.aggregate import LocatedAggregate

OPEN = (HazardStatus.REPORTED, HazardStatus.RECTIFYING)
"""Statuses in which the rectification is still owed (and so a deadline can be missed)."""

BEING_RECTIFIED = (HazardStatus.RECTIFYING, HazardStatus.RECTIFIED, HazardStatus.CLOSED)


class HazardState(LocatedAggregate):
    """One hazard's current state, folded from its events."""

    aggregate_type = "hazard"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self._found: HazardFound | None = None
        self.status = HazardStatus.REPORTED
        self.level = HazardLevel.GENERAL
        self.production_halt: ProductionHalt | None = None
        self.standard_clause: str | None = None
        self.deadline: date | None = None  # the rectification deadline (rule 7)
        self.plan: HazardPlanSet | None = None
        self.rectification: HazardRectified | None = None
        self.decision: HazardAccepted | HazardRejected | None = None
        self.listing: HazardEscalated | None = None  # the current listing (挂牌), one at a time
        self.listings: list[HazardEscalated] = []  # every listing, for "re-list only higher"
        self.delisting: HazardDelisted | None = None
        self.overdue_notified_for: date | None = None  # the deadline hazard.overdue was recorded for
        # Reminders recorded (domain/reminders.py): for which deadline, how many overdue notices
        # (hazard.overdue is the 1st) and for which rectification (its completed_at).
        self.approach_reminded_for: date | None = None
        self.overdue_notices = 0
        self.acceptance_reminded_for: datetime | None = None
        self.voided: HazardVoided | None = None
        self.evidence = Evidence()  # attachments, and the current listing's receipt (签收)

    @property
    def found(self) -> HazardFound:
        """The report that created the hazard."""
        if self._found is None:
            raise RuntimeError(f"hazard {self.id} has no history")
        return self._found

    @property
    def enterprise_id(self) -> str:
        return self.found.enterprise_id

    @property
    def source(self) -> HazardSource:
        return self.found.source

    @property
    def found_at(self) -> datetime:
        return self.found.found_at

    @property
    def listed(self) -> bool:
        return self.listing is not None

    @property
    def overdue(self) -> bool:
        """Whether overdue was recorded for the current deadline and the fix is still owed."""
        recorded = self.deadline is not None and self.overdue_notified_for == self.deadline
        return recorded and self.status in OPEN

    @property
    def penalty_exempt(self) -> bool:
        """Rule 8 (seed 004 二.(二).3): a self-reported major hazard being rectified is not penalised.

        "Being rectified" means a plan is under way, done or accepted; a missed deadline ends the
        exemption, since the seed penalises 排查整治不力 (rectification that failed).
        """
        return (
            self.source == HazardSource.SELF_INSPECTION
            and self.level == HazardLevel.MAJOR
            and self.status in BEING_RECTIFIED
            and not self.overdue
        )

    @property
    def facts(self) -> HazardFacts:
        """What the policies need to know about this hazard."""
        return HazardFacts(
            enterprise_id=self.enterprise_id,
            source=self.source,
            level=self.level,
            status=self.status,
            listing=self.listing.level if self.listing else None,
        )

    def current_state(self) -> dict[str, Any]:
        """The state a `RuleViolation` reports back, so the caller sees why it was refused."""
        return {
            "status": self.status.value,
            "level": self.level.value,
            "listed": self.listed,
            "version": self.version,
        }

    def snapshot(self) -> dict[str, Any]:
        """The hazard as the API shows it (`HazardPublic`, checked key for key by the contract
        tests), JSON-ready: every field of its report as found, then what later events changed."""
        return {
            "id": self.id,
            "version": self.version,
            **self.found.model_dump(mode="json"),
            "region_code": self.region_code,
            "industry": self.industry,
            "level": self.level.value,
            "status": self.status.value,
            "deadline": _day(self.deadline),
            "production_halt": self.production_halt.value if self.production_halt else None,
            "standard_clause": self.standard_clause,
            "plan": _json(self.plan),
            "rectification": _json(self.rectification),
            "acceptance": self._acceptance(),
            "listed": self.listed,
            "listing": _listing(self.listing),
            "listings": [_listing(listing) for listing in self.listings],
            "delisting": _json(self.delisting),
            "overdue": self.overdue,
            "overdue_deadline": _day(self.overdue_notified_for),
            "penalty_exempt": self.penalty_exempt,
            "voided": self.voided is not None,
            "voided_reason": self.voided.reason if self.voided else None,
            "evidence_count": self.evidence.count,
            "listing_receipt": _json(self.evidence.receipt),
        }

    def _acceptance(self) -> dict[str, Any] | None:
        if self.decision is None:
            return None
        accepted = isinstance(self.decision, HazardAccepted)
        return {"accepted": accepted, **self.decision.model_dump(mode="json")}

    # Appliers: called by `Aggregate.apply` for each event, recorded or replayed. They never fail.

    def when_found(self, data: HazardFound) -> None:
        self._found = data
        self.level = data.level
        self.production_halt = data.production_halt
        self.standard_clause = data.standard_clause
        self.deadline = data.deadline
        self.status = HazardStatus.REPORTED

    def when_plan_set(self, data: HazardPlanSet) -> None:
        self.plan = data
        self.deadline = data.deadline
        self.status = HazardStatus.RECTIFYING

    def when_rectified(self, data: HazardRectified) -> None:
        self.rectification = data
        self.status = HazardStatus.RECTIFIED
        self.evidence.review += 1  # what is added from now on is seen by this review

    def when_accepted(self, data: HazardAccepted) -> None:
        self.decision = data
        self.status = HazardStatus.CLOSED

    def when_rejected(self, data: HazardRejected) -> None:
        self.decision = data
        self.status = HazardStatus.RECTIFYING
        self.evidence.round += 1  # a new fix needs its own evidence

    def when_escalated(self, data: HazardEscalated) -> None:
        # The listing authority's deadline is the one in force from now on (rule 7: the most
        # recent deadline decision governs overdue, here and in the reports alike).
        self.listing = data
        self.listings.append(data)
        self.evidence.receipt = None  # a new notice is signed for anew
        self.deadline = data.deadline

    def when_delisted(self, data: HazardDelisted) -> None:
        self.listing = None
        self.delisting = data

    def when_deadline_extended(self, data: HazardDeadlineExtended) -> None:
        self.deadline = data.new_deadline

    def when_overdue(self, data: HazardOverdue) -> None:
        self.overdue_notified_for = data.deadline
        self.overdue_notices = 1

    def when_deadline_approaching(self, data: HazardDeadlineApproaching) -> None:
        self.approach_reminded_for = data.deadline

    def when_overdue_reminded(self, data: HazardOverdueReminded) -> None:
        self.overdue_notices = data.notice

    def when_acceptance_reminded(self, data: HazardAcceptanceReminded) -> None:
        self.acceptance_reminded_for = data.completed_at

    def when_reclassified(self, data: HazardReclassified) -> None:
        self.level = data.level
        self.standard_clause = data.standard_clause
        self.production_halt = data.production_halt

    def when_voided(self, data: HazardVoided) -> None:
        self.voided = data
        self.status = HazardStatus.VOIDED

    def when_attachment_added(self, data: HazardAttachmentAdded) -> None:
        self.evidence.added(data)

    def when_attachment_withdrawn(self, data: HazardAttachmentWithdrawn) -> None:
        self.evidence.withdrawn(data)

    def when_listing_received(self, data: HazardListingReceived) -> None:
        self.evidence.receipt = data


def _json(data: EventData | None) -> dict[str, Any] | None:
    return data.model_dump(mode="json") if data is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _listing(listing: HazardEscalated | None) -> dict[str, Any] | None:
    if listing is None:
        return None
    fields = listing.model_dump(mode="json")
    fields["listed_at"] = fields.pop("escalated_at")
    return fields
