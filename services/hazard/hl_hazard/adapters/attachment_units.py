"""The hazard store as the evidence handlers use it: one SQL transaction per unit, in which the
hazard's events (with their outbox rows and summary) and the `hazard_attachments` rows are
written together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_hazard.adapters.tables import hazard_attachments
from hl_hazard.application.evidence_ports import StoredAttachment
from hl_hazard.application.service import HazardService
from hl_hazard.domain.model import Hazard
from hl_platform.errors import NotFound
from hl_platform.identity import Caller
from hl_platform.sql import in_chunks


class SqlHazardUnit:
    def __init__(self, conn: AsyncConnection, hazards: HazardService) -> None:
        self.conn = conn
        self.hazards = hazards

    async def visible(self, caller: Caller, hazard_id: str) -> Hazard:
        hazard = await self.hazards.repository.get(self.conn, hazard_id)
        if hazard is None or not caller.sees(hazard.region_code, hazard.enterprise_id):
            raise NotFound(f"no hazard {hazard_id}")
        hazard.rules = self.hazards.rules
        return hazard

    async def save(self, hazard: Hazard) -> None:
        await self.hazards.save(self.conn, hazard)

    async def add(self, stored: StoredAttachment, at: datetime) -> None:
        row = {"attachment_id": stored.attachment_id, "hazard_id": stored.hazard_id, "object_key": stored.object_key}
        await self.conn.execute(insert(hazard_attachments).values(**row, added_at=at, promoted_at=None))

    async def stored(self, attachment_ids: list[str]) -> dict[str, StoredAttachment]:
        t = hazard_attachments.c
        found: dict[str, StoredAttachment] = {}
        for chunk in in_chunks(attachment_ids):
            query = select(t.attachment_id, t.hazard_id, t.object_key, t.promoted_at).where(t.attachment_id.in_(chunk))
            for row in await self.conn.execute(query):
                found[row.attachment_id] = StoredAttachment(
                    row.attachment_id, row.hazard_id, row.object_key, row.promoted_at is not None
                )
        return found

    async def mark_promoted(self, attachment_id: str, at: datetime) -> None:
        t = hazard_attachments.c
        query = update(hazard_attachments).where(t.attachment_id == attachment_id, t.promoted_at.is_(None))
        await self.conn.execute(query.values(promoted_at=at))


class SqlHazardUnits:
    """`HazardUnits` on the service's database, sharing the hazard service's repository and rules."""

    def __init__(self, hazards: HazardService) -> None:
        self.hazards = hazards

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqlHazardUnit]:
        async with self.hazards.db.write() as conn:
            yield SqlHazardUnit(conn, self.hazards)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqlHazardUnit]:
        async with self.hazards.db.read() as conn:
            yield SqlHazardUnit(conn, self.hazards)
