"""The overdue watch (rule 7): hazards past their deadline get exactly one `hazard.overdue` per
deadline, computed from the clock, never from someone opening the record.

One replica scans at a time (a lease); even if two did, the aggregate records overdue once per
deadline and the event store's version check lets only one of two racing writers commit.
"""

from __future__ import annotations

import asyncio
import uuid

import structlog

from hl_hazard.adapters.summaries import due_for_overdue
from hl_hazard.application.service import HazardService
from hl_hazard.domain.clock import local_date
from hl_hazard.domain.policies import Principal
from hl_platform.eventstore import ConcurrencyError
from hl_platform.lease import Lease

log = structlog.get_logger(__name__)


class OverdueWatch:
    def __init__(self, service: HazardService, interval: float = 60.0) -> None:
        self.service = service
        self.interval = interval
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
            if hazard is None or not hazard.mark_overdue(self.service.clock(), Principal.system()):
                return 0
            await self.service.save(conn, hazard)
        return 1
