"""The overdue watch: tips undecided past their handling deadline get exactly one `tip.overdue` per
deadline, computed from the clock, never from someone opening the record.

One replica scans at a time (a lease in the service's database); even if two did, the aggregate
records overdue once per deadline and the event store's version check lets only one of two racing
writers commit — the same design as the hazard service's watch.
"""

from __future__ import annotations

import asyncio
import uuid

import structlog

from hl_platform.clock import local_date
from hl_platform.db import Database
from hl_platform.eventstore import ConcurrencyError
from hl_platform.lease import Lease
from hl_tips.application.deps import Deps

log = structlog.get_logger(__name__)


class OverdueWatch:
    def __init__(self, deps: Deps, db: Database, interval: float = 60.0) -> None:
        self.deps = deps
        self.interval = interval
        self.lease = Lease(db, "tip-overdue-watch", f"tips-{uuid.uuid4().hex[:8]}", ttl=max(interval * 3, 10))

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if await self.lease.acquire():
                    await self.scan()
            except Exception as exc:  # the database is away: try again next round
                log.warning("tips.overdue_scan_failed", error=repr(exc))
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
            except TimeoutError:
                pass

    async def scan(self) -> int:
        """Record every overdue that is due now; returns how many were recorded."""
        async with self.deps.uow(write=False) as uow:
            due = await uow.index.due_for_overdue(local_date(self.deps.clock()))
        recorded = 0
        for tip_id in due:
            try:
                recorded += await self._mark(tip_id)
            except ConcurrencyError:
                log.info("tips.overdue_raced", tip_id=tip_id)  # another writer first; the next scan decides
        if recorded:
            self.deps.on_commit()
            log.info("tips.overdue_recorded", count=recorded)
        return recorded

    async def _mark(self, tip_id: str) -> int:
        async with self.deps.uow() as uow:
            tip = await uow.tips.get(tip_id)
            if tip is None or not tip.mark_overdue(self.deps.clock()):
                return 0
            await uow.tips.save(tip)
        return 1
