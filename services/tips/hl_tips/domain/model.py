"""The `Tip` aggregate: it decides each command against the tip-off rules, then records.

Each method checks in one order — who may (`Forbidden`), whether the tip's state allows it
(`RuleViolation`, 409 with the tip's current state), whether the input is sound (`InvalidInput`) —
and records only when every check passed, so a refused command changes nothing.

A reward moves one way: computed (again while not approved: a fine linked later) → approved →
claimed by the tipster with the number and secret → paid. A named tipster may be paid without a
claim (approved → paid); an anonymous one, or one whose identity was erased, only against it. Paid
is final: nothing is claimed, approved or computed after it. Free text that every bureau will read (the facts, an
officer's note or reason) is first cleared of any mention of the tipster (`Redaction`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from hl_contracts import EventData
from hl_contracts.tips import (
    TipClosedUnfounded,
    TipEnforcementLinked,
    TipFiled,
    TipHazardLinked,
    TipIdentityErased,
    TipIdentityViewed,
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
from hl_contracts.vocabulary import RewardStatus, TipFinding, TipStatus
from hl_platform.clock import deadline_passed, local_date, utc
from hl_platform.errors import InvalidInput, RuleViolation
from hl_platform.inputs import build, business_time, not_before, past_day
from hl_tips.domain import policies
from hl_tips.domain.commands import (
    AddPhoto,
    ApproveReward,
    CloseUnfounded,
    EraseIdentity,
    FileTip,
    LinkEnforcement,
    LinkHazard,
    PayReward,
    TakeUp,
    Verify,
    ViewIdentity,
)
from hl_tips.domain.identity import Identity, redact
from hl_tips.domain.policies import Principal
from hl_tips.domain.rewards import Outcome, RewardRule, compute
from hl_tips.domain.state import OPEN, TipState

MAX_PHOTOS = 9


@dataclass(frozen=True, kw_only=True)
class Place:
    """Where the tip is about, as the application resolved it (a known enterprise, or the region given)."""

    region_code: str
    industry: str
    enterprise_id: str | None = None
    enterprise_name: str = ""


@dataclass(frozen=True)
class Redaction:
    """Clears free text of the tipster's name, phone, id number and e-mail (nothing when anonymous or erased)."""

    identity: Identity | None = None

    def __call__(self, text: str) -> str:
        return redact(text, self.identity)


@dataclass(frozen=True)
class EnterpriseFacts:
    """The enterprise a verification names, as the application found it."""

    id: str
    name: str


class Tip(TipState):
    """A tip-off (举报) from its filing to its reward."""

    @classmethod
    def file(
        cls, tip_id: str, cmd: FileTip, place: Place, tracking_number: str, rule: RewardRule, now: datetime
    ) -> Tip:
        """A new tip, its facts cleared of the tipster; the deadline set by the region's rule."""
        now = utc(now)
        clean = Redaction(cmd.identity)
        filed = build(
            TipFiled,
            tracking_number=tracking_number,
            category=cmd.category,
            description=clean(cmd.description),
            enterprise_id=place.enterprise_id,
            enterprise_name=clean(place.enterprise_name or cmd.enterprise_name),
            uscc=cmd.uscc.upper(),
            address=clean(cmd.address),
            occurred_on=past_day("occurred_on", cmd.occurred_on, now),
            anonymous=cmd.identity is None,
            deadline=local_date(now) + timedelta(days=rule.handling_days),
        )
        tip = cls(tip_id)
        tip.locate(place.region_code, place.industry)
        tip.filed_at = now
        tip._record(filed, Principal.tipster(), now)
        return tip

    def add_photo(self, cmd: AddPhoto, principal: Principal, now: datetime) -> bool:
        """Whether the photo was new (the same bytes twice are one photo)."""
        policies.may_act_as_tipster(principal, "add photos to a tip")
        if any(photo.sha256 == cmd.sha256 for photo in self.photos):
            return False
        self._require_status("add a photo", OPEN)
        if len(self.photos) >= MAX_PHOTOS:
            raise self._violation("too-many-photos", f"a tip holds at most {MAX_PHOTOS} photos")
        photo = build(
            TipPhotoAdded,
            photo_id=cmd.photo_id,
            sha256=cmd.sha256,
            size_bytes=cmd.size_bytes,
            content_type=cmd.content_type,
        )
        self._record(photo, principal, utc(now))
        return True

    def link_duplicate(self, original: Tip, reason: str, principal: Principal, now: datetime) -> None:
        """Only the first valid reporter earns: this tip follows `original` from now on."""
        if principal.role != "system":
            policies.may_handle(principal, "link duplicate tips")
        self._require_status("link it as a duplicate", OPEN)
        if original.id == self.id or original.filed_at is None or self.filed_at is None:
            raise InvalidInput("original_id", "must be another tip")
        if original.status in (TipStatus.DUPLICATE, TipStatus.UNFOUNDED):
            detail = f"tip {original.filed.tracking_number} is {original.status}: link to a tip that may earn"
            raise RuleViolation("original-not-valid", detail, original.current_state())
        if original.filed_at > self.filed_at:
            raise InvalidInput("original_id", "must have been filed before this tip (the first reporter earns)")
        event = build(
            TipLinkedDuplicate,
            original_id=original.id,
            original_tracking_number=original.filed.tracking_number,
            reason=reason,
        )
        self._record(event, principal, utc(now))

    def take_up(self, cmd: TakeUp, principal: Principal, now: datetime) -> None:
        """The inspector becomes the tip's handler (a new one replaces the last, recorded)."""
        policies.may_take_up(principal)
        self._require_status("take it up", OPEN)
        if self.handler is not None and self.handler.handler_id == principal.actor.id:
            return
        self._record(TipTakenUp(handler_id=principal.actor.id, handler=principal.actor.name), principal, utc(now))

    def view_identity(self, cmd: ViewIdentity, principal: Principal, now: datetime) -> None:
        """Audit a read of the sealed identity; the caller opens it only after this is recorded."""
        policies.may_view_identity(principal, self.handler.handler_id if self.handler else None)
        self._require_identity()
        self._record(TipIdentityViewed(purpose=cmd.purpose), principal, utc(now))

    def verify(
        self, cmd: Verify, enterprise: EnterpriseFacts | None, clean: Redaction, principal: Principal, now: datetime
    ) -> None:
        """The tip is true; a hazard or an act needs the enterprise, a concealed accident its details."""
        policies.may_handle(principal, "verify tips")
        if self.status is TipStatus.DUPLICATE:
            raise self._violation("duplicate-follows-original", "a duplicate tip is handled through its original")
        self._require_status("verify it", OPEN)
        decided_at = self._decision_time("decided_at", cmd.decided_at, now)
        if enterprise is None:
            raise InvalidInput("enterprise_id", "a verified tip names the enterprise it is about")
        _require_accident_details(cmd)
        event = build(
            TipVerified,
            finding=cmd.finding,
            enterprise_id=enterprise.id,
            enterprise_name=enterprise.name,
            decided_at=decided_at,
            note=clean(cmd.note),
            accident_grade=cmd.accident_grade,
            concealed_deaths=cmd.concealed_deaths,
        )
        self._record(event, principal, decided_at)

    def link_hazard(self, cmd: LinkHazard, principal: Principal, now: datetime) -> bool:
        """Whether it linked: the same hazard again is a no-op, another one a conflict."""
        policies.may_handle(principal, "link hazards to tips")
        finding = self._require_verified("link a hazard")
        if self.hazard is not None:
            if self.hazard.hazard_id == cmd.hazard_id:
                return False
            raise self._violation("hazard-already-linked", f"the tip is linked to hazard {self.hazard.hazard_id}")
        if finding.hazard_level is None or finding.hazard_level != cmd.level:
            detail = f"the tip was verified as {finding.value}: it records no {cmd.level} hazard"
            raise self._violation("finding-is-not-this-hazard", detail)
        self._record(TipHazardLinked(hazard_id=cmd.hazard_id, level=cmd.level), principal, utc(now))
        return True

    def link_enforcement(self, cmd: LinkEnforcement, principal: Principal, now: datetime) -> bool:
        """Whether it linked: the same action twice is one action."""
        policies.may_handle(principal, "link enforcement actions to tips")
        self._require_verified("link an enforcement action")
        if any(action.action_id == cmd.action_id for action in self.enforcement):
            return False
        event = build(
            TipEnforcementLinked,
            action_id=cmd.action_id,
            kind=cmd.kind,
            amount_wan=cmd.amount_wan,
            decided_on=past_day("decided_on", cmd.decided_on, now),
        )
        self._record(event, principal, utc(now))
        return True

    def close_unfounded(self, cmd: CloseUnfounded, clean: Redaction, principal: Principal, now: datetime) -> None:
        policies.may_handle(principal, "close tips")
        self._require_status("close it", OPEN)
        decided_at = self._decision_time("decided_at", cmd.decided_at, now)
        self._record(build(TipClosedUnfounded, reason=clean(cmd.reason), decided_at=decided_at), principal, decided_at)

    def mark_overdue(self, now: datetime, principal: Principal | None = None) -> bool:
        """Record tip.overdue once per deadline, when `now` is past it and the tip is still undecided."""
        principal = principal or Principal.system()
        policies.may_mark_overdue(principal)
        if self.status not in OPEN or self.overdue_notified_for == self.deadline:
            return False
        if not deadline_passed(self.deadline, now):
            return False
        self._record(TipOverdue(deadline=self.deadline, detected_at=utc(now)), principal, utc(now))
        return True

    def compute_reward(self, rule: RewardRule, principal: Principal, now: datetime) -> None:
        """By the region's rule from the outcome; again while not approved (a fine linked later)."""
        policies.may_handle(principal, "compute rewards")
        finding = self._require_verified("compute its reward")
        if self.approval is not None:
            raise self._violation("reward-approved", "the reward is approved; it is not computed again")
        verification = self.verification
        assert verification is not None
        outcome = Outcome(finding, self.fines_wan, verification.accident_grade, verification.concealed_deaths)
        try:
            result = compute(rule, outcome)
        except RuleViolation as refused:  # the rule's own inputs, and the tip's state like every refusal
            details = refused.current_state if isinstance(refused.current_state, dict) else {}
            raise RuleViolation(refused.rule, refused.detail, {**self.current_state(), **details}) from None
        event = build(
            TipRewardComputed,
            amount_yuan=result.amount_yuan,
            rule=result.rule,
            basis=result.basis,
            inputs=result.inputs,
            explanation=result.explanation,
        )
        self._record(event, principal, utc(now))

    def approve_reward(self, cmd: ApproveReward, principal: Principal, now: datetime) -> None:
        policies.may_approve(principal)
        self._require_reward("approve it", (RewardStatus.COMPUTED,))
        assert self.computation is not None
        approved_at = self._decision_time("approved_at", cmd.approved_at, now)
        event = build(
            TipRewardApproved,
            amount_yuan=self.computation.amount_yuan,
            approved_by=cmd.approved_by,
            approved_at=approved_at,
        )
        self._record(event, principal, approved_at)

    def claim_reward(self, principal: Principal, now: datetime) -> None:
        policies.may_act_as_tipster(principal, "claim rewards")
        self._require_reward("claim it", (RewardStatus.APPROVED,))
        self._record(TipRewardClaimed(claimed_at=utc(now)), principal, utc(now))

    def pay_reward(self, cmd: PayReward, principal: Principal, now: datetime) -> None:
        """An anonymous reward is paid only against a claim: nobody else knows whom to pay. Nor does
        anyone once a named tipster's identity is erased: then the claim is needed too."""
        policies.may_pay(principal)
        if self.filed.anonymous:
            self._require_reward("pay it", (RewardStatus.CLAIMED,), rule="anonymous-reward-needs-claim")
        elif self.erasure is not None:
            self._require_reward("pay it", (RewardStatus.CLAIMED,), rule="erased-identity-reward-needs-claim")
        else:
            self._require_reward("pay it", (RewardStatus.APPROVED, RewardStatus.CLAIMED))
        assert self.approval is not None
        paid_at = self._decision_time("paid_at", cmd.paid_at, now)
        not_before("paid_at", paid_at, "approved_at", self.approval.approved_at)
        event = build(
            TipRewardPaid,
            amount_yuan=self.approval.amount_yuan,
            paid_at=paid_at,
            method=cmd.method,
            reference=cmd.reference,
            anonymous=self.filed.anonymous,
        )
        self._record(event, principal, paid_at)

    def erase_identity(self, cmd: EraseIdentity, principal: Principal, now: datetime) -> None:
        """Record the erasure; the caller destroys the tip's key in the same transaction."""
        policies.may_erase(principal, self.handler.handler_id if self.handler else None)
        self._require_identity()
        event = TipIdentityErased(erased_at=utc(now), requested_by=cmd.requested_by)
        self._record(event, principal, utc(now))

    # Checks shared by the commands.

    def _decision_time(self, field: str, value: datetime, now: datetime) -> datetime:
        moment = business_time(field, value, now)
        assert self.filed_at is not None
        not_before(field, moment, "the filing", self.filed_at)
        return moment

    def _require_verified(self, action: str) -> TipFinding:
        if self.verification is None:
            raise self._violation("not-verified", f"cannot {action}: the tip is {self.status}, not verified")
        return self.verification.finding

    def _require_identity(self) -> None:
        if not self.has_identity:
            raise self._violation("anonymous", "the tip is anonymous: it holds no identity")
        if self.erasure is not None:
            raise self._violation("identity-erased", "the tipster's identity was erased and cannot be read")

    def _require_status(self, action: str, allowed: Collection[TipStatus], rule: str = "invalid-transition") -> None:
        if self.status not in allowed:
            expected = " or ".join(status.value for status in allowed)
            raise self._violation(rule, f"cannot {action} while the tip is {self.status}; it must be {expected}")

    def _require_reward(self, action: str, allowed: Collection[RewardStatus], rule: str = "invalid-transition") -> None:
        current = self.reward_status
        if current not in allowed:
            expected = " or ".join(status.value for status in allowed)
            detail = f"cannot {action} while the reward is {current or 'not computed'}; it must be {expected}"
            raise self._violation(rule, detail)

    def _violation(self, rule: str, detail: str) -> RuleViolation:
        return RuleViolation(rule, detail, self.current_state())

    def _record(self, event: EventData, principal: Principal, time: datetime) -> None:
        self.record(event, actor=principal.actor, time=time)


def _require_accident_details(cmd: Verify) -> None:
    concealed = cmd.finding is TipFinding.CONCEALED_ACCIDENT
    if concealed and (cmd.accident_grade is None or not cmd.concealed_deaths):
        field = "accident_grade" if cmd.accident_grade is None else "concealed_deaths"
        raise InvalidInput(field, "required for a concealed accident (瞒报谎报事故)")
    if not concealed and (cmd.accident_grade is not None or cmd.concealed_deaths is not None):
        field = "accident_grade" if cmd.accident_grade is not None else "concealed_deaths"
        raise InvalidInput(field, "only for a concealed accident")
