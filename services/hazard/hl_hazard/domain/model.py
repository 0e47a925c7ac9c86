"""The `Hazard` aggregate: it decides each command against DOMAIN.md's hazard rules, then records.

Each method checks in one order — who may (`Forbidden`), whether the hazard's state allows it
(`RuleViolation`), whether the input is sound (`InvalidInput`) — and records only when every check
passed, so a refused command changes nothing. Business times come from the command (a decision
left undated is dated `now`); each is checked by `_decided`: never in the future, never before the
hazard was found. Only overdue, the system's own observation, is always the clock's `now`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from hl_contracts import EventData
from hl_contracts.evidence import HazardAttachmentAdded, HazardAttachmentWithdrawn, HazardListingReceived
from hl_contracts.hazard import (
    HazardAccepted,
    HazardDeadlineExtended,
    HazardDelisted,
    HazardEscalated,
    HazardOverdue,
    HazardPlanSet,
    HazardReclassified,
    HazardRectified,
    HazardRejected,
    HazardVoided,
)
from hl_contracts.vocabulary import AttachmentStep, HazardLevel, HazardStatus, ListingLevel
from hl_hazard.domain import evidence, policies
from hl_hazard.domain.commands import (
    AddAttachment,
    Command,
    DecideAcceptance,
    Delist,
    Escalate,
    ExtendDeadline,
    MarkOverdue,
    ReceiveListing,
    Reclassify,
    ReportHazard,
    ReportRectification,
    SetPlan,
    Void,
    WithdrawAttachment,
)
from hl_hazard.domain.enterprise import EnterpriseSnapshot
from hl_hazard.domain.evidence import EvidenceRules
from hl_hazard.domain.findings import first_events, require_level_details
from hl_hazard.domain.inputs import deadline_from
from hl_hazard.domain.policies import Principal
from hl_hazard.domain.reminders import ReminderSchedule, owed
from hl_hazard.domain.state import OPEN, HazardState
from hl_platform.clock import deadline_passed, utc
from hl_platform.errors import InvalidInput, NotFound, RuleViolation
from hl_platform.inputs import build, business_time, not_before

LIVE = (HazardStatus.REPORTED, HazardStatus.RECTIFYING, HazardStatus.RECTIFIED)
NOT_VOIDED = (*LIVE, HazardStatus.CLOSED)


class Hazard(HazardState):
    """A hazard (事故隐患) from its report to its closing, listing and delisting.

    `rules` are the evidence rules the city chose; the application sets them on every hazard it loads.
    """

    rules: EvidenceRules = EvidenceRules()

    @classmethod
    def report(
        cls,
        hazard_id: str,
        cmd: ReportHazard,
        enterprise: EnterpriseSnapshot,
        principal: Principal,
        now: datetime,
    ) -> Hazard:
        """Rules 1–3: a new hazard, found (and, for 即查即改, rectified) at `enterprise`."""
        if cmd.enterprise_id != enterprise.id:
            raise ValueError(f"the snapshot is of {enterprise.id}, the command names {cmd.enterprise_id}")
        policies.may_report(principal, cmd.source, enterprise.id)
        if enterprise.is_closed:
            detail = f"enterprise {enterprise.id} is closed: no new hazards can be reported for it"
            state = {"enterprise_id": enterprise.id, "enterprise_status": enterprise.status.value}
            raise RuleViolation("enterprise-closed", detail, state)
        found, fix = first_events(cmd, enterprise, now)
        hazard = cls(hazard_id)
        hazard.locate(enterprise.region_code, enterprise.industry)
        hazard._record(found, principal, found.found_at)
        if fix is not None:
            hazard._record(fix, principal, fix.completed_at)
        return hazard

    def execute(self, cmd: Command, principal: Principal, now: datetime) -> bool:
        """Run any command on this hazard; whether an event was recorded (only `MarkOverdue` may not)."""
        match cmd:
            case SetPlan():
                self.set_plan(cmd, principal, now)
            case ReportRectification():
                self.report_rectification(cmd, principal, now)
            case DecideAcceptance():
                self.decide_acceptance(cmd, principal, now)
            case Escalate():
                self.escalate(cmd, principal, now)
            case Delist():
                self.delist(cmd, principal, now)
            case ExtendDeadline():
                self.extend_deadline(cmd, principal, now)
            case Reclassify():
                self.reclassify(cmd, principal, now)
            case Void():
                self.void(cmd, principal, now)
            case ReceiveListing():
                self.receive_listing(cmd, principal, now)
            case AddAttachment():
                self.add_attachment(cmd, principal, now)
            case WithdrawAttachment():
                self.withdraw_attachment(cmd, principal, now)
            case MarkOverdue():
                return self.mark_overdue(now, principal)
        return True

    def set_plan(self, cmd: SetPlan, principal: Principal, now: datetime) -> None:
        """Rules 3, 4, 7: set or revise the 五到位 plan; a deadline once set is kept."""
        policies.may_rectify(principal, self.facts, "set the plan")
        self._require_status("set the plan", OPEN)
        decided_at = self._decided("decided_at", cmd.decided_at, now)
        plan = build(
            HazardPlanSet,
            responsible_person=cmd.responsible_person,
            measures=cmd.measures,
            funds_yuan=cmd.funds_yuan,
            deadline=cmd.deadline,
            emergency_plan=cmd.emergency_plan,
            decided_at=decided_at,
        )
        self._keep_deadline(plan.deadline)
        self._record(plan, principal, decided_at)

    def report_rectification(self, cmd: ReportRectification, principal: Principal, now: datetime) -> None:
        """Rules 3, 4: the fix is done; a major hazard needs its plan first."""
        policies.may_rectify(principal, self.facts, "report rectification")
        self._require_status("report its rectification", OPEN)
        self._require_plan()
        self._require_evidence(evidence.rectification_evidence_missing(self.rules, self.level, self.evidence))
        completed_at = business_time("completed_at", cmd.completed_at, now)
        not_before("completed_at", completed_at, "found_at", self.found_at)
        fix = build(HazardRectified, completed_at=completed_at, description=cmd.description)
        self._record(fix, principal, completed_at)

    def decide_acceptance(self, cmd: DecideAcceptance, principal: Principal, now: datetime) -> None:
        """Rules 4, 5: accept (close, 销号) or reject (back to rectifying) the reported fix."""
        policies.may_decide(principal, self.facts)
        self._require_status("decide its acceptance", (HazardStatus.RECTIFIED,))
        decided_at = business_time("decided_at", cmd.decided_at, now)
        rectified_at = self.rectification.completed_at if self.rectification else self.found_at
        not_before("decided_at", decided_at, "the rectification's completed_at", rectified_at)
        if cmd.accepted:
            self._require_evidence(evidence.acceptance_evidence_missing(self.rules, self.level, self.evidence))
        decision = HazardAccepted if cmd.accepted else HazardRejected
        event = build(decision, reviewer=cmd.reviewer, opinion=cmd.opinion, decided_at=decided_at)
        self._record(event, principal, decided_at)

    def escalate(self, cmd: Escalate, principal: Principal, now: datetime) -> None:
        """Rule 6: list a major hazard (挂牌督办); a new listing must outrank every earlier one."""
        policies.may_escalate(principal, cmd.level)
        self._require_status("list it for supervision", LIVE)
        if self.level != HazardLevel.MAJOR:
            raise self._violation("major-only-listing", "only a major hazard can be listed for supervision")
        escalated_at = business_time("escalated_at", cmd.escalated_at, now)
        not_before("escalated_at", escalated_at, "found_at", self.found_at)
        listing = build(
            HazardEscalated,
            level=cmd.level,
            authority=cmd.authority,
            reason=cmd.reason,
            deadline=cmd.deadline,
            escalated_at=escalated_at,
            document_number=cmd.document_number,
            signatory=cmd.signatory,
        )
        if self.rules.listing_document_number and not listing.document_number:
            raise InvalidInput("document_number", "a listing carries its notice's document number (文号)")
        self._require_higher_listing(listing.level)
        deadline_from("deadline", listing.deadline, self.found_at)
        self._record(listing, principal, escalated_at)

    def delist(self, cmd: Delist, principal: Principal, now: datetime) -> None:
        """Rule 6: lift the listing (摘牌), only once the hazard is closed."""
        policies.may_delist(principal, self.facts)
        self._require_status("delist it", (HazardStatus.CLOSED,), rule="delist-after-closing")
        if self.listing is None:
            raise self._violation("not-listed", "the hazard is not listed for supervision")
        if self.rules.listing_receipt_before_delisting and self.evidence.receipt is None:
            detail = "the listing notice was never signed for (签收) by the receiving unit; record its receipt first"
            raise self._violation("listing-not-received", detail)
        delisted_at = business_time("delisted_at", cmd.delisted_at, now)
        closed_at = self.decision.decided_at if self.decision else self.found_at
        not_before("delisted_at", delisted_at, "the acceptance's decided_at", closed_at)
        event = build(
            HazardDelisted,
            level=self.listing.level,
            authority=cmd.authority or principal.actor.organisation,
            delisted_at=delisted_at,
            reason=cmd.reason,
        )
        self._record(event, principal, delisted_at)

    def extend_deadline(self, cmd: ExtendDeadline, principal: Principal, now: datetime) -> None:
        """Rule 7: an approved extension is the only thing that moves the deadline, and only later."""
        policies.may_extend(principal, self.facts)
        self._require_status("extend its deadline", OPEN)
        if self.deadline is None:
            raise self._violation("no-deadline", "the hazard has no deadline to extend; set its plan first")
        approved_at = self._decided("approved_at", cmd.approved_at, now)
        extension = build(
            HazardDeadlineExtended,
            previous_deadline=self.deadline,
            new_deadline=cmd.new_deadline,
            reason=cmd.reason,
            approved_by=cmd.approved_by,
            approved_at=approved_at,
        )
        if extension.new_deadline <= self.deadline:
            raise InvalidInput("new_deadline", f"must be later than the current deadline {self.deadline}")
        self._record(extension, principal, approved_at)

    def reclassify(self, cmd: Reclassify, principal: Principal, now: datetime) -> None:
        """Rule 1: change the level while the fix is still owed; a listed hazard stays major."""
        policies.may_reclassify(principal)
        self._require_status("reclassify it", OPEN)
        decided_at = self._decided("decided_at", cmd.decided_at, now)
        event = build(
            HazardReclassified,
            previous_level=self.level,
            level=cmd.level,
            reason=cmd.reason,
            standard_clause=cmd.standard_clause,
            production_halt=cmd.production_halt,
            decided_at=decided_at,
        )
        if event.level == self.level:
            raise InvalidInput("level", f"the hazard is already {self.level}")
        require_level_details(event.level, event.production_halt, event.standard_clause)
        if self.listed:
            raise self._violation("listed-stays-major", "a hazard listed for supervision must stay major")
        self._record(event, principal, decided_at)

    def void(self, cmd: Void, principal: Principal, now: datetime) -> None:
        """Rule 4: void (作废) from any state; the history stays."""
        policies.may_void(principal, self.facts)
        self._require_status("void it", NOT_VOIDED)
        decided_at = self._decided("decided_at", cmd.decided_at, now)
        self._record(build(HazardVoided, reason=cmd.reason, decided_at=decided_at), principal, decided_at)

    def receive_listing(self, cmd: ReceiveListing, principal: Principal, now: datetime) -> None:
        """The receiving unit signs for the current listing's notice (签收), once per listing."""
        evidence.may_receive_listing(principal, self.facts)
        if self.listing is None:
            raise self._violation("not-listed", "the hazard is not listed for supervision")
        if self.evidence.receipt is not None:
            raise self._violation("listing-already-received", "the current listing notice was signed for already")
        received_at = business_time("received_at", cmd.received_at, now)
        not_before("received_at", received_at, "the listing's escalated_at", self.listing.escalated_at)
        receipt = build(
            HazardListingReceived,
            level=self.listing.level,
            document_number=self.listing.document_number,
            receiving_unit=cmd.receiving_unit,
            received_by=cmd.received_by,
            received_at=received_at,
        )
        self._record(receipt, principal, received_at)

    def add_attachment(self, cmd: AddAttachment, principal: Principal, now: datetime) -> None:
        """Record a checked file as evidence of a step; a voided hazard takes only evidence of its voiding."""
        evidence.may_attach(principal, self.facts, cmd.step)
        if self.status == HazardStatus.VOIDED and cmd.step != AttachmentStep.VOID:
            raise self._violation("hazard-voided", "cannot add evidence: the hazard was voided")
        evidence.check_kind(cmd.step, cmd.kind)
        if cmd.attachment_id in self.evidence.attachments:
            raise self._violation("attachment-exists", f"attachment {cmd.attachment_id} was added already")
        added = build(
            HazardAttachmentAdded,
            attachment_id=cmd.attachment_id,
            step=cmd.step,
            kind=cmd.kind,
            filename=evidence.check_filename(cmd.filename),
            content_type=cmd.content_type,
            size_bytes=cmd.size_bytes,
            sha256=cmd.sha256,
            uploaded_by=principal.actor,
            added_at=utc(now),
            description=cmd.description,
        )
        self._record(added, principal, utc(now))

    def withdraw_attachment(self, cmd: WithdrawAttachment, principal: Principal, now: datetime) -> None:
        """Withdraw a wrong attachment (撤回): the file and its hash stay in the history."""
        attachment = self.evidence.attachments.get(cmd.attachment_id)
        if attachment is None:
            raise NotFound(f"hazard {self.id} has no attachment {cmd.attachment_id}")
        evidence.may_withdraw(principal, attachment)
        if not attachment.live:
            raise self._violation("attachment-withdrawn", f"attachment {cmd.attachment_id} was withdrawn already")
        withdrawal = build(
            HazardAttachmentWithdrawn,
            attachment_id=cmd.attachment_id,
            sha256=attachment.added.sha256,
            reason=cmd.reason,
            withdrawn_at=utc(now),
        )
        self._record(withdrawal, principal, utc(now))

    def mark_overdue(self, now: datetime, principal: Principal | None = None) -> bool:
        """Rule 7: record hazard.overdue once per deadline, when `now` is past the deadline's day
        (Asia/Shanghai) and the fix is still owed. Whether it recorded; the scan may call it often.
        """
        principal = principal or Principal.system()
        policies.may_mark_overdue(principal)
        deadline = self.deadline
        if deadline is None or not self._owes_overdue(deadline, now):
            return False
        self._record(HazardOverdue(deadline=deadline, detected_at=utc(now)), principal, utc(now))
        return True

    def remind(self, now: datetime, schedule: ReminderSchedule, principal: Principal | None = None) -> bool:
        """Record the reminder the clock says is owed now (domain/reminders.py), if any; whether it did.
        Like `mark_overdue`, safe to call on every scan: a reminder is owed once per occasion.
        """
        principal = principal or Principal.system()
        policies.may_remind(principal)
        reminder = owed(self, now, schedule)
        if reminder is None:
            return False
        self._record(reminder, principal, utc(now))
        return True

    def _owes_overdue(self, deadline: date, now: datetime) -> bool:
        still_owed = self.status in OPEN and self.overdue_notified_for != deadline
        return still_owed and deadline_passed(deadline, now)

    def _decided(self, field: str, value: datetime | None, now: datetime) -> datetime:
        """A decision's business time (rule 9): given or now, never in the future, never before found."""
        decided = business_time(field, value if value is not None else now, now)
        not_before(field, decided, "found_at", self.found_at)
        return decided

    def _keep_deadline(self, deadline: date) -> None:
        # Rule 7: a revised plan cannot move the deadline, earlier or later; an extension can. The
        # first plan may commit to an earlier day than a deadline already given (at the report, or
        # by a listing), never a later one.
        if self.deadline is None:
            deadline_from("deadline", deadline, self.found_at)
        elif deadline != self.deadline and (self.plan is not None or deadline > self.deadline):
            detail = f"the deadline is {self.deadline}, the plan says {deadline}: only an extension moves it later"
            raise self._violation("deadline-needs-extension", detail)
        else:
            deadline_from("deadline", deadline, self.found_at)

    def _require_plan(self) -> None:
        if self.plan is not None:
            return
        if self.level == HazardLevel.MAJOR:
            detail = "a major hazard needs a complete 五到位 plan before its rectification is reported"
            raise self._violation("major-needs-plan", detail)
        if self.deadline is None:
            detail = "a general hazard not rectified on the spot needs a deadline or a plan first"
            raise self._violation("plan-or-deadline-needed", detail)

    def _require_evidence(self, missing: str | None) -> None:
        if missing is not None:
            raise self._violation("evidence-missing", missing)

    def _require_higher_listing(self, level: ListingLevel) -> None:
        highest = max(self.listings, key=lambda listing: listing.level.rank, default=None)
        if highest is not None and level.rank <= highest.level.rank:
            detail = f"the hazard was listed at {highest.level} level; it can be re-listed only higher"
            raise self._violation("listing-must-rise", detail)

    def _require_status(self, action: str, allowed: Collection[HazardStatus], rule: str = "invalid-transition") -> None:
        if self.status == HazardStatus.VOIDED:
            raise self._violation("hazard-voided", f"cannot {action}: the hazard was voided")
        if self.status not in allowed:
            expected = " or ".join(status.value for status in allowed)
            detail = f"cannot {action} while the hazard is {self.status}; it must be {expected}"
            raise self._violation(rule, detail)

    def _violation(self, rule: str, detail: str) -> RuleViolation:
        return RuleViolation(rule, detail, self.current_state())

    def _record(self, event: EventData, principal: Principal, time: datetime) -> None:
        self.record(event, actor=principal.actor, time=time)
