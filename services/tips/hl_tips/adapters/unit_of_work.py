"""The SQL unit of work: one transaction of the tips database and the adapters that write in it.

`write=True` opens a write transaction (committed when the block ends, rolled back if it raises);
`write=False` a read, for queries. Every adapter works on the transaction's one connection, so a
tip's events, outbox rows, summary, sealed identity, credentials and idempotency record commit
together or not at all.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import delete, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent
from hl_platform.cursors import decode_cursor, encode_cursor
from hl_platform.db import Database
from hl_platform.eventstore import EventStore
from hl_platform.repository import Repository
from hl_platform.sql import dialect_insert
from hl_tips.adapters.enterprise_replica import SqlEnterprises
from hl_tips.adapters.master_key import MasterKey
from hl_tips.adapters.tables import idempotency_records, tip_credentials, tip_summaries
from hl_tips.adapters.vault import SqlVault
from hl_tips.application.ports import (
    Credential,
    Credentials,
    DuplicateRequest,
    Enterprises,
    Filters,
    IdempotencyRecord,
    IdempotencyRecords,
    IdentityVault,
    TipIndex,
    TipRepository,
)
from hl_tips.application.views import officer_view
from hl_tips.domain.duplicates import Candidate, normalize
from hl_tips.domain.model import Tip

# The events' `source` names their context (`/hazard-ledger/tip`), as every context's does: consumers
# check that a context's events come from its own source, on its own stream.
SOURCE = "tip"
_UPDATED_ON_SAVE = ("version", "status", "reward_status", "overdue", "overdue_deadline", "view")


class SqlTips:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.repository: Repository[Tip] = Repository(Tip, SOURCE, EventStore())

    async def get(self, tip_id: str) -> Tip | None:
        return await self.repository.get(self.conn, tip_id)

    async def history(self, tip_id: str) -> list[CloudEvent]:
        return await self.repository.store.load(self.conn, tip_id)

    async def save(self, tip: Tip, facts_key: str | None = None) -> None:
        await self.repository.save(self.conn, tip)
        assert tip.filed_at is not None
        reward = tip.reward_status
        row = {
            "id": tip.id,
            "version": tip.version,
            "tracking_number": tip.filed.tracking_number,
            "region_code": tip.region_code,
            "category": tip.filed.category.value,
            "status": tip.status.value,
            "reward_status": reward.value if reward else None,
            "anonymous": tip.filed.anonymous,
            "facts_key": facts_key,
            "facts": normalize(tip.filed.description),
            "filed_at": tip.filed_at,
            "deadline": tip.deadline,
            "overdue": tip.overdue,
            "overdue_deadline": tip.overdue_notified_for,
            "view": officer_view(tip).model_dump(mode="json"),
        }
        stmt = dialect_insert(self.conn.dialect, tip_summaries).values(row)
        upsert = stmt.on_conflict_do_update(
            index_elements=[tip_summaries.c.id], set_={name: stmt.excluded[name] for name in _UPDATED_ON_SAVE}
        )
        await self.conn.execute(upsert)


class SqlCredentials:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, credential: Credential) -> bool:
        stmt = dialect_insert(self.conn.dialect, tip_credentials).values(
            tip_id=credential.tip_id,
            tracking_number=credential.tracking_number,
            secret_hash=credential.secret_hash,
            updated_at=datetime.now(UTC),
        )
        result = await self.conn.execute(stmt.on_conflict_do_nothing())
        return bool(result.rowcount)

    async def find(self, tracking_number: str) -> Credential | None:
        c = tip_credentials.c
        row = (
            await self.conn.execute(select(tip_credentials).where(c.tracking_number == tracking_number))
        ).one_or_none()
        return Credential(row.tip_id, row.tracking_number, row.secret_hash) if row is not None else None

    async def replace_secret(self, tip_id: str, secret_hash: str) -> None:
        c = tip_credentials.c
        await self.conn.execute(
            tip_credentials.update()
            .where(c.tip_id == tip_id)
            .values(secret_hash=secret_hash, updated_at=datetime.now(UTC))
        )


class SqlIndex:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def lock_facts(self, facts_key: str) -> None:
        # SQLite has one writer at a time already; PostgreSQL serialises per enterprise for the transaction.
        if self.conn.dialect.name == "postgresql":
            await self.conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": facts_key})

    async def candidates(self, facts_key: str, since: datetime) -> list[Candidate]:
        c = tip_summaries.c
        query = select(c.id, c.tracking_number, c.category, c.facts, c.filed_at).where(
            c.facts_key == facts_key, c.filed_at >= since, c.status.in_(("filed", "handling", "verified"))
        )
        return [Candidate(*row) for row in await self.conn.execute(query)]

    async def page(self, filters: Filters, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
        c = tip_summaries.c
        query = select(c.id, c.view).where(c.region_code.startswith(filters.region_code, autoescape=True))
        for column, value in (
            (c.status, filters.status),
            (c.category, filters.category),
            (c.overdue, filters.overdue),
            (c.reward_status, filters.reward_status),
        ):
            if value is not None:
                query = query.where(column == value)
        if cursor:
            query = query.where(c.id < decode_cursor(cursor))
        rows = (await self.conn.execute(query.order_by(c.id.desc()).limit(limit + 1))).all()
        page = rows[:limit]
        return [row.view for row in page], encode_cursor(page[-1].id) if len(rows) > limit and page else None

    async def due_for_overdue(self, today: Any, limit: int = 500) -> list[str]:
        c = tip_summaries.c
        query = (
            select(c.id)
            .where(c.status.in_(("filed", "handling")), c.deadline < today)
            .where(c.overdue_deadline.is_(None) | (c.overdue_deadline != c.deadline))
            .limit(limit)
        )
        return list((await self.conn.scalars(query)).all())


class SqlIdempotency:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, client_id: str, key_hash: str) -> IdempotencyRecord | None:
        t = idempotency_records
        row = (
            await self.conn.execute(select(t).where(t.c.client_id == client_id, t.c.key_hash == key_hash))
        ).one_or_none()
        if row is None:
            return None
        return IdempotencyRecord(row.client_id, row.key_hash, row.fingerprint, row.tip_id, row.response, row.expires_at)

    async def put(self, record: IdempotencyRecord, now: datetime) -> None:
        t = idempotency_records
        key = (t.c.client_id == record.client_id) & (t.c.key_hash == record.key_hash)
        await self.conn.execute(delete(t).where(key, t.c.expires_at <= now))
        values = {**record.__dict__, "created_at": now}
        try:
            async with self.conn.begin_nested():
                await self.conn.execute(insert(t).values(values))
        except IntegrityError as exc:
            raise DuplicateRequest(record.key_hash) from exc


class SqlUnitOfWork:
    tips: TipRepository
    vault: IdentityVault
    credentials: Credentials
    enterprises: Enterprises
    index: TipIndex
    idempotency: IdempotencyRecords

    def __init__(self, db: Database, master: MasterKey, *, write: bool = True) -> None:
        self.db = db
        self.master = master
        self.write = write
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> Self:
        conn = await self._stack.enter_async_context(self.db.write() if self.write else self.db.read())
        self.tips = SqlTips(conn)
        self.vault = SqlVault(conn, self.master)
        self.credentials = SqlCredentials(conn)
        self.enterprises = SqlEnterprises(conn)
        self.index = SqlIndex(conn)
        self.idempotency = SqlIdempotency(conn)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self._stack.__aexit__(kind, error, trace)
