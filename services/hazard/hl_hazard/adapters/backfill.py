"""The backfill's SQL adapters: the replica read for a whole batch, the hazards written in bulk,
and the items' keys, all in the unit of work's one transaction.

Bulk is where a backfill's speed comes from: the batch's events and outbox rows are each one
executemany (`EventStore.append` takes the events of many new hazards at once: their ids are new,
so no version can clash), their summaries one more, their keys one more.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_hazard.adapters.summaries import save_summaries
from hl_hazard.adapters.tables import backfill_items, enterprise_replica
from hl_hazard.adapters.unit_of_work import SOURCE
from hl_hazard.application.backfill import BackfillKeys, BackfillStore, KeysTaken, TakenKey
from hl_hazard.domain.enterprise import EnterpriseSnapshot, EnterpriseStatus
from hl_hazard.domain.model import Hazard
from hl_platform.eventstore import EventStore
from hl_platform.repository import take_changes
from hl_platform.sql_unit_of_work import SqlUnitOfWorkBase


class SqlBackfill:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.store = EventStore()

    async def enterprises(self, enterprise_ids: Collection[str]) -> dict[str, EnterpriseSnapshot]:
        if not enterprise_ids:
            return {}
        query = select(enterprise_replica).where(enterprise_replica.c.id.in_(sorted(enterprise_ids)))
        return {
            row.id: EnterpriseSnapshot(
                id=row.id,
                name=row.name,
                region_code=row.region_code,
                industry=row.industry,
                status=EnterpriseStatus(row.status),
                blacklisted=row.blacklisted,
            )
            for row in await self.conn.execute(query)
        }

    async def save_all(self, hazards: Sequence[Hazard]) -> None:
        recorded_at = datetime.now(UTC)
        events = [event for hazard in hazards for event in take_changes(hazard, SOURCE, recorded_at)]
        await self.store.append(self.conn, Hazard.aggregate_type, events)
        await save_summaries(self.conn, hazards)


class SqlBackfillKeys:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def taken(self, client_id: str, keys: Collection[str]) -> dict[str, TakenKey]:
        c = backfill_items.c
        query = select(c.item_key, c.hazard_id, c.fingerprint).where(
            c.client_id == client_id, c.item_key.in_(sorted(keys))
        )
        return {row.item_key: TakenKey(row.hazard_id, row.fingerprint) for row in await self.conn.execute(query)}

    async def add(self, client_id: str, keys: Mapping[str, TakenKey]) -> None:
        if not keys:
            return
        now = datetime.now(UTC)
        rows = [
            {
                "client_id": client_id,
                "item_key": key,
                "hazard_id": k.hazard_id,
                "fingerprint": k.fingerprint,
                "created_at": now,
            }
            for key, k in keys.items()
        ]
        try:
            await self.conn.execute(insert(backfill_items), rows)
        except IntegrityError:
            raise KeysTaken() from None


class SqlBackfillUnitOfWork(SqlUnitOfWorkBase):
    """One transaction of the hazard database for one backfill batch."""

    backfill: BackfillStore
    items: BackfillKeys

    def bind(self, conn: AsyncConnection) -> None:
        self.backfill = SqlBackfill(conn)
        self.items = SqlBackfillKeys(conn)
