"""The SQL unit of work: one transaction of the enterprise database and the adapters that work in it.

`write=True` opens a write transaction (committed when the block ends, rolled back if it raises);
`write=False` a read, for queries. Every adapter works on the transaction's one connection, so an
enterprise's events, outbox rows, directory row and Idempotency-Key record commit together.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent
from hl_enterprise.adapters.directory import id_by_uscc, list_page, save_entry
from hl_enterprise.application.ports import Directory, EnterpriseFilters, EnterpriseRepository, UsccTaken
from hl_enterprise.domain.model import Enterprise
from hl_platform.repository import Repository
from hl_platform.sql_unit_of_work import SqlUnitOfWorkBase

# The events' `source` names their context (`/hazard-ledger/enterprise`).
SOURCE = "enterprise"


class SqlEnterprises:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.repository: Repository[Enterprise] = Repository(Enterprise, SOURCE)

    async def get(self, enterprise_id: str) -> Enterprise | None:
        return await self.repository.get(self.conn, enterprise_id)

    async def history(self, enterprise_id: str) -> list[CloudEvent]:
        return await self.repository.store.load(self.conn, enterprise_id)

    async def save(self, enterprise: Enterprise) -> None:
        await self.repository.save(self.conn, enterprise)
        try:
            await save_entry(self.conn, enterprise)
        except IntegrityError as exc:  # the directory's unique uscc: a concurrent registration won
            raise UsccTaken(enterprise.uscc) from exc


class SqlDirectory:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def id_by_uscc(self, uscc: str) -> str | None:
        return await id_by_uscc(self.conn, uscc)

    async def page(
        self, filters: EnterpriseFilters, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        return await list_page(self.conn, filters, cursor, limit)


class SqlUnitOfWork(SqlUnitOfWorkBase):
    enterprises: EnterpriseRepository
    directory: Directory

    def bind(self, conn: AsyncConnection) -> None:
        self.enterprises = SqlEnterprises(conn)
        self.directory = SqlDirectory(conn)
