"""Jobs on the clock (rule 7): the overdue watch and the reminder watch share this loop.

Each round, the replica holding the job's lease asks the summaries which hazards may be due, then
loads each one and lets the aggregate decide. Exactly once across replicas comes from two layers:
one replica scans at a time (the lease), and even if two did, the aggregate records a fact once
per occasion and the event store's version check lets only one of two racing writers commit.
"""

from __future__ import annotations

import asyncio
import uuid
from abc import ABC, abstractmethod
from datetime import datetime

import structlog

from hl_hazard.application.ports import HazardRows
from hl_hazard.application.service import HazardService
from hl_hazard.domain.model import Hazard
from hl_platform.db import Database
from hl_platform.eventstore import ConcurrencyError
from hl_platform.lease import Lease

log = structlog.get_logger(__name__)


class ClockWatch(ABC):
    """A scan run every `interval` seconds by the one replica that holds the lease `name`."""

    name: str

    def __init__(self, service: HazardService, db: Database, interval: float = 60.0) -> None:
        self.service = service
        self.interval = interval
        self.lease = Lease(db, self.name, f"hazard-{uuid.uuid4().hex[:8]}", ttl=max(interval * 3, 10))

    @abstractmethod
    async def due(self, rows: HazardRows, now: datetime) -> list[str]:
        """Ids of hazards that may be due now (a superset: the aggregate decides)."""

    @abstractmethod
    def decide(self, hazard: Hazard, now: datetime) -> bool:
        """Record on `hazard` what is due at `now`; whether anything was recorded."""

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if await self.lease.acquire():
                    await self.scan()
            except Exception as exc:  # the database is away: try again next round
                log.warning(f"{self.name}.scan_failed", error=repr(exc))
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
            except TimeoutError:
                pass

    async def scan(self) -> int:
        """Record everything due now; returns on how many hazards something was recorded."""
        async with self.service.uow(write=False) as uow:
            due = await self.due(uow.rows, self.service.clock())
        recorded = 0
        for hazard_id in due:
            try:
                recorded += await self._decide_one(hazard_id)
            except ConcurrencyError:
                log.info(f"{self.name}.raced", hazard_id=hazard_id)  # someone else wrote first; next scan decides
        if recorded:
            self.service.on_commit()
            log.info(f"{self.name}.recorded", count=recorded)
        return recorded

    async def _decide_one(self, hazard_id: str) -> int:
        async with self.service.uow() as uow:
            hazard = await uow.hazards.get(hazard_id)
            if hazard is None or not self.decide(hazard, self.service.clock()):
                return 0
            await uow.hazards.save(hazard)
        return 1
