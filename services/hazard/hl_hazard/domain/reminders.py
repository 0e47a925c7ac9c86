"""Reminders (催办提醒): what the clock says is due on a hazard, beyond overdue itself (rule 7).

Three kinds, each owed once per occasion and decided here from the hazard's state and `now`:
- `hazard.deadline_approaching` — the deadline's day is at most N days away (N per level), the fix
  still owed; once per deadline, so an approved extension earns a new one;
- `hazard.overdue_reminded` — the 2nd, 3rd, … overdue notice, when the hazard has been overdue for
  each of the schedule's day counts (`hazard.overdue` is the 1st); after a pause of the watch only
  the latest notice due is recorded, numbered as the schedule says;
- `hazard.acceptance_reminded` — a reported rectification has waited N days for acceptance; once
  per rectification (a rejected and re-reported fix earns a new one).
Days are Asia/Shanghai calendar days, as for deadlines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from hl_contracts import EventData
from hl_contracts.reminders import HazardAcceptanceReminded, HazardDeadlineApproaching, HazardOverdueReminded
from hl_contracts.vocabulary import HazardLevel, HazardStatus
from hl_hazard.domain.state import OPEN, HazardState
from hl_platform.clock import local_date, utc


@dataclass(frozen=True)
class ReminderSchedule:
    """When reminders fall due. A zero day count (or an empty notice list) turns that kind off."""

    days_before: Mapping[HazardLevel, int] = field(
        default_factory=lambda: {HazardLevel.GENERAL: 3, HazardLevel.MAJOR: 7}
    )
    overdue_notice_days: tuple[int, ...] = (7, 14, 30)  # days overdue for the 2nd, 3rd, 4th notice
    acceptance_days: int = 7

    def __post_init__(self) -> None:
        days = self.overdue_notice_days
        if any(d <= 0 for d in days) or list(days) != sorted(set(days)):
            raise ValueError(f"overdue notice days must be positive and increasing, not {list(days)}")
        if self.acceptance_days < 0 or any(n < 0 for n in self.days_before.values()):
            raise ValueError("reminder day counts cannot be negative")

    @property
    def longest_notice(self) -> int:
        """The most days before a deadline any level is reminded (to bound the scan's query)."""
        return max(self.days_before.values(), default=0)


def owed(hazard: HazardState, now: datetime, schedule: ReminderSchedule) -> EventData | None:
    """The one reminder `hazard` is owed at `now`, or None. The kinds exclude each other by status."""
    return (
        approaching(hazard, now, schedule) or overdue_notice(hazard, now, schedule) or awaiting(hazard, now, schedule)
    )


def approaching(hazard: HazardState, now: datetime, schedule: ReminderSchedule) -> HazardDeadlineApproaching | None:
    deadline, notice = hazard.deadline, schedule.days_before.get(hazard.level, 0)
    if deadline is None or notice <= 0 or hazard.status not in OPEN or hazard.approach_reminded_for == deadline:
        return None
    days_left = (deadline - local_date(now)).days
    if not 0 <= days_left <= notice:
        return None
    return HazardDeadlineApproaching(deadline=deadline, days_left=days_left, detected_at=utc(now))


def overdue_notice(hazard: HazardState, now: datetime, schedule: ReminderSchedule) -> HazardOverdueReminded | None:
    deadline = hazard.deadline
    if deadline is None or hazard.status not in OPEN or hazard.overdue_notified_for != deadline:
        return None  # no hazard.overdue for this deadline yet: the overdue watch comes first
    days_overdue = (local_date(now) - deadline).days
    due = 1 + sum(1 for days in schedule.overdue_notice_days if days_overdue >= days)
    if due <= hazard.overdue_notices:
        return None
    return HazardOverdueReminded(deadline=deadline, notice=due, days_overdue=days_overdue, detected_at=utc(now))


def awaiting(hazard: HazardState, now: datetime, schedule: ReminderSchedule) -> HazardAcceptanceReminded | None:
    fix = hazard.rectification
    if schedule.acceptance_days <= 0 or hazard.status != HazardStatus.RECTIFIED or fix is None:
        return None
    if hazard.acceptance_reminded_for == fix.completed_at:
        return None
    days_waiting = (local_date(now) - local_date(fix.completed_at)).days
    if days_waiting < schedule.acceptance_days:
        return None
    return HazardAcceptanceReminded(completed_at=fix.completed_at, days_waiting=days_waiting, detected_at=utc(now))
