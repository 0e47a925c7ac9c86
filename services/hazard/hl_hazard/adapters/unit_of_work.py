"""The SQL unit of work: one transaction of the hazard database and the adapters that work in it.

`write=True` opens a write transaction (committed when the block ends, rolled back if it raises);
`write=False` a read, for queries. Every adapter works on the transaction's one connection, so a
hazard's events, outbox rows, summary row and Idempotency-Key record commit together or not at all.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent
from hl_hazard.adapters.enterprise_replica import enterprise_snapshot
from hl_hazard.adapters.summaries import due_for_overdue, due_for_reminders, list_page, save_summary
from hl_hazard.application.ports import Enterprises, HazardFilters, HazardRepository, HazardRows
from hl_hazard.domain.enterprise import EnterpriseSnapshot
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.reminders import ReminderSchedule
from hl_platform.db import Database
from hl_platform.eventstore import EventStore
from hl_platform.idempotency_store import IdempotencyLedger, KeysInTransaction
from hl_platform.repository import Repository
from hl_platform.unit_of_work import KeyLedger

# The events' `source` names their context (`/hazard-ledger/hazard`).
SOURCE = "hazard"


class SqlHazards:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.repository: Repository[Hazard] = Repository(Hazard, SOURCE, EventStore())

    async def get(self, hazard_id: str) -> Hazard | None:
        return await self.repository.get(self.conn, hazard_id)

    async def history(self, hazard_id: str) -> list[CloudEvent]:
        return await self.repository.store.load(self.conn, hazard_id)

    async def save(self, hazard: Hazard) -> None:
        await self.repository.save(self.conn, hazard)
        await save_summary(self.conn, hazard)


class SqlEnterprises:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def by_id(self, enterprise_id: str) -> EnterpriseSnapshot | None:
        return await enterprise_snapshot(self.conn, enterprise_id)


class SqlHazardRows:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def page(
        self, filters: HazardFilters, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        return await list_page(self.conn, filters, cursor, limit)

    async def due_for_overdue(self, today: date) -> list[str]:
        return await due_for_overdue(self.conn, today)

    async def due_for_reminders(self, today: date, now: datetime, schedule: ReminderSchedule) -> list[str]:
        return await due_for_reminders(self.conn, today, now, schedule)


class SqlUnitOfWork:
    hazards: HazardRepository
    enterprises: Enterprises
    rows: HazardRows
    keys: KeyLedger
    conn: AsyncConnection  # for adapters that write their own rows in the same transaction

    def __init__(self, db: Database, ledger: IdempotencyLedger, *, write: bool = True) -> None:
        self.db = db
        self.ledger = ledger
        self.write = write
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> Self:
        self.conn = await self._stack.enter_async_context(self.db.write() if self.write else self.db.read())
        self.hazards = SqlHazards(self.conn)
        self.enterprises = SqlEnterprises(self.conn)
        self.rows = SqlHazardRows(self.conn)
        self.keys = KeysInTransaction(self.conn, self.ledger)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self._stack.__aexit__(kind, error, trace)


class SqlUnitsOfWork:
    """The `UnitOfWorkFactory` on the service's database and its idempotency ledger."""

    def __init__(self, db: Database, ledger: IdempotencyLedger) -> None:
        self.db = db
        self.ledger = ledger

    def __call__(self, *, write: bool = True) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.db, self.ledger, write=write)
