"""DOMAIN.md hazard rules 1–9, one group of tests per rule, against the pure `Hazard` aggregate."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from hl_contracts.vocabulary import HazardLevel, HazardSource, HazardStatus, ListingLevel, ProductionHalt
from hl_hazard.domain import EnterpriseStatus, Hazard, Reclassify, Void
from hl_platform.errors import Forbidden, InvalidInput, RuleViolation
from tests.unit.hazard.builders import (
    ADMIN,
    DEADLINE,
    ENTERPRISE,
    ENTERPRISE_USER,
    FOUND_AT,
    INSPECTOR,
    NOW,
    SYSTEM,
    acceptance,
    closed_listed_major,
    delisting,
    escalation,
    event_types,
    extension,
    general_report,
    history,
    inspector,
    listed_major,
    major_report,
    plan,
    random_id,
    rectification,
    rectified_major,
    rectifying_major,
    reported,
    supervisor,
)

CITY, COUNTY, PROVINCE = ListingLevel.CITY, ListingLevel.COUNTY, ListingLevel.PROVINCE


def refused_rule(excinfo: pytest.ExceptionInfo[RuleViolation]) -> tuple[str, dict[str, Any]]:
    state = excinfo.value.current_state
    assert isinstance(state, dict)
    return excinfo.value.rule, state


# Rule 1: level is exactly general or major; a major hazard may cite its 判定标准 clause.


def test_rule_1_level_is_general_or_major() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        reported(major_report(level="critical"))
    assert excinfo.value.field == "level"


def test_rule_1_a_major_hazard_may_cite_its_standard_clause() -> None:
    hazard = reported(major_report(standard_clause="GB 6441 第3条"))
    assert hazard.snapshot()["standard_clause"] == "GB 6441 第3条"


def test_rule_1_a_general_hazard_cites_no_standard_clause() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        reported(general_report(standard_clause="GB 6441 第3条"))
    assert excinfo.value.field == "standard_clause"


def test_rule_1_reclassification_changes_the_level_and_keeps_the_rules() -> None:
    hazard = reported(general_report())
    with pytest.raises(InvalidInput) as excinfo:
        hazard.reclassify(Reclassify(level=HazardLevel.MAJOR, reason="复核为重大"), INSPECTOR, NOW)
    assert excinfo.value.field == "production_halt"
    cmd = Reclassify(level=HazardLevel.MAJOR, reason="复核为重大", production_halt=ProductionHalt.FULL)
    hazard.reclassify(cmd, INSPECTOR, NOW)
    assert (hazard.level, hazard.production_halt) == (HazardLevel.MAJOR, ProductionHalt.FULL)


def test_rule_1_a_listed_hazard_stays_major() -> None:
    hazard = listed_major(CITY)
    with pytest.raises(RuleViolation) as excinfo:
        hazard.reclassify(Reclassify(level=HazardLevel.GENERAL, reason="降级"), INSPECTOR, NOW)
    assert refused_rule(excinfo)[0] == "listed-stays-major"


# Rule 2: source, enterprise, found time (business time) and finder are recorded.


def test_rule_2_every_hazard_records_source_enterprise_time_and_finder() -> None:
    hazard = reported(major_report(source=HazardSource.DEPARTMENT_INSPECTION), by=INSPECTOR)
    found = hazard.changes[0]
    assert found.data.model_dump(include={"source", "enterprise_id", "found_by"}) == {
        "source": HazardSource.DEPARTMENT_INSPECTION,
        "enterprise_id": ENTERPRISE.id,
        "found_by": "张三",
    }
    assert found.time == FOUND_AT
    assert found.actor == INSPECTOR.actor
    assert (hazard.region_code, hazard.industry) == (ENTERPRISE.region_code, ENTERPRISE.industry)


@pytest.mark.parametrize(("field", "value"), [("found_by", ""), ("title", ""), ("source", "rumour")])
def test_rule_2_a_missing_or_unknown_field_is_refused(field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        reported(major_report(**{field: value}), by=ADMIN)
    assert excinfo.value.field == field


def test_rule_2_a_closed_enterprise_takes_no_new_hazards() -> None:
    closed = replace(ENTERPRISE, status=EnterpriseStatus.CLOSED)
    with pytest.raises(RuleViolation) as excinfo:
        Hazard.report(random_id(), major_report(), closed, ENTERPRISE_USER, NOW)
    assert excinfo.value.rule == "enterprise-closed"


# Rule 3: 即查即改 for general hazards only; majors need a complete 五到位 plan and a production halt.


def test_rule_3_a_general_hazard_may_be_rectified_immediately() -> None:
    hazard = reported(general_report(rectify_immediately=True, deadline=None))
    assert event_types(hazard) == ["hazard.found", "hazard.rectified"]
    assert hazard.changes[1].data.model_dump(include={"immediate", "completed_at"}) == {
        "immediate": True,
        "completed_at": FOUND_AT,
    }
    assert hazard.status == HazardStatus.RECTIFIED


def test_rule_3_a_major_hazard_cannot_be_rectified_immediately() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        reported(major_report(rectify_immediately=True))
    assert excinfo.value.field == "rectify_immediately"


def test_rule_3_a_major_hazard_records_its_production_halt() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        reported(major_report(production_halt=None))
    assert excinfo.value.field == "production_halt"


def test_rule_3_a_major_hazard_needs_its_plan_before_rectification() -> None:
    hazard = reported(major_report(deadline=DEADLINE))
    with pytest.raises(RuleViolation) as excinfo:
        hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    rule, state = refused_rule(excinfo)
    assert rule == "major-needs-plan"
    assert state == {"status": "reported", "level": "major", "listed": False, "version": 1}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("responsible_person", ""),
        ("measures", ""),
        ("funds_yuan", Decimal("-1")),
        ("emergency_plan", ""),
    ],
)
def test_rule_3_the_plan_must_be_complete(field: str, value: object) -> None:
    hazard = reported()
    with pytest.raises(InvalidInput) as excinfo:
        hazard.set_plan(plan(**{field: value}), ENTERPRISE_USER, NOW)
    assert excinfo.value.field == field
    assert hazard.version == 1


def test_rule_3_a_plan_with_zero_funds_is_complete() -> None:
    hazard = reported()
    hazard.set_plan(plan(funds_yuan=Decimal(0)), ENTERPRISE_USER, NOW)
    assert hazard.status == HazardStatus.RECTIFYING


# Rule 4: reported → rectifying → rectified → closed; rejection returns to rectifying; void keeps history.


def test_rule_4_the_lifecycle_of_a_major_hazard() -> None:
    hazard = reported()
    statuses = [hazard.status]
    hazard.set_plan(plan(), ENTERPRISE_USER, NOW)
    statuses.append(hazard.status)
    hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    statuses.append(hazard.status)
    hazard.decide_acceptance(acceptance(accepted=False), INSPECTOR, NOW)
    statuses.append(hazard.status)
    hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    hazard.decide_acceptance(acceptance(), INSPECTOR, NOW)
    statuses.append(hazard.status)
    assert [status.value for status in statuses] == ["reported", "rectifying", "rectified", "rectifying", "closed"]


def test_rule_4_a_general_hazard_with_a_deadline_is_rectified_without_a_plan() -> None:
    hazard = reported(general_report())
    hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    assert hazard.status == HazardStatus.RECTIFIED


def test_rule_4_a_general_hazard_without_deadline_or_plan_cannot_be_rectified() -> None:
    hazard = reported(general_report(deadline=None))
    with pytest.raises(RuleViolation) as excinfo:
        hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    assert excinfo.value.rule == "plan-or-deadline-needed"


def test_rule_4_acceptance_needs_a_reported_rectification() -> None:
    hazard = rectifying_major()
    with pytest.raises(RuleViolation) as excinfo:
        hazard.decide_acceptance(acceptance(), INSPECTOR, NOW)
    assert refused_rule(excinfo) == (
        "invalid-transition",
        {"status": "rectifying", "level": "major", "listed": False, "version": 2},
    )


def test_rule_4_a_voided_hazard_keeps_its_history_and_takes_no_changes() -> None:
    hazard = rectified_major()
    hazard.void(Void(reason="重复录入"), INSPECTOR, NOW)
    assert event_types(hazard)[-1] == "hazard.voided"
    assert hazard.snapshot()["voided_reason"] == "重复录入"
    assert hazard.plan is not None and hazard.rectification is not None
    with pytest.raises(RuleViolation) as excinfo:
        hazard.decide_acceptance(acceptance(), INSPECTOR, NOW)
    assert excinfo.value.rule == "hazard-voided"
    with pytest.raises(RuleViolation):
        hazard.void(Void(reason="再次作废"), INSPECTOR, NOW)
    assert hazard.mark_overdue(NOW + timedelta(days=400)) is False


def test_rule_4_a_closed_hazard_can_still_be_voided() -> None:
    hazard = rectified_major()
    hazard.decide_acceptance(acceptance(), INSPECTOR, NOW)
    hazard.void(Void(reason="误报"), ADMIN, NOW)
    assert hazard.status == HazardStatus.VOIDED


# Rule 5: majors are closed by a department reviewer; a listed hazard by its listing level or higher.


def test_rule_5_the_enterprise_never_closes_its_own_major_hazard() -> None:
    hazard = rectified_major()
    with pytest.raises(Forbidden):
        hazard.decide_acceptance(acceptance(), ENTERPRISE_USER, NOW)
    hazard.decide_acceptance(acceptance(), INSPECTOR, NOW)
    assert hazard.status == HazardStatus.CLOSED
    assert hazard.changes[-1].actor.role == "inspector"


def test_rule_5_the_enterprise_closes_its_own_general_hazard() -> None:
    hazard = reported(general_report(rectify_immediately=True))
    hazard.decide_acceptance(acceptance(), ENTERPRISE_USER, NOW)
    assert hazard.status == HazardStatus.CLOSED


@pytest.mark.parametrize(
    ("closer", "allowed"),
    [
        (INSPECTOR, False),
        (inspector(COUNTY), False),
        (inspector(CITY), True),
        (supervisor(COUNTY), False),
        (supervisor(PROVINCE), True),
        (ADMIN, True),
    ],
)
def test_rule_5_a_listed_hazard_is_closed_at_its_listing_level_or_higher(closer: Any, allowed: bool) -> None:
    hazard = listed_major(CITY)
    hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    if allowed:
        hazard.decide_acceptance(acceptance(), closer, NOW)
        assert hazard.status == HazardStatus.CLOSED
    else:
        with pytest.raises(Forbidden):
            hazard.decide_acceptance(acceptance(), closer, NOW)
        assert hazard.status == HazardStatus.RECTIFIED


# Rule 6: only majors are listed, once at a time, re-listed only higher, delisted only after closing.


def test_rule_6_only_a_major_hazard_can_be_listed() -> None:
    hazard = reported(general_report())
    with pytest.raises(RuleViolation) as excinfo:
        hazard.escalate(escalation(CITY), supervisor(CITY), NOW)
    assert excinfo.value.rule == "major-only-listing"


def test_rule_6_a_supervisor_lists_at_its_own_level() -> None:
    hazard = rectifying_major()
    with pytest.raises(Forbidden):
        hazard.escalate(escalation(PROVINCE), supervisor(CITY), NOW)
    with pytest.raises(Forbidden):
        hazard.escalate(escalation(CITY), inspector(CITY), NOW)
    hazard.escalate(escalation(CITY), supervisor(CITY), NOW)
    assert hazard.snapshot()["listing"]["level"] == "city"


def test_rule_6_a_listing_records_level_authority_reason_and_deadline() -> None:
    listing = listed_major(COUNTY).snapshot()["listing"]
    assert set(listing) == {"level", "authority", "reason", "deadline", "listed_at", "document_number", "signatory"}
    assert listing["deadline"] == DEADLINE.isoformat()


def test_rule_6_a_hazard_is_re_listed_only_higher() -> None:
    hazard = listed_major(CITY)
    for level in (COUNTY, CITY):
        with pytest.raises(RuleViolation) as excinfo:
            hazard.escalate(escalation(level), supervisor(level), NOW)
        assert excinfo.value.rule == "listing-must-rise"
    hazard.escalate(escalation(PROVINCE), supervisor(PROVINCE), NOW)
    snapshot = hazard.snapshot()
    assert snapshot["listing"]["level"] == "province"
    assert [listing["level"] for listing in snapshot["listings"]] == ["city", "province"]


def test_rule_6_delisting_only_after_closing() -> None:
    hazard = listed_major(CITY)
    with pytest.raises(RuleViolation) as excinfo:
        hazard.delist(delisting(), supervisor(CITY), NOW)
    assert excinfo.value.rule == "delist-after-closing"


def test_rule_6_delisting_by_the_listing_level_or_higher() -> None:
    hazard = closed_listed_major(CITY)
    with pytest.raises(Forbidden):
        hazard.delist(delisting(), supervisor(COUNTY), NOW)
    hazard.delist(delisting(), supervisor(PROVINCE), NOW)
    snapshot = hazard.snapshot()
    assert (snapshot["listed"], snapshot["delisting"]["level"]) == (False, "city")
    with pytest.raises(RuleViolation) as excinfo:
        hazard.delist(delisting(), supervisor(PROVINCE), NOW)
    assert excinfo.value.rule == "not-listed"


# Rule 7: overdue comes from the clock, once per deadline; only an approved extension moves it.

END_OF_DEADLINE_DAY = datetime(2024, 7, 31, 16, 0, tzinfo=UTC)  # 2024-08-01 00:00 in Asia/Shanghai


def test_rule_7_overdue_is_recorded_once_after_the_deadline_day_ends_in_shanghai() -> None:
    hazard = rectifying_major()
    assert hazard.mark_overdue(END_OF_DEADLINE_DAY - timedelta(seconds=1)) is False
    assert hazard.mark_overdue(END_OF_DEADLINE_DAY) is True
    assert hazard.mark_overdue(END_OF_DEADLINE_DAY + timedelta(days=3)) is False
    assert event_types(hazard).count("hazard.overdue") == 1
    assert hazard.changes[-1].actor.role == "system"
    assert hazard.snapshot()["overdue"] is True


def test_rule_7_an_extension_moves_the_deadline_and_it_may_pass_again() -> None:
    hazard = rectifying_major()
    hazard.mark_overdue(END_OF_DEADLINE_DAY)
    hazard.extend_deadline(extension(date(2024, 8, 31)), INSPECTOR, END_OF_DEADLINE_DAY)
    assert (hazard.deadline, hazard.overdue) == (date(2024, 8, 31), False)
    assert hazard.mark_overdue(datetime(2024, 8, 31, 15, 59, tzinfo=UTC)) is False  # 23:59 in Shanghai
    assert hazard.mark_overdue(datetime(2024, 8, 31, 16, 0, tzinfo=UTC)) is True


def test_rule_7_editing_the_plan_never_moves_the_deadline() -> None:
    hazard = rectifying_major()
    for deadline in (DEADLINE + timedelta(days=30), DEADLINE - timedelta(days=1)):
        with pytest.raises(RuleViolation) as excinfo:
            hazard.set_plan(plan(deadline=deadline), ENTERPRISE_USER, NOW)
        assert excinfo.value.rule == "deadline-needs-extension"
    hazard.set_plan(plan(measures="改为整体更换"), ENTERPRISE_USER, NOW)
    assert hazard.deadline == DEADLINE


def test_rule_7_an_extension_must_be_later_and_approved_by_an_authority() -> None:
    hazard = rectifying_major()
    with pytest.raises(InvalidInput) as excinfo:
        hazard.extend_deadline(extension(DEADLINE), INSPECTOR, NOW)
    assert excinfo.value.field == "new_deadline"
    with pytest.raises(InvalidInput) as excinfo:
        hazard.extend_deadline(extension(DEADLINE + timedelta(days=1), approved_by=""), INSPECTOR, NOW)
    assert excinfo.value.field == "approved_by"
    with pytest.raises(Forbidden):
        hazard.extend_deadline(extension(DEADLINE + timedelta(days=1)), ENTERPRISE_USER, NOW)


def test_rule_7_a_listing_sets_the_deadline_in_force_and_a_first_plan_may_commit_earlier() -> None:
    hazard = reported()
    hazard.escalate(escalation(CITY, deadline=DEADLINE), supervisor(CITY), NOW)
    assert hazard.deadline == DEADLINE  # the listing authority's deadline governs overdue
    with pytest.raises(RuleViolation) as excinfo:
        hazard.set_plan(plan(deadline=DEADLINE + timedelta(days=1)), ENTERPRISE_USER, NOW)
    assert excinfo.value.rule == "deadline-needs-extension"
    hazard.set_plan(plan(deadline=DEADLINE - timedelta(days=10)), ENTERPRISE_USER, NOW)
    assert hazard.deadline == DEADLINE - timedelta(days=10)
    with pytest.raises(RuleViolation):
        hazard.set_plan(plan(deadline=DEADLINE - timedelta(days=11)), ENTERPRISE_USER, NOW)  # a revision keeps it


def test_rule_7_a_later_listing_moves_the_deadline_and_overdue_follows_it() -> None:
    hazard = rectifying_major()
    hazard.mark_overdue(END_OF_DEADLINE_DAY)
    assert hazard.overdue
    hazard.escalate(escalation(CITY, deadline=DEADLINE + timedelta(days=20)), supervisor(CITY), END_OF_DEADLINE_DAY)
    assert (hazard.deadline, hazard.overdue) == (DEADLINE + timedelta(days=20), False)


def test_rule_7_a_rectified_hazard_is_never_overdue() -> None:
    hazard = rectified_major()
    assert hazard.mark_overdue(END_OF_DEADLINE_DAY + timedelta(days=30)) is False


def test_rule_7_only_the_system_marks_overdue() -> None:
    hazard = rectifying_major()
    with pytest.raises(Forbidden):
        hazard.mark_overdue(END_OF_DEADLINE_DAY, INSPECTOR)
    assert hazard.mark_overdue(END_OF_DEADLINE_DAY, SYSTEM) is True


# Rule 8: the source is kept, so enforcement can exempt a self-reported major hazard being fixed.


def test_rule_8_a_self_reported_major_hazard_being_rectified_is_penalty_exempt() -> None:
    hazard = reported()
    assert hazard.penalty_exempt is False  # reported, no measures taken yet
    hazard.set_plan(plan(), ENTERPRISE_USER, NOW)
    assert hazard.penalty_exempt is True
    assert hazard.snapshot()["source"] == "self_inspection"
    hazard.mark_overdue(END_OF_DEADLINE_DAY)
    assert hazard.penalty_exempt is False  # the fix failed its deadline


def test_rule_8_a_hazard_found_by_a_department_is_not_exempt() -> None:
    hazard = reported(major_report(source=HazardSource.DEPARTMENT_INSPECTION), by=INSPECTOR)
    hazard.set_plan(plan(), ENTERPRISE_USER, NOW)
    assert hazard.penalty_exempt is False


# Rule 9: business times in the future are refused; times are UTC, days are Asia/Shanghai days.


@pytest.mark.parametrize("found_at", [NOW + timedelta(seconds=1), datetime(2024, 6, 1, 8, 0)])
def test_rule_9_a_future_or_naive_business_time_is_refused(found_at: datetime) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        reported(major_report(found_at=found_at))
    assert excinfo.value.field == "found_at"


def test_rule_9_every_business_time_is_checked() -> None:
    hazard = rectifying_major()
    with pytest.raises(InvalidInput) as excinfo:
        hazard.report_rectification(rectification(completed_at=NOW + timedelta(hours=1)), ENTERPRISE_USER, NOW)
    assert excinfo.value.field == "completed_at"
    with pytest.raises(InvalidInput) as excinfo:
        hazard.report_rectification(rectification(completed_at=FOUND_AT - timedelta(1)), ENTERPRISE_USER, NOW)
    assert excinfo.value.field == "completed_at"


def test_rule_9_every_decision_carries_its_business_time() -> None:
    """Plan, extension, reclassification and void are dated by the command (default: now), never in
    the future, never before the hazard was found; the event's time is that business time."""
    decided = FOUND_AT + timedelta(days=2)
    hazard = reported()
    hazard.set_plan(plan(decided_at=decided), ENTERPRISE_USER, NOW)
    hazard.extend_deadline(extension(DEADLINE + timedelta(days=5), approved_at=decided), INSPECTOR, NOW)
    general = reported(general_report(source=HazardSource.DEPARTMENT_INSPECTION), by=INSPECTOR)
    general.reclassify(
        Reclassify(level=HazardLevel.MAJOR, reason="复核", production_halt=ProductionHalt.NONE, decided_at=decided),
        INSPECTOR,
        NOW,
    )
    general.void(Void(reason="重复", decided_at=decided + timedelta(hours=1)), INSPECTOR, NOW)
    for change in (*hazard.changes[1:], *general.changes[1:]):
        data = change.data.model_dump()
        stamp = data.get("decided_at") or data.get("approved_at")
        assert stamp == change.time and stamp.utcoffset() == timedelta(0)
    assert [change.time for change in general.changes[1:]] == [decided, decided + timedelta(hours=1)]
    undated = rectifying_major()
    undated.extend_deadline(extension(DEADLINE + timedelta(days=1)), INSPECTOR, NOW)
    assert undated.changes[-1].time == NOW and undated.changes[-1].data.approved_at == NOW  # type: ignore[attr-defined]


@pytest.mark.parametrize("when", [NOW + timedelta(seconds=1), FOUND_AT - timedelta(seconds=1)])
def test_rule_9_a_decision_in_the_future_or_before_the_finding_is_refused(when: datetime) -> None:
    hazard = reported()
    for command, field in ((plan(decided_at=when), "decided_at"),):
        with pytest.raises(InvalidInput) as excinfo:
            hazard.set_plan(command, ENTERPRISE_USER, NOW)
        assert excinfo.value.field == field
    hazard.set_plan(plan(), ENTERPRISE_USER, NOW)
    with pytest.raises(InvalidInput) as excinfo:
        hazard.extend_deadline(extension(DEADLINE + timedelta(days=1), approved_at=when), INSPECTOR, NOW)
    assert excinfo.value.field == "approved_at"
    with pytest.raises(InvalidInput) as excinfo:
        hazard.void(Void(reason="误报", decided_at=when), INSPECTOR, NOW)
    assert excinfo.value.field == "decided_at"
    assert event_types(hazard) == ["hazard.found", "hazard.plan_set"]  # nothing half-written


def test_rule_9_times_are_stored_in_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    hazard = reported(major_report(found_at=datetime(2024, 6, 10, 9, 30, tzinfo=beijing)))
    assert hazard.snapshot()["found_at"] == "2024-06-10T01:30:00Z"


def test_rule_9_a_deadline_before_the_shanghai_day_of_finding_is_refused() -> None:
    found_at = datetime(2024, 6, 9, 17, 0, tzinfo=UTC)  # 2024-06-10 01:00 in Asia/Shanghai
    with pytest.raises(InvalidInput) as excinfo:
        reported(general_report(found_at=found_at, deadline=date(2024, 6, 9)))
    assert excinfo.value.field == "deadline"
    assert reported(general_report(found_at=found_at, deadline=date(2024, 6, 10))).deadline == date(2024, 6, 10)


# The record: a replayed hazard reads exactly like the one that recorded the events.


def test_a_replayed_hazard_has_the_same_snapshot() -> None:
    hazard = closed_listed_major(CITY)
    hazard.delist(delisting(), supervisor(CITY), NOW)
    replayed = Hazard.replay(hazard.id, history(hazard))
    assert replayed.snapshot() == hazard.snapshot()
    assert replayed.version == hazard.version == 6
