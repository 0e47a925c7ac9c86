"""The SQL unit of work: one transaction of the reporting database and the read stores in it.

`write=True` opens a write transaction (committed when the block ends, rolled back if it raises);
`write=False` a read, for the queries. Every store works on the transaction's one connection, so
a submission's table is computed from the same snapshot it is stored in. Reporting keeps no
Idempotency-Keys (a second submission is a 409): its unit is the platform's `SqlTransaction`
without the key ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from hl_platform.db import Database
from hl_platform.sql_unit_of_work import SqlTransaction
from hl_reporting.adapters import listings, submission_store
from hl_reporting.adapters.bucket_reads import read_sums
from hl_reporting.adapters.late_fact_reads import facts_after
from hl_reporting.application.late_facts import LateFact, Window
from hl_reporting.application.pages import CursorPage
from hl_reporting.application.ports import (
    Buckets,
    LateFacts,
    LedgerQuery,
    Listings,
    Scope,
    ScopeSums,
    Submissions,
    SupervisionQuery,
)
from hl_reporting.application.regions import RegionTree
from hl_reporting.application.views import Submission
from hl_reporting.domain.listings import LedgerItem, ListedHazard


class SqlBuckets:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def sums(self, scope: Scope) -> ScopeSums:
        return await read_sums(self.conn, scope)


class SqlListings:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def supervision(
        self, query: SupervisionQuery, catalogue: RegionTree | None = None
    ) -> CursorPage[ListedHazard]:
        return await listings.supervision_list(self.conn, query, catalogue)

    async def ledger(self, query: LedgerQuery) -> CursorPage[LedgerItem]:
        return await listings.hazard_ledger(self.conn, query)


class SqlSubmissions:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def find(self, period: str, region_code: str, industry: str | None) -> Submission | None:
        return await submission_store.find(self.conn, period, region_code, industry)

    async def by_id(self, submission_id: str) -> Submission | None:
        return await submission_store.by_id(self.conn, submission_id)

    async def add(self, submission: Submission) -> None:
        await submission_store.add(self.conn, submission)

    async def page(
        self, *, period: str, region_prefix: str, industry: str | None, cursor: str | None, limit: int
    ) -> CursorPage[Submission]:
        return await submission_store.page(
            self.conn, period=period, region_prefix=region_prefix, industry=industry, cursor=cursor, limit=limit
        )

    async def of_regions(self, period: str, region_codes: list[str]) -> list[Submission]:
        return await submission_store.of_regions(self.conn, period, region_codes)

    async def submitted_at(self, period: str, codes: tuple[str, ...], known_at: datetime) -> dict[str, datetime]:
        return await submission_store.submitted_at(self.conn, period, codes, known_at)


class SqlLateFacts:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def after(self, window: Window, moment: datetime) -> tuple[list[LateFact], int]:
        return await facts_after(self.conn, window, moment)


class SqlUnitOfWork(SqlTransaction):
    buckets: Buckets
    listings: Listings
    submissions: Submissions
    late_facts: LateFacts

    def bind(self, conn: AsyncConnection) -> None:
        self.buckets = SqlBuckets(conn)
        self.listings = SqlListings(conn)
        self.submissions = SqlSubmissions(conn)
        self.late_facts = SqlLateFacts(conn)


class SqlUnitsOfWork:
    """The `UnitOfWorkFactory`: units of work on the active generation's database, looked up for
    each unit (a rebuild switches it: `application/generations.py`)."""

    def __init__(self, database: Callable[[], Database]) -> None:
        self.database = database

    def __call__(self, *, write: bool = True) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.database(), write=write)
