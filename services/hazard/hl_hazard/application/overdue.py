"""The overdue watch (rule 7): hazards past their deadline get exactly one `hazard.overdue` per
deadline, computed from the clock, never from someone opening the record.

One replica scans at a time (a lease); even if two did, the aggregate records overdue once per
deadline and the event store's version check lets only one of two racing writers commit.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from hl_contracts import Actor
from hl_contracts.vocabulary import HazardLevel, ListingLevel
from hl_hazard.adapters.summaries import due_for_overdue
from hl_hazard.application.service import HazardService
from hl_hazard.domain.clock import local_date
from hl_hazard.domain.commands import Escalate
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.policies import Principal
from hl_platform.eventstore import ConcurrencyError
from hl_platform.lease import Lease

log = structlog.get_logger(__name__)


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


class OverdueWatch:
    def __init__(
        self, service: HazardService, interval: float = 60.0, escalation: EscalationPolicy | None = None
    ) -> None:
        self.service = service
        self.interval = interval
        self.escalation = escalation
        self.lease = Lease(service.db, "overdue-watch", f"hazard-{uuid.uuid4().hex[:8]}", ttl=max(interval * 3, 10))

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if await self.lease.acquire():
                    await self.scan()
            except Exception as exc:  # the database is away: try again next round
                log.warning("overdue.scan_failed", error=repr(exc))
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
            except TimeoutError:
                pass

    async def scan(self) -> int:
        """Record every overdue that is due now; returns how many were recorded."""
        now = self.service.clock()
        async with self.service.db.read() as conn:
            due = await due_for_overdue(conn, local_date(now))
        recorded = 0
        for hazard_id in due:
            try:
                recorded += await self._mark(hazard_id)
            except ConcurrencyError:
                log.info("overdue.raced", hazard_id=hazard_id)  # someone else wrote first; next scan decides
        if recorded:
            self.service.on_commit()
            log.info("overdue.recorded", count=recorded)
        return recorded

    async def _mark(self, hazard_id: str) -> int:
        async with self.service.db.write() as conn:
            hazard = await self.service.repository.get(conn, hazard_id)
            now = self.service.clock()
            if hazard is None or not hazard.mark_overdue(now, Principal.system()):
                return 0
            if self.escalation is not None and self._should_escalate(hazard):
                hazard.escalate(self._escalation(now), self.escalation.principal(), now)
            await self.service.save(conn, hazard)
        return 1

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
