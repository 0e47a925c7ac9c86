"""Reminders (domain/reminders.py): what the clock says is owed, once per occasion (rule 7's kin)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hl_contracts.vocabulary import HazardLevel
from hl_hazard.domain import Hazard
from hl_hazard.domain.reminders import ReminderSchedule
from hl_platform.errors import Forbidden
from tests.unit.hazard.builders import (
    DEADLINE,
    ENTERPRISE_USER,
    INSPECTOR,
    NOW,
    acceptance,
    event_types,
    extension,
    general_report,
    history,
    rectification,
    rectified_major,
    rectifying_major,
    reported,
)

SCHEDULE = ReminderSchedule(
    days_before={HazardLevel.GENERAL: 3, HazardLevel.MAJOR: 7}, overdue_notice_days=(7, 14), acceptance_days=5
)
# 10:00 in Asia/Shanghai on the given day
DAY = {n: datetime(2024, 7, 31, 2, 0, tzinfo=UTC) + timedelta(days=n) for n in range(-10, 40)}


def reminders_of(hazard: Hazard) -> list[tuple[str, dict[str, object]]]:
    return [
        (change.data.event_type, change.data.model_dump(mode="json"))
        for change in hazard.changes
        if change.data.event_type
        in ("hazard.deadline_approaching", "hazard.overdue_reminded", "hazard.acceptance_reminded")
    ]


def test_a_major_deadline_is_announced_once_n_days_before_and_again_after_an_extension() -> None:
    hazard = rectifying_major()  # deadline DEADLINE = 2024-07-31
    assert hazard.remind(DAY[-8], SCHEDULE) is False, "8 days before: not yet"
    assert hazard.remind(DAY[-7], SCHEDULE) is True
    assert hazard.remind(DAY[-3], SCHEDULE) is False, "once per deadline"
    assert reminders_of(hazard)[-1][1]["days_left"] == 7
    hazard.extend_deadline(extension(DEADLINE + timedelta(days=20)), INSPECTOR, DAY[-2])
    assert hazard.remind(DAY[12], SCHEDULE) is False
    assert hazard.remind(DAY[13], SCHEDULE) is True
    assert [kind for kind, _ in reminders_of(hazard)] == ["hazard.deadline_approaching"] * 2
    assert hazard.changes[-1].actor.role == "system"


def test_a_general_deadline_uses_its_own_day_count_and_a_passed_deadline_is_not_approaching() -> None:
    hazard = reported(general_report())
    assert hazard.remind(DAY[-4], SCHEDULE) is False
    late = reported(general_report())
    assert late.remind(DAY[1], SCHEDULE) is False, "past the deadline it is overdue, not approaching"
    assert hazard.remind(DAY[0], SCHEDULE) is True
    assert reminders_of(hazard)[0][1]["days_left"] == 0


def test_overdue_notices_follow_the_schedule_after_hazard_overdue() -> None:
    hazard = rectifying_major()
    hazard.remind(DAY[-7], SCHEDULE)
    assert hazard.remind(DAY[8], SCHEDULE) is False, "no hazard.overdue yet: the overdue watch goes first"
    assert hazard.mark_overdue(DAY[1])
    assert hazard.remind(DAY[6], SCHEDULE) is False
    assert hazard.remind(DAY[7], SCHEDULE) is True
    assert hazard.remind(DAY[13], SCHEDULE) is False
    assert hazard.remind(DAY[14], SCHEDULE) is True
    assert hazard.remind(DAY[39], SCHEDULE) is False, "the schedule has two more notices only"
    notices = [data for kind, data in reminders_of(hazard) if kind == "hazard.overdue_reminded"]
    assert [(n["notice"], n["days_overdue"]) for n in notices] == [(2, 7), (3, 14)]


def test_after_a_pause_only_the_latest_notice_due_is_recorded() -> None:
    hazard = rectifying_major()
    hazard.mark_overdue(DAY[1])
    assert hazard.remind(DAY[20], SCHEDULE) is True
    assert hazard.remind(DAY[21], SCHEDULE) is False
    assert [data["notice"] for _, data in reminders_of(hazard)] == [3]


def test_a_rectification_waiting_for_acceptance_is_reminded_once_per_rectification() -> None:
    hazard = rectified_major()  # completed NOW - 2 days
    completed = hazard.rectification.completed_at if hazard.rectification else NOW
    assert hazard.remind(completed + timedelta(days=4), SCHEDULE) is False
    assert hazard.remind(completed + timedelta(days=5), SCHEDULE) is True
    assert hazard.remind(completed + timedelta(days=9), SCHEDULE) is False
    rejected_at = completed + timedelta(days=9)
    hazard.decide_acceptance(acceptance(accepted=False, decided_at=rejected_at), INSPECTOR, rejected_at)
    again = completed + timedelta(days=10)
    hazard.report_rectification(rectification(completed_at=again), ENTERPRISE_USER, again + timedelta(hours=1))
    assert hazard.remind(again + timedelta(days=5), SCHEDULE) is True
    assert [data["days_waiting"] for _, data in reminders_of(hazard)] == [5, 5]


def test_a_closed_or_voided_hazard_is_owed_nothing_and_zero_turns_a_kind_off() -> None:
    closed = rectified_major()
    closed.decide_acceptance(acceptance(), INSPECTOR, NOW)
    assert closed.remind(DAY[30], SCHEDULE) is False
    off = ReminderSchedule(days_before={HazardLevel.MAJOR: 0}, overdue_notice_days=(), acceptance_days=0)
    hazard = rectifying_major()
    hazard.mark_overdue(DAY[1])
    assert not any(hazard.remind(DAY[n], off) for n in (-5, 10, 30))


def test_reminders_survive_a_replay() -> None:
    hazard = rectifying_major()
    hazard.remind(DAY[-7], SCHEDULE)
    hazard.mark_overdue(DAY[1])
    hazard.remind(DAY[7], SCHEDULE)
    replayed = Hazard.replay(hazard.id, history(hazard))
    assert (replayed.approach_reminded_for, replayed.overdue_notices) == (DEADLINE, 2)
    assert replayed.remind(DAY[8], SCHEDULE) is False


def test_only_the_system_records_reminders() -> None:
    with pytest.raises(Forbidden):
        rectifying_major().remind(DAY[-7], SCHEDULE, INSPECTOR)


def test_a_schedule_refuses_notice_days_out_of_order() -> None:
    with pytest.raises(ValueError, match="increasing"):
        ReminderSchedule(overdue_notice_days=(14, 7))
    assert event_types(rectifying_major())[-1] == "hazard.plan_set"
