"""Commands of the hazard context: what a caller asks the `Hazard` aggregate to do.

Commands are named imperatively (the events they may produce are in `hl_contracts.hazard`, past
tense). They carry the caller's input as given; the aggregate validates it, so a command can be
built from any request schema without repeating the rules here. None carries the hazard id: the
application layer loads the aggregate by id, then passes the command to the matching method.
Every command that records a decision carries its business time; left out, it is the clock's now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from hl_contracts.vocabulary import (
    AttachmentKind,
    AttachmentStep,
    HazardLevel,
    HazardSource,
    ListingLevel,
    ProductionHalt,
)


@dataclass(frozen=True, kw_only=True)
class ReportHazard:
    """Report a hazard found at an enterprise (上报事故隐患); optionally fixed on the spot (即查即改)."""

    enterprise_id: str
    source: HazardSource
    level: HazardLevel
    title: str
    found_at: datetime
    found_by: str
    description: str = ""
    deadline: date | None = None
    production_halt: ProductionHalt | None = None
    standard_clause: str | None = None
    rectify_immediately: bool = False


@dataclass(frozen=True, kw_only=True)
class SetPlan:
    """Set (or revise) the 五到位 rectification plan."""

    responsible_person: str
    measures: str
    funds_yuan: Decimal
    deadline: date
    emergency_plan: str
    decided_at: datetime | None = None  # None: decided now


@dataclass(frozen=True, kw_only=True)
class ReportRectification:
    """Report the rectification complete (整改完成), pending acceptance."""

    completed_at: datetime
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class DecideAcceptance:
    """Accept (验收销号) or reject the reported rectification."""

    accepted: bool
    reviewer: str
    decided_at: datetime
    opinion: str = ""


@dataclass(frozen=True, kw_only=True)
class Escalate:
    """List a major hazard for supervision (挂牌督办) at the caller's level."""

    level: ListingLevel
    authority: str
    reason: str
    deadline: date
    escalated_at: datetime
    document_number: str | None = None
    signatory: str | None = None


@dataclass(frozen=True, kw_only=True)
class Delist:
    """Lift the listing of a closed hazard (摘牌). `authority` defaults to the caller's organisation."""

    delisted_at: datetime
    authority: str = ""
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ExtendDeadline:
    """Move the rectification deadline later, as approved (延期)."""

    new_deadline: date
    reason: str
    approved_by: str
    approved_at: datetime | None = None  # None: approved now


@dataclass(frozen=True, kw_only=True)
class Reclassify:
    """Change the hazard's level (e.g. general → major after review)."""

    level: HazardLevel
    reason: str
    standard_clause: str | None = None
    production_halt: ProductionHalt | None = None
    decided_at: datetime | None = None  # None: decided now


@dataclass(frozen=True, kw_only=True)
class Void:
    """Void the hazard (作废): it keeps its history and leaves every count."""

    reason: str
    decided_at: datetime | None = None  # None: decided now


@dataclass(frozen=True, kw_only=True)
class ReceiveListing:
    """The unit that must fix a listed hazard signs for the listing notice (签收)."""

    receiving_unit: str
    received_by: str
    received_at: datetime


@dataclass(frozen=True, kw_only=True)
class AddAttachment:
    """Add a file, already stored under a pending key and checked, as evidence of a step.

    `content_type`, `size_bytes` and `sha256` are what the content check found in the bytes, never
    what the client declared.
    """

    attachment_id: str
    step: AttachmentStep
    kind: AttachmentKind
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class WithdrawAttachment:
    """Withdraw an attachment (撤回): it stays in the history, marked withdrawn."""

    attachment_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class MarkOverdue:
    """The overdue scan's command: the clock passed to the aggregate is its only input."""


Command = (
    SetPlan
    | ReportRectification
    | DecideAcceptance
    | Escalate
    | Delist
    | ExtendDeadline
    | Reclassify
    | Void
    | ReceiveListing
    | AddAttachment
    | WithdrawAttachment
    | MarkOverdue
)
"""Every command that acts on an existing hazard (`ReportHazard` creates one)."""
