"""The enterprise replica: the enterprises a tip can name, fed by the enterprise stream.

A tipster names an enterprise by uscc or by name; the tip then takes the enterprise's region and
industry (and bureaus see it under that enterprise). Lookups never call the enterprise service.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent
from hl_contracts.enterprise import EnterpriseRegistered, EnterpriseUpdated
from hl_tips.adapters.tables import enterprise_replica
from hl_tips.application.ports import EnterpriseRecord
from hl_tips.domain.duplicates import normalize

REPLICATED = ("name", "region_code", "industry")


class EnterpriseReplicaProjection:
    """A consumer's projection (runs in its transaction, each enterprise's events in order)."""

    async def apply(self, conn: AsyncConnection, event: CloudEvent) -> None:
        data = event.payload()
        now = datetime.now(UTC)
        row = enterprise_replica.c.id == event.subject
        if isinstance(data, EnterpriseRegistered):
            values = {"name": data.name, "region_code": data.region_code, "industry": data.industry}
            await conn.execute(
                insert(enterprise_replica).values(
                    id=event.subject,
                    uscc=data.uscc,
                    name_key=normalize(data.name),
                    active=True,
                    updated_at=now,
                    **values,
                )
            )
        elif isinstance(data, EnterpriseUpdated):
            changes = {key: value for key, value in data.changes.items() if key in REPLICATED}
            if "name" in changes:
                changes["name_key"] = normalize(str(changes["name"]))
            if changes:
                await conn.execute(update(enterprise_replica).where(row).values(**changes, updated_at=now))
        elif event.type == "enterprise.closed":
            await conn.execute(update(enterprise_replica).where(row).values(active=False, updated_at=now))


def _record(row: Row[Any]) -> EnterpriseRecord:
    fields = row._mapping
    return EnterpriseRecord(
        id=fields["id"],
        uscc=fields["uscc"],
        name=fields["name"],
        region_code=fields["region_code"],
        industry=fields["industry"],
        active=fields["active"],
    )


class SqlEnterprises:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def by_id(self, enterprise_id: str) -> EnterpriseRecord | None:
        row = (
            await self.conn.execute(select(enterprise_replica).where(enterprise_replica.c.id == enterprise_id))
        ).one_or_none()
        return _record(row) if row is not None else None

    async def resolve(self, uscc: str, name: str, region_code: str) -> EnterpriseRecord | None:
        c = enterprise_replica.c
        if uscc:
            query = select(enterprise_replica).where(c.uscc == uscc)
        elif name and (key := normalize(name)):
            query = select(enterprise_replica).where(
                c.name_key == key, c.region_code.startswith(region_code, autoescape=True)
            )
        else:
            return None
        rows = (await self.conn.execute(query.limit(2))).all()
        return _record(rows[0]) if len(rows) == 1 else None
