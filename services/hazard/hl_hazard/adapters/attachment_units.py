"""The hazard store as the evidence handlers use it: one SQL unit of work per unit, in which the
hazard's events (with their outbox rows and summary) and the `hazard_attachments` rows are
written together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_hazard.adapters.tables import hazard_attachments
from hl_hazard.adapters.unit_of_work import SqlUnitOfWork
from hl_hazard.application.evidence_ports import StoredAttachment
from hl_hazard.application.service import HazardService
from hl_hazard.domain.model import Hazard
from hl_platform.identity import Caller
from hl_platform.sql import in_chunks


class SqlHazardUnit:
    def __init__(self, uow: SqlUnitOfWork, hazards: HazardService) -> None:
        self.uow = uow
        self.conn: AsyncConnection = uow.conn
        self.hazards = hazards

    async def visible(self, caller: Caller, hazard_id: str) -> Hazard:
        return await self.hazards.visible(self.uow, caller, hazard_id)

    async def save(self, hazard: Hazard) -> None:
        await self.uow.hazards.save(hazard)

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
    """`HazardUnits` on the hazard service's SQL units of work, sharing its scope and rules."""

    def __init__(self, hazards: HazardService) -> None:
        self.hazards = hazards

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqlHazardUnit]:
        async with self._begin(write=True) as uow:
            yield SqlHazardUnit(uow, self.hazards)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqlHazardUnit]:
        async with self._begin(write=False) as uow:
            yield SqlHazardUnit(uow, self.hazards)

    def _begin(self, *, write: bool) -> SqlUnitOfWork:
        uow = self.hazards.uow(write=write)
        if not isinstance(uow, SqlUnitOfWork):  # attachment rows need the SQL transaction itself
            raise TypeError(f"the evidence store needs the SQL unit of work, not {type(uow).__name__}")
        return uow
