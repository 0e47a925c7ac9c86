"""Reminder events of the hazard context (催办提醒): facts the clock produced, not a person.

They tell integrators and the people responsible that something is due: a deadline is near, a
hazard is still overdue (the 2nd, 3rd, … notice after `hazard.overdue`), a reported rectification
still waits for acceptance. Each is recorded once per occasion, by the hazard service's clock watch;
they change no figure of the dispatch table (a projection that does not know them skips them).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from hl_contracts.registry import REGISTRY, EventData


@REGISTRY.register
class HazardDeadlineApproaching(EventData):
    """The rectification deadline is near and the fix is still owed (临期提醒); once per deadline."""

    event_type = "hazard.deadline_approaching"
    deadline: date
    days_left: int = Field(ge=0, description="whole days from today (Asia/Shanghai) to the deadline's day")
    detected_at: datetime


@REGISTRY.register
class HazardOverdueReminded(EventData):
    """The hazard is still overdue: the 2nd, 3rd, … overdue notice (逾期催办); once per notice and deadline.

    The 1st notice is `hazard.overdue` itself.
    """

    event_type = "hazard.overdue_reminded"
    deadline: date
    notice: int = Field(ge=2, description="which notice this is; the first was hazard.overdue")
    days_overdue: int = Field(ge=1, description="whole days since the deadline's day ended (Asia/Shanghai)")
    detected_at: datetime


@REGISTRY.register
class HazardAcceptanceReminded(EventData):
    """A reported rectification has waited too long for acceptance (待验收提醒); once per rectification."""

    event_type = "hazard.acceptance_reminded"
    completed_at: datetime = Field(description="the rectification that waits (its completed_at)")
    days_waiting: int = Field(ge=1, description="whole days since the rectification's day (Asia/Shanghai)")
    detected_at: datetime
