"""The SQL unit of work: one transaction of the hazard database and the adapters that work in it.

`write=True` opens a write transaction (committed when the block ends, rolled back if it raises);
`write=False` a read, for queries. Every adapter works on the transaction's one connection, so a
hazard's events, outbox rows, summary row and Idempotency-Key record commit together or not at all.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent
from hl_hazard.adapters.enterprise_replica import enterprise_snapshot
from hl_hazard.adapters.summaries import due_for_overdue, due_for_reminders, list_page, save_summary
from hl_hazard.application.ports import Enterprises, HazardFilters, HazardRepository, HazardRows
from hl_hazard.domain.enterprise import EnterpriseSnapshot
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.reminders import ReminderSchedule
from hl_platform.eventstore import EventStore
from hl_platform.repository import Repository
from hl_platform.sql_unit_of_work import SqlUnitOfWorkBase

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


class SqlUnitOfWork(SqlUnitOfWorkBase):
    hazards: HazardRepository
    enterprises: Enterprises
    rows: HazardRows

    def bind(self, conn: AsyncConnection) -> None:
        self.hazards = SqlHazards(conn)
        self.enterprises = SqlEnterprises(conn)
        self.rows = SqlHazardRows(conn)
