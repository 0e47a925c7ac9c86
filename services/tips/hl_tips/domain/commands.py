"""Commands of the tip context: what the tipster, an officer or the system asks of a `Tip`.

Named imperatively (the events they may produce are in `hl_contracts.tips`, past tense). They carry
the input as given; the aggregate validates it. None carries the tip id: the application layer
loads the tip, then passes the command on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from hl_contracts.vocabulary import AccidentGrade, HazardLevel, IdentityPurpose, TipCategory, TipFinding
from hl_tips.domain.identity import Identity


@dataclass(frozen=True, kw_only=True)
class FileTip:
    """File a tip (举报): what, where, when; `identity` None for an anonymous tip."""

    category: TipCategory
    description: str
    occurred_on: date
    region_code: str = ""
    enterprise_name: str = ""
    uscc: str = ""
    address: str = ""
    identity: Identity | None = None


@dataclass(frozen=True, kw_only=True)
class AddPhoto:
    """Attach a photo the tipster took (its bytes are stored; the tip records their hash)."""

    photo_id: str
    sha256: str
    size_bytes: int
    content_type: str


@dataclass(frozen=True, kw_only=True)
class TakeUp:
    """An inspector takes the tip for handling and becomes its handler."""


@dataclass(frozen=True, kw_only=True)
class ViewIdentity:
    """The handler opens the tipster's identity, for one of the purposes the audit knows."""

    purpose: IdentityPurpose


@dataclass(frozen=True, kw_only=True)
class Verify:
    """Record that the tip is true (查实) and what it turned out to be."""

    finding: TipFinding
    decided_at: datetime
    enterprise_id: str | None = None
    note: str = ""
    accident_grade: AccidentGrade | None = None
    concealed_deaths: int | None = None


@dataclass(frozen=True, kw_only=True)
class LinkHazard:
    """Link the hazard recorded for a verified tip."""

    hazard_id: str
    level: HazardLevel


@dataclass(frozen=True, kw_only=True)
class LinkEnforcement:
    """Link an enforcement action taken because of the tip (its fine counts for the reward)."""

    action_id: str
    kind: str
    decided_on: date
    amount_wan: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class CloseUnfounded:
    """Close the tip as not true (不予查实), with the reason."""

    reason: str
    decided_at: datetime


@dataclass(frozen=True, kw_only=True)
class LinkDuplicate:
    """Mark the tip as reporting what an earlier tip reported."""

    original_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ComputeReward:
    """Compute the reward by the region's rule (again, while it is not yet approved)."""


@dataclass(frozen=True, kw_only=True)
class ApproveReward:
    """Approve the computed reward for payment."""

    approved_by: str
    approved_at: datetime


@dataclass(frozen=True, kw_only=True)
class ClaimReward:
    """The tipster claims the approved reward with the tip's number and secret."""


@dataclass(frozen=True, kw_only=True)
class PayReward:
    """Record that the reward was paid out."""

    paid_at: datetime
    method: Literal["bank_transfer", "cash", "other"]
    reference: str = ""


@dataclass(frozen=True, kw_only=True)
class EraseIdentity:
    """Destroy the key of the tipster's sealed identity (crypto-shredding)."""

    requested_by: Literal["tipster", "officer"]


@dataclass(frozen=True, kw_only=True)
class MarkOverdue:
    """The overdue scan's command: the clock is its only input."""
