"""The reminder watch: deadline approaching, the 2nd, 3rd, … overdue notice, acceptance awaited.

The same mechanism as the overdue watch (application/watch.py: a lease, then the aggregate decides
once per occasion), with its own lease so the two jobs may run on different replicas. The rules
of when a reminder is owed are domain/reminders.py's; the schedule comes from the settings.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from hl_hazard.adapters.summaries import due_for_reminders
from hl_hazard.application.service import HazardService
from hl_hazard.application.watch import ClockWatch
from hl_hazard.domain.clock import local_date
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.policies import Principal
from hl_hazard.domain.reminders import ReminderSchedule


class ReminderWatch(ClockWatch):
    name = "reminder-watch"

    def __init__(self, service: HazardService, schedule: ReminderSchedule, interval: float = 60.0) -> None:
        super().__init__(service, interval)
        self.schedule = schedule

    async def due(self, conn: AsyncConnection, now: datetime) -> list[str]:
        return await due_for_reminders(conn, local_date(now), now, self.schedule)

    def decide(self, hazard: Hazard, now: datetime) -> bool:
        return hazard.remind(now, self.schedule, Principal.system())
