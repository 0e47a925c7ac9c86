"""Idempotency keys in a writing service's own database, written in the transaction of the
write they stand for: the key is stored if and only if the write is (see `idempotency.py`).

`Once.write` runs a unit of work at most once per key. The key's row is inserted *before* the
work, so that on PostgreSQL a concurrent twin (the same key, another connection) waits on the
row's unique index until the first commits, then reads the first answer instead of doing the
work again (or failing on the aggregate's version). SQLite's one writer serialises the twins.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import structlog
from sqlalchemy import JSON, Column, Index, MetaData, String, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_platform.db import Database, UTCDateTime
from hl_platform.errors import Conflict
from hl_platform.idempotency import IdempotencyKeyReused, RequestKey

log = structlog.get_logger(__name__)
Result = dict[str, Any]  # JSON-ready: what the service answered
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


DEFAULT_TTL = timedelta(hours=24)
TWIN_ATTEMPTS = 3


def idempotency_table(metadata: MetaData) -> Table:
    """The `idempotency_keys` table in a service's metadata (each service migrates its own)."""
    return Table(
        "idempotency_keys",
        metadata,
        Column("client_id", String(200), primary_key=True),
        Column("key", String(255), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("result", JSON, nullable=True),  # null only inside the transaction doing the work
        Column("created_at", UTCDateTime, nullable=False),
        Column("expires_at", UTCDateTime, nullable=False),
        Index("ix_idempotency_keys_expires", "expires_at"),
    )


class KeyTaken(Exception):
    """A concurrent request with the same key committed first: read its answer."""


class Written(NamedTuple):
    """A write's answer, and whether it is the remembered answer of an earlier request."""

    result: Result
    replayed: bool = False


@dataclass
class IdempotencyLedger:
    table: Table
    ttl: timedelta = DEFAULT_TTL
    clock: Clock = _now

    def _where(self, key: RequestKey) -> Any:
        return (self.table.c.client_id == key.client_id) & (self.table.c.key == key.key)

    async def claim(self, conn: AsyncConnection, key: RequestKey) -> Result | None:
        """The remembered result of `key`, or None after claiming it for this transaction.
        `IdempotencyKeyReused` if it stood for another request; `KeyTaken` if a twin won."""
        t, now = self.table, self.clock()
        row = (await conn.execute(select(t.c.fingerprint, t.c.result, t.c.expires_at).where(self._where(key)))).first()
        if row is not None and row.expires_at > now:
            if row.fingerprint != key.fingerprint:
                raise IdempotencyKeyReused()
            return dict(row.result)
        if row is not None:  # expired: the key is free again
            await conn.execute(delete(t).where(self._where(key)))
        values = {"client_id": key.client_id, "key": key.key, "fingerprint": key.fingerprint}
        try:
            await conn.execute(insert(t).values(**values, created_at=now, expires_at=now + self.ttl))
        except IntegrityError:
            raise KeyTaken() from None
        return None

    async def complete(self, conn: AsyncConnection, key: RequestKey, result: Result) -> None:
        await conn.execute(update(self.table).where(self._where(key)).values(result=result))

    async def purge(self, db: Database) -> int:
        """Forget expired keys; the number forgotten."""
        async with db.write() as conn:
            outcome = await conn.execute(delete(self.table).where(self.table.c.expires_at <= self.clock()))
        return int(outcome.rowcount or 0)


Work = Callable[[AsyncConnection], Awaitable[Result]]


@dataclass
class Once:
    """A service's writes, each in one transaction with its Idempotency-Key (when it has one)."""

    db: Database
    ledger: IdempotencyLedger

    async def write(self, key: RequestKey | None, work: Work) -> Written:
        for _ in range(TWIN_ATTEMPTS):
            try:
                return await self._attempt(key, work)
            except KeyTaken:
                continue  # the twin has committed: the next attempt reads its answer
        # Only if each twin's answer expired meanwhile, three times over: let the client retry.
        raise Conflict("a request with this Idempotency-Key is being processed; retry")

    async def _attempt(self, key: RequestKey | None, work: Work) -> Written:
        async with self.db.write() as conn:
            if key is not None and (earlier := await self.ledger.claim(conn, key)) is not None:
                return Written(earlier, replayed=True)
            result = await work(conn)
            if key is not None:
                await self.ledger.complete(conn, key, result)
        return Written(result)


PURGE_EVERY_S = 600.0


async def purge_expired(
    ledger: IdempotencyLedger, db: Database, stop: asyncio.Event, every_s: float = PURGE_EVERY_S
) -> None:
    """A service's background job: forget expired keys now and then, until `stop`."""
    while not stop.is_set():
        with contextlib.suppress(Exception):  # a busy or absent database: the next round will do
            if purged := await ledger.purge(db):
                log.info("idempotency.purged", keys=purged)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)
