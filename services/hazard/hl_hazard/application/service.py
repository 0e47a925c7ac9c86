"""The hazard service's use cases: each loads, decides, and saves in one transaction.

Scope: the caller's region (and, for an enterprise user, its enterprise) bounds what it can see;
a hazard outside it is "not found", never "forbidden", so its existence does not leak.

A write given an Idempotency-Key stores it in its transaction (`hl_platform.idempotency_store`):
a retry with the same key gets the first write's result, whatever crashed in between.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hl_api.hazards import HazardCreate
from hl_contracts.vocabulary import ListingLevel
from hl_hazard.adapters.enterprise_replica import enterprise_snapshot
from hl_hazard.adapters.summaries import HazardFilters, list_page, save_summary
from hl_hazard.adapters.tables import idempotency_keys
from hl_hazard.domain.commands import Command, ReportHazard
from hl_hazard.domain.evidence import EvidenceRules
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.policies import Principal
from hl_platform.repository import Repository
from hl_platform.db import Database
from hl_platform.errors import NotFound, PreconditionFailed, RuleViolation
from hl_platform.eventstore import EventStore
from hl_platform.idempotency import RequestKey
from hl_platform.idempotency_store import IdempotencyLedger, Once, Written
from hl_platform.identity import Caller
from hl_platform.ids import new_id

Clock = Callable[[], datetime]


def principal_of(caller: Caller) -> Principal:
    return Principal(
        actor=caller.actor,
        level=ListingLevel(caller.level) if caller.level else None,
        region_code=caller.region_code,
        enterprise_id=caller.enterprise_id,
    )


class HazardService:
    def __init__(
        self,
        db: Database,
        on_commit: Callable[[], None] = lambda: None,
        clock: Clock | None = None,
        ledger: IdempotencyLedger | None = None,
        rules: EvidenceRules | None = None,
    ) -> None:
        self.db = db
        self.rules = rules or EvidenceRules()  # the evidence rules the city chose
        self.repository: Repository[Hazard] = Repository(Hazard, "hazard", EventStore())
        self.on_commit = on_commit
        self.clock = clock or (lambda: datetime.now(UTC))
        self.once = Once(db, ledger or IdempotencyLedger(idempotency_keys))

    async def report(self, caller: Caller, body: HazardCreate, key: RequestKey | None = None) -> Written:
        command = ReportHazard(**body.model_dump())

        async def work(conn: AsyncConnection) -> dict[str, Any]:
            enterprise = await enterprise_snapshot(conn, body.enterprise_id)
            if enterprise is None:  # 409, not 404: a new registration may still be on its way here
                raise RuleViolation(
                    "enterprise-unknown",
                    f"enterprise {body.enterprise_id} is not registered (or not yet known to the hazard service)",
                    {"enterprise_id": body.enterprise_id},
                )
            if not caller.sees(enterprise.region_code, enterprise.id):
                raise NotFound(f"no enterprise {body.enterprise_id} in your scope")
            hazard = Hazard.report(new_id(), command, enterprise, principal_of(caller), self.clock())
            await self.save(conn, hazard)
            return hazard.snapshot()

        return await self._write(key, work)

    async def execute(
        self, caller: Caller, hazard_id: str, command: Command, if_match: int | None, key: RequestKey | None = None
    ) -> Written:
        """A command on a hazard. A retry with its key answers as the first time (If-Match too:
        the version it named was current then)."""

        async def work(conn: AsyncConnection) -> dict[str, Any]:
            hazard = await self._load_visible(conn, caller, hazard_id)
            if if_match is not None and if_match != hazard.version:
                raise PreconditionFailed(
                    f"hazard {hazard_id} is at version {hazard.version}, not {if_match}", current_version=hazard.version
                )
            hazard.execute(command, principal_of(caller), self.clock())
            await self.save(conn, hazard)
            return hazard.snapshot()

        return await self._write(key, work)

    async def _write(
        self, key: RequestKey | None, work: Callable[[AsyncConnection], Awaitable[dict[str, Any]]]
    ) -> Written:
        written = await self.once.write(key, work)
        if not written.replayed:
            self.on_commit()
        return written

    async def get(self, caller: Caller, hazard_id: str) -> dict[str, Any]:
        async with self.db.read() as conn:
            return (await self._load_visible(conn, caller, hazard_id)).snapshot()

    async def history(self, caller: Caller, hazard_id: str) -> list[dict[str, Any]]:
        async with self.db.read() as conn:
            await self._load_visible(conn, caller, hazard_id)
            events = await self.repository.store.load(conn, hazard_id)
        return [
            {
                "version": e.sequence,
                "event_id": e.id,
                "type": e.type,
                "occurred_at": e.time,
                "recorded_at": e.recordedtime,
                "actor": e.actor.model_dump(),
                "data": e.data,
            }
            for e in events
        ]

    async def list(
        self, caller: Caller, filters: HazardFilters, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        scope = caller.region_code
        if filters.region_code.startswith(scope):
            scoped = filters
        elif scope.startswith(filters.region_code):
            scoped = HazardFilters(**{**filters.__dict__, "region_code": scope})
        else:
            return [], None
        if caller.role == "enterprise":
            scoped = HazardFilters(**{**scoped.__dict__, "enterprise_id": caller.enterprise_id})
        async with self.db.read() as conn:
            return await list_page(conn, scoped, cursor, limit)

    async def _load_visible(self, conn: AsyncConnection, caller: Caller, hazard_id: str) -> Hazard:
        hazard = await self.repository.get(conn, hazard_id)
        if hazard is None or not caller.sees(hazard.region_code, hazard.enterprise_id):
            raise NotFound(f"no hazard {hazard_id}")
        hazard.rules = self.rules
        return hazard

    async def save(self, conn: AsyncConnection, hazard: Hazard) -> None:
        await self.repository.save(conn, hazard)
        await save_summary(conn, hazard)
