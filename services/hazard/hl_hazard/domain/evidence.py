"""Evidence (佐证材料) of a hazard: what is attached to each step, who may attach it, and the
rules a city may switch on so that a step cannot be taken without its evidence.

The `Evidence` record is folded from events like the rest of the hazard's state; it counts the
rectification rounds (a rejection starts a new one) and the reviews (each reported rectification
starts one), so that a rule asks for evidence of *this* round, not of an earlier, rejected fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hl_contracts.evidence import HazardAttachmentAdded, HazardAttachmentWithdrawn, HazardListingReceived
from hl_contracts.vocabulary import AttachmentKind, AttachmentStep, HazardLevel
from hl_hazard.domain import policies
from hl_hazard.domain.policies import HazardFacts, Principal, Role
from hl_platform.errors import Forbidden, InvalidInput

MAX_FILENAME = 200
# Control characters (NUL among them), path separators, and characters Windows refuses in names.
_BAD_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')

# Which kinds of file each step takes: a photo fits every step; documents fit their own steps.
KINDS_BY_STEP: dict[AttachmentStep, frozenset[AttachmentKind]] = {
    AttachmentStep.FOUND: frozenset({AttachmentKind.PHOTO, AttachmentKind.OTHER}),
    AttachmentStep.PLAN: frozenset({AttachmentKind.PHOTO, AttachmentKind.PLAN, AttachmentKind.OTHER}),
    AttachmentStep.RECTIFICATION: frozenset({AttachmentKind.PHOTO, AttachmentKind.OTHER}),
    AttachmentStep.ACCEPTANCE: frozenset(
        {AttachmentKind.PHOTO, AttachmentKind.ACCEPTANCE_RECORD, AttachmentKind.OTHER}
    ),
    AttachmentStep.LISTING: frozenset({AttachmentKind.PHOTO, AttachmentKind.NOTICE, AttachmentKind.OTHER}),
    AttachmentStep.EXTENSION: frozenset(
        {AttachmentKind.PHOTO, AttachmentKind.PLAN, AttachmentKind.NOTICE, AttachmentKind.OTHER}
    ),
    AttachmentStep.VOID: frozenset({AttachmentKind.PHOTO, AttachmentKind.NOTICE, AttachmentKind.OTHER}),
}


@dataclass(frozen=True, kw_only=True)
class EvidenceRules:
    """Rules a city chooses (settings `HL_HAZARD_RULE_*`); all off unless switched on."""

    rectification_photo_for_major: bool = False  # a major hazard's rectification needs an "after" photo
    acceptance_record_for_major: bool = False  # accepting a major hazard needs its acceptance record
    listing_document_number: bool = False  # a listing carries its notice's 文号
    listing_receipt_before_delisting: bool = False  # delisting needs the notice's receipt (签收)


@dataclass
class Attachment:
    """One attachment as the history tells it: the event that added it and, if so, its withdrawal."""

    added: HazardAttachmentAdded
    round: int  # the rectification round it was added in
    review: int  # the review it was added in
    withdrawn: HazardAttachmentWithdrawn | None = None

    @property
    def live(self) -> bool:
        return self.withdrawn is None


@dataclass
class Evidence:
    """The attachments of one hazard and the receipt of its current listing."""

    attachments: dict[str, Attachment] = field(default_factory=dict)
    round: int = 0
    review: int = 0
    receipt: HazardListingReceived | None = None

    def added(self, data: HazardAttachmentAdded) -> None:
        self.attachments[data.attachment_id] = Attachment(data, self.round, self.review)

    def withdrawn(self, data: HazardAttachmentWithdrawn) -> None:
        if (attachment := self.attachments.get(data.attachment_id)) is not None:
            attachment.withdrawn = data

    @property
    def count(self) -> int:
        """Live attachments: what the ledger counts as the hazard's evidence."""
        return sum(1 for attachment in self.attachments.values() if attachment.live)

    def has(
        self, step: AttachmentStep, kind: AttachmentKind, *, this_round: bool = False, this_review: bool = False
    ) -> bool:
        """Whether a live attachment of this step and kind exists (in this round or review, if asked)."""
        return any(
            a.live
            and a.added.step == step
            and a.added.kind == kind
            and (not this_round or a.round == self.round)
            and (not this_review or a.review == self.review)
            for a in self.attachments.values()
        )


def check_filename(filename: str) -> str:
    """A plain file name: no folders, no `..`, no control characters (NUL among them)."""
    name = filename.strip()
    if not name:
        raise InvalidInput("filename", "must not be empty")
    if len(name) > MAX_FILENAME:
        raise InvalidInput("filename", f"must be at most {MAX_FILENAME} characters")
    if _BAD_NAME.search(name) or name in (".", "..") or name.startswith(".."):
        raise InvalidInput("filename", "must be a plain file name: no folders, '..', control characters or NUL")
    return name


def check_kind(step: AttachmentStep, kind: AttachmentKind) -> None:
    if kind not in KINDS_BY_STEP[step]:
        allowed = ", ".join(sorted(k.value for k in KINDS_BY_STEP[step]))
        raise InvalidInput("kind", f"a {kind} does not belong to the {step} step; it takes {allowed}")


def may_attach(principal: Principal, hazard: HazardFacts, step: AttachmentStep) -> None:
    """Who may add evidence of a step: whoever takes that step (see policies), and the enterprise
    its own documents of the listing and of an extension (the receipt, the request)."""
    role = principal.role
    if role in (Role.ADMIN, Role.PLATFORM) and step == AttachmentStep.FOUND:
        return
    if role is Role.ENTERPRISE and step in (AttachmentStep.FOUND, AttachmentStep.LISTING, AttachmentStep.EXTENSION):
        policies.require_own(principal, hazard.enterprise_id)
        return
    match step:
        case AttachmentStep.FOUND:
            if role not in (Role.INSPECTOR, Role.SUPERVISOR):
                raise _refused(principal, step)
        case AttachmentStep.PLAN | AttachmentStep.RECTIFICATION:
            policies.may_rectify(principal, hazard, f"add evidence of the {step}")
        case AttachmentStep.ACCEPTANCE:
            policies.may_decide(principal, hazard)
        case AttachmentStep.LISTING:
            policies.may_delist(principal, hazard)  # the listing authority, at the listing level or higher
        case AttachmentStep.EXTENSION:
            policies.may_extend(principal, hazard)
        case AttachmentStep.VOID:
            policies.may_void(principal, hazard)


def may_withdraw(principal: Principal, attachment: Attachment) -> None:
    """Only the one who added a file, or an admin, may withdraw it."""
    if principal.role is not Role.ADMIN and principal.actor.id != attachment.added.uploaded_by.id:
        raise Forbidden("only the user who added an attachment (or an admin) may withdraw it")


def may_receive_listing(principal: Principal, hazard: HazardFacts) -> None:
    """The receipt (签收) is signed by the unit that must fix the hazard: the enterprise itself."""
    if principal.role is Role.ADMIN:
        return
    if principal.role is not Role.ENTERPRISE:
        raise Forbidden(f"the role {principal.actor.role!r} may not sign for a listing notice; the enterprise does")
    policies.require_own(principal, hazard.enterprise_id)


def needs_rectification_photo(rules: EvidenceRules, level: HazardLevel) -> bool:
    return rules.rectification_photo_for_major and level == HazardLevel.MAJOR


def needs_acceptance_record(rules: EvidenceRules, level: HazardLevel) -> bool:
    return rules.acceptance_record_for_major and level == HazardLevel.MAJOR


def _refused(principal: Principal, step: AttachmentStep) -> Forbidden:
    return Forbidden(f"the role {principal.actor.role!r} may not add evidence of the {step} step")


def rectification_evidence_missing(rules: EvidenceRules, level: HazardLevel, evidence: Evidence) -> str | None:
    """Why the rectification cannot be reported yet for want of evidence, or None."""
    if needs_rectification_photo(rules, level) and not evidence.has(
        AttachmentStep.RECTIFICATION, AttachmentKind.PHOTO, this_round=True
    ):
        return "a major hazard's rectification needs at least one photo after the fix (step rectification, kind photo)"
    return None


def acceptance_evidence_missing(rules: EvidenceRules, level: HazardLevel, evidence: Evidence) -> str | None:
    """Why the hazard cannot be accepted yet for want of its acceptance record, or None."""
    if needs_acceptance_record(rules, level) and not evidence.has(
        AttachmentStep.ACCEPTANCE, AttachmentKind.ACCEPTANCE_RECORD, this_review=True
    ):
        return "accepting a major hazard needs its acceptance record (step acceptance, kind acceptance_record)"
    return None
