"""The state of one tip, as its events say it is (the `when_*` appliers).

Decisions live in `model.py`; this module only folds events into state, so that a replayed tip and
one that recorded the same events are indistinguishable.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Self

from hl_contracts import CloudEvent
from hl_contracts.tips import (
    TipClosedUnfounded,
    TipEnforcementLinked,
    TipFiled,
    TipHazardLinked,
    TipIdentityErased,
    TipLinkedDuplicate,
    TipOverdue,
    TipPhotoAdded,
    TipRewardApproved,
    TipRewardClaimed,
    TipRewardComputed,
    TipRewardPaid,
    TipTakenUp,
    TipVerified,
)
from hl_contracts.vocabulary import RewardStatus, TipStatus
from hl_platform.aggregate import LocatedAggregate
from hl_tips.domain.rewards import FINE_KINDS

OPEN = (TipStatus.FILED, TipStatus.HANDLING)
"""Statuses in which the tip still waits for a decision (and so its deadline can be missed)."""


class TipState(LocatedAggregate):
    """One tip's current state, folded from its events."""

    aggregate_type = "tip"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self._filed: TipFiled | None = None
        self.filed_at: datetime | None = None
        self.photos: list[TipPhotoAdded] = []
        self.duplicate_of: TipLinkedDuplicate | None = None
        self.handler: TipTakenUp | None = None
        self.verification: TipVerified | None = None
        self.hazard: TipHazardLinked | None = None
        self.enforcement: list[TipEnforcementLinked] = []
        self.closure: TipClosedUnfounded | None = None
        self.overdue_notified_for: date | None = None
        self.computation: TipRewardComputed | None = None
        self.approval: TipRewardApproved | None = None
        self.claim: TipRewardClaimed | None = None
        self.payment: TipRewardPaid | None = None
        self.erasure: TipIdentityErased | None = None
        self.identity_views = 0

    @classmethod
    def replay(cls, aggregate_id: str, history: list[CloudEvent]) -> Self:
        # The filing's business time is the first event's envelope time.
        tip = super().replay(aggregate_id, history)
        if history:
            tip.filed_at = history[0].time
        return tip

    @property
    def filed(self) -> TipFiled:
        if self._filed is None:
            raise RuntimeError(f"tip {self.id} has no history")
        return self._filed

    @property
    def status(self) -> TipStatus:
        if self.duplicate_of is not None:
            return TipStatus.DUPLICATE
        if self.closure is not None:
            return TipStatus.UNFOUNDED
        if self.verification is not None:
            return TipStatus.VERIFIED
        return TipStatus.HANDLING if self.handler is not None else TipStatus.FILED

    @property
    def reward_status(self) -> RewardStatus | None:
        for status, event in (
            (RewardStatus.PAID, self.payment),
            (RewardStatus.CLAIMED, self.claim),
            (RewardStatus.APPROVED, self.approval),
            (RewardStatus.COMPUTED, self.computation),
        ):
            if event is not None:
                return status
        return None

    @property
    def enterprise_id(self) -> str | None:
        if self.verification is not None and self.verification.enterprise_id:
            return self.verification.enterprise_id
        return self.filed.enterprise_id

    @property
    def fines_wan(self) -> tuple[Decimal, ...]:
        return tuple(e.amount_wan for e in self.enforcement if e.kind in FINE_KINDS and e.amount_wan is not None)

    @property
    def deadline(self) -> date:
        return self.filed.deadline

    @property
    def overdue(self) -> bool:
        return self.overdue_notified_for == self.deadline and self.status in OPEN

    @property
    def has_identity(self) -> bool:
        return not self.filed.anonymous

    def current_state(self) -> dict[str, Any]:
        """The state a `RuleViolation` reports back, so the caller sees why it was refused."""
        reward = self.reward_status
        return {"status": self.status.value, "reward": reward.value if reward else None, "version": self.version}

    # Appliers: called by `Aggregate.apply` for each event, recorded or replayed. They never fail.

    def when_filed(self, data: TipFiled) -> None:
        self._filed = data

    def when_photo_added(self, data: TipPhotoAdded) -> None:
        self.photos.append(data)

    def when_linked_duplicate(self, data: TipLinkedDuplicate) -> None:
        self.duplicate_of = data

    def when_taken_up(self, data: TipTakenUp) -> None:
        self.handler = data

    def when_identity_viewed(self, data: object) -> None:
        self.identity_views += 1

    def when_verified(self, data: TipVerified) -> None:
        self.verification = data

    def when_hazard_linked(self, data: TipHazardLinked) -> None:
        self.hazard = data

    def when_enforcement_linked(self, data: TipEnforcementLinked) -> None:
        self.enforcement.append(data)

    def when_closed_unfounded(self, data: TipClosedUnfounded) -> None:
        self.closure = data

    def when_overdue(self, data: TipOverdue) -> None:
        self.overdue_notified_for = data.deadline

    def when_reward_computed(self, data: TipRewardComputed) -> None:
        self.computation = data

    def when_reward_approved(self, data: TipRewardApproved) -> None:
        self.approval = data

    def when_reward_claimed(self, data: TipRewardClaimed) -> None:
        self.claim = data

    def when_reward_paid(self, data: TipRewardPaid) -> None:
        self.payment = data

    def when_identity_erased(self, data: TipIdentityErased) -> None:
        self.erasure = data
