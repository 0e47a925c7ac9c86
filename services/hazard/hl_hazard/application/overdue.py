"""The overdue watch (rule 7): hazards past their deadline get exactly one `hazard.overdue` per
deadline, computed from the clock, never from someone opening the record.

One replica scans at a time (a lease); even if two did, the aggregate records overdue once per
deadline and the event store's version check lets only one of two racing writers commit
(application/watch.py). The reminders that follow an overdue are application/reminders.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hl_contracts import Actor
from hl_contracts.vocabulary import HazardLevel, ListingLevel
from hl_hazard.application.ports import HazardRows
from hl_hazard.application.service import HazardService
from hl_hazard.application.watch import ClockWatch
from hl_hazard.domain.commands import Escalate
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.policies import Principal
from hl_platform.clock import local_date
from hl_platform.db import Database


@dataclass(frozen=True)
class EscalationPolicy:
    """Optional (off by default): list overdue major hazards at `level`, on the authority's behalf.

    The supervising government delegates this decision by configuration; its events name the
    policy as the actor, so the audit trail shows that no person listed the hazard.
    """

    level: ListingLevel
    authority: str
    days_to_rectify: int = 30

    def principal(self) -> Principal:
        actor = Actor(
            id="system:overdue-escalation", name=self.authority, role="supervisor", organisation=self.authority
        )
        return Principal(actor=actor, level=self.level)


class OverdueWatch(ClockWatch):
    name = "overdue-watch"

    def __init__(
        self,
        service: HazardService,
        db: Database,
        interval: float = 60.0,
        escalation: EscalationPolicy | None = None,
    ) -> None:
        super().__init__(service, db, interval)
        self.escalation = escalation

    async def due(self, rows: HazardRows, now: datetime) -> list[str]:
        return await rows.due_for_overdue(local_date(now))

    def decide(self, hazard: Hazard, now: datetime) -> bool:
        if not hazard.mark_overdue(now, Principal.system()):
            return False
        if self.escalation is not None and self._should_escalate(hazard):
            hazard.escalate(self._escalation(now), self.escalation.principal(), now)
        return True

    def _should_escalate(self, hazard: Hazard) -> bool:
        assert self.escalation is not None
        listing = hazard.listing
        higher = listing is None or ListingLevel(listing.level).rank < self.escalation.level.rank
        return hazard.level == HazardLevel.MAJOR and higher

    def _escalation(self, now: datetime) -> Escalate:
        assert self.escalation is not None
        return Escalate(
            level=self.escalation.level,
            authority=self.escalation.authority,
            reason="逾期未整改，按配置自动挂牌督办",
            deadline=local_date(now) + timedelta(days=self.escalation.days_to_rectify),
            escalated_at=now,
        )
