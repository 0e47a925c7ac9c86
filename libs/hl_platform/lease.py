"""Leases in the service's own database: the one replica that may run a singular job.

A compare-and-set on one row works the same on SQLite and PostgreSQL and needs no extra
infrastructure. A holder renews well inside the time-to-live; a crashed holder's lease expires and
another replica takes over.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from hl_platform.db import Database
from hl_platform.tables import leases


class Lease:
    def __init__(self, db: Database, name: str, holder: str, ttl: float = 10.0) -> None:
        self.db = db
        self.name = name
        self.holder = holder
        self.ttl = timedelta(seconds=ttl)

    async def acquire(self) -> bool:
        """Take or renew the lease; True while this holder has it."""
        now = datetime.now(UTC)
        try:
            async with self.db.write() as conn:
                row = (await conn.execute(select(leases).where(leases.c.name == self.name))).one_or_none()
                if row is None:
                    await conn.execute(
                        insert(leases).values(name=self.name, holder=self.holder, expires_at=now + self.ttl)
                    )
                    return True
                if row.holder != self.holder and row.expires_at > now:
                    return False
                result = await conn.execute(
                    update(leases)
                    .where(
                        leases.c.name == self.name, leases.c.holder == row.holder, leases.c.expires_at == row.expires_at
                    )
                    .values(holder=self.holder, expires_at=now + self.ttl)
                )
                return result.rowcount == 1
        except IntegrityError:  # another replica inserted the row first
            return False

    async def release(self) -> None:
        async with self.db.write() as conn:
            await conn.execute(
                update(leases)
                .where(leases.c.name == self.name, leases.c.holder == self.holder)
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
