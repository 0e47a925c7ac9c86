"""API keys in the gateway's database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from hl_gateway.adapters.tables import api_keys as t
from hl_gateway.domain.credentials import Identity, StoredKey
from hl_platform.db import Database
from hl_platform.errors import Conflict


def _row(key: StoredKey) -> dict[str, Any]:
    identity = key.identity
    return {
        "id": key.id,
        "key_hash": key.key_hash,
        "prefix": key.prefix,
        **identity.model_dump(),
        "created_at": key.created_at,
        "created_by": key.created_by,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
    }


def _key(row: Any) -> StoredKey:
    identity = Identity.model_construct(
        **{name: getattr(row, name) for name in Identity.model_fields}  # stored values were validated
    )
    return StoredKey(
        id=row.id,
        key_hash=row.key_hash,
        prefix=row.prefix,
        identity=identity,
        created_at=row.created_at,
        created_by=row.created_by,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class SqlKeyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, key: StoredKey) -> None:
        try:
            async with self.db.write() as conn:
                await conn.execute(insert(t).values(**_row(key)))
        except IntegrityError as exc:  # the same key (hash) twice: only a provisioning race gets here
            raise Conflict("this API key exists already") from exc

    async def by_hash(self, key_hash: str) -> StoredKey | None:
        async with self.db.read() as conn:
            row = (await conn.execute(select(t).where(t.c.key_hash == key_hash))).first()
        return _key(row) if row else None

    async def get(self, key_id: str) -> StoredKey | None:
        async with self.db.read() as conn:
            row = (await conn.execute(select(t).where(t.c.id == key_id))).first()
        return _key(row) if row else None

    async def page(self, region_prefix: str, after_id: str | None, limit: int, revoked: bool) -> list[StoredKey]:
        """Keys in a region (by id, i.e. oldest first), active only unless `revoked`."""
        query = select(t).where(t.c.region_code.startswith(region_prefix, autoescape=True)).order_by(t.c.id)
        if after_id:
            query = query.where(t.c.id > after_id)
        if not revoked:
            query = query.where(t.c.revoked_at.is_(None))
        async with self.db.read() as conn:
            rows = (await conn.execute(query.limit(limit))).all()
        return [_key(row) for row in rows]

    async def revoke(self, key_id: str, at: datetime) -> None:
        async with self.db.write() as conn:
            await conn.execute(update(t).where(t.c.id == key_id, t.c.revoked_at.is_(None)).values(revoked_at=at))

    async def touch(self, key_id: str, at: datetime) -> None:
        async with self.db.write() as conn:
            await conn.execute(update(t).where(t.c.id == key_id).values(last_used_at=at))
