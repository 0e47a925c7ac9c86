"""The enterprise replica: the enterprise events this service needs, kept as one row each.

A hazard may only be reported for an enterprise this replica knows and that is not closed; the
region and industry stamped on every hazard event come from here, not from a synchronous call.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent
from hl_contracts.enterprise import EnterpriseRegistered, EnterpriseUpdated
from hl_hazard.adapters.tables import enterprise_replica
from hl_hazard.domain.enterprise import EnterpriseSnapshot, EnterpriseStatus

REPLICATED_FIELDS = ("name", "region_code", "industry")


class EnterpriseReplicaProjection:
    async def apply(self, conn: AsyncConnection, event: CloudEvent) -> None:
        data = event.payload()
        now = datetime.now(UTC)
        row = enterprise_replica.c.id == event.subject
        if isinstance(data, EnterpriseRegistered):
            await conn.execute(
                insert(enterprise_replica).values(
                    id=event.subject,
                    name=data.name,
                    region_code=data.region_code,
                    industry=data.industry,
                    status=EnterpriseStatus.ACTIVE.value,
                    blacklisted=False,
                    updated_at=now,
                )
            )
        elif isinstance(data, EnterpriseUpdated):
            changes = {k: v for k, v in data.changes.items() if k in REPLICATED_FIELDS}
            if changes:
                await conn.execute(update(enterprise_replica).where(row).values(**changes, updated_at=now))
        elif event.type == "enterprise.closed":
            await conn.execute(
                update(enterprise_replica).where(row).values(status=EnterpriseStatus.CLOSED.value, updated_at=now)
            )
        elif event.type in ("enterprise.blacklisted", "enterprise.blacklist_lifted"):
            blacklisted = event.type == "enterprise.blacklisted"
            await conn.execute(update(enterprise_replica).where(row).values(blacklisted=blacklisted, updated_at=now))


# Built once (every report reads it): SQLAlchemy then reuses its compiled form from the cache.
_BY_ID = select(enterprise_replica).where(enterprise_replica.c.id == bindparam("enterprise_id"))


async def enterprise_snapshot(conn: AsyncConnection, enterprise_id: str) -> EnterpriseSnapshot | None:
    row = (await conn.execute(_BY_ID, {"enterprise_id": enterprise_id})).one_or_none()
    if row is None:
        return None
    return EnterpriseSnapshot(
        id=row.id,
        name=row.name,
        region_code=row.region_code,
        industry=row.industry,
        status=EnterpriseStatus(row.status),
        blacklisted=row.blacklisted,
    )
