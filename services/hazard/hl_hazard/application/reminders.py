"""The reminder watch: deadline approaching, the 2nd, 3rd, … overdue notice, acceptance awaited.

The same mechanism as the overdue watch (application/watch.py: a lease, then the aggregate decides
once per occasion), with its own lease so the two jobs may run on different replicas. The rules
of when a reminder is owed are domain/reminders.py's; the schedule comes from the settings.
"""

from __future__ import annotations

from datetime import datetime

from hl_hazard.application.ports import HazardRows
from hl_hazard.application.service import HazardService
from hl_hazard.application.watch import ClockWatch
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.policies import Principal
from hl_hazard.domain.reminders import ReminderSchedule
from hl_platform.clock import local_date
from hl_platform.db import Database


class ReminderWatch(ClockWatch):
    name = "reminder-watch"

    def __init__(
        self, service: HazardService, db: Database, schedule: ReminderSchedule, interval: float = 60.0
    ) -> None:
        super().__init__(service, db, interval)
        self.schedule = schedule

    async def due(self, rows: HazardRows, now: datetime) -> list[str]:
        return await rows.due_for_reminders(local_date(now), now, self.schedule)

    def decide(self, hazard: Hazard, now: datetime) -> bool:
        return hazard.remind(now, self.schedule, Principal.system())
