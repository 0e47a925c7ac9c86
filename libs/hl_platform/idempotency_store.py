"""Idempotency keys in a writing service's own database, written in the transaction of the
write they stand for: the key is stored if and only if the write is (see `idempotency.py`).

`hl_platform.unit_of_work.write_once` runs a unit of work at most once per key, through the
ledger bound to the unit's transaction (`KeysInTransaction`). The key's row is inserted *before*
the work, so that on PostgreSQL a concurrent twin (the same key, another connection) waits on the
row's unique index until the first commits, then reads the first answer instead of doing the
work again (or failing on the aggregate's version). SQLite's one writer serialises the twins.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import JSON, Column, Index, MetaData, String, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_platform.db import Database, UTCDateTime
from hl_platform.idempotency import IdempotencyKeyReused, KeyTaken, RequestKey, Result, Written

__all__ = [
    "DEFAULT_TTL",
    "IdempotencyLedger",
    "KeyTaken",
    "KeysInTransaction",
    "Written",
    "idempotency_table",
    "purge_expired",
]
log = structlog.get_logger(__name__)
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


DEFAULT_TTL = timedelta(hours=24)


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


@dataclass(frozen=True)
class KeysInTransaction:
    """The ledger bound to one transaction: the `KeyLedger` a unit of work offers its handlers."""

    conn: AsyncConnection
    ledger: IdempotencyLedger

    async def claim(self, key: RequestKey) -> Result | None:
        return await self.ledger.claim(self.conn, key)

    async def complete(self, key: RequestKey, result: Result) -> None:
        await self.ledger.complete(self.conn, key, result)


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
