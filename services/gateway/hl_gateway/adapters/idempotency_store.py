"""Idempotency records in the gateway's database (shared by every gateway replica)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from hl_gateway.adapters.tables import idempotency_records as t
from hl_gateway.domain.idempotency import Record
from hl_gateway.domain.reply import Reply
from hl_platform.db import Database
from hl_platform.sql import dialect_insert


def _record(row: Any) -> Record:
    reply = None if row.status is None else Reply(row.status, dict(row.headers or {}), bytes(row.body or b""))
    return Record(row.client_id, row.key, row.fingerprint, row.created_at, row.expires_at, reply)


class SqlIdempotencyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _where(self, client_id: str, key: str) -> Any:
        return (t.c.client_id == client_id) & (t.c.key == key)

    async def get(self, client_id: str, key: str) -> Record | None:
        async with self.db.read() as conn:
            row = (await conn.execute(select(t).where(self._where(client_id, key)))).first()
        return _record(row) if row else None

    async def claim(self, record: Record, replacing: Record | None) -> bool:
        values = {
            "client_id": record.client_id,
            "key": record.key,
            "fingerprint": record.fingerprint,
            "created_at": record.created_at,
            "expires_at": record.expires_at,
        }
        try:
            async with self.db.write() as conn:
                if replacing is not None:  # only the very record we judged stale, not a newer claim
                    stale = self._where(record.client_id, record.key) & (t.c.created_at == replacing.created_at)
                    await conn.execute(delete(t).where(stale))
                await conn.execute(insert(t).values(**values))
        except IntegrityError:
            return False
        return True

    async def complete(self, client_id: str, key: str, reply: Reply) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                update(t)
                .where(self._where(client_id, key))
                .values(status=reply.status, headers=reply.headers, body=reply.body)
            )

    async def remember(self, record: Record) -> None:
        assert record.response is not None
        reply = record.response
        values = {
            "fingerprint": record.fingerprint,
            "status": reply.status,
            "headers": reply.headers,
            "body": reply.body,
            "created_at": record.created_at,
            "expires_at": record.expires_at,
        }
        async with self.db.write() as conn:
            stmt = dialect_insert(conn.dialect, t).values(client_id=record.client_id, key=record.key, **values)
            await conn.execute(stmt.on_conflict_do_update(index_elements=[t.c.client_id, t.c.key], set_=values))

    async def release(self, client_id: str, key: str) -> None:
        async with self.db.write() as conn:
            await conn.execute(delete(t).where(self._where(client_id, key) & t.c.status.is_(None)))

    async def purge(self, now: datetime) -> int:
        async with self.db.write() as conn:
            result = await conn.execute(delete(t).where(t.c.expires_at <= now))
        return int(result.rowcount or 0)
