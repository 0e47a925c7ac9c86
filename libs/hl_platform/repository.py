"""The repository of event-sourced aggregates: loads one by replaying its events, saves its new
events through the event store (with their outbox rows) in the caller's transaction.

Beside the event store rather than beside `Aggregate`: an aggregate is pure domain, its storage is not.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent
from hl_platform.aggregate import Aggregate
from hl_platform.eventstore import EventStore

A = TypeVar("A", bound=Aggregate)


class Repository(Generic[A]):
    """Loads aggregates by replay and saves their new events through the store."""

    def __init__(self, cls: type[A], service: str, store: EventStore | None = None) -> None:
        self.cls = cls
        self.service = service
        self.store = store or EventStore()

    async def get(self, conn: AsyncConnection, aggregate_id: str) -> A | None:
        history = await self.store.load(conn, aggregate_id)
        return self.cls.replay(aggregate_id, history) if history else None

    async def save(self, conn: AsyncConnection, aggregate: A) -> list[CloudEvent]:
        new_events = take_changes(aggregate, self.service, datetime.now(UTC))
        await self.store.append(conn, self.cls.aggregate_type, new_events)
        return new_events


def take_changes(aggregate: Aggregate, service: str, recorded_at: datetime | None = None) -> list[CloudEvent]:
    """The aggregate's recorded changes as the events that publish them; the changes are taken
    (cleared), so saving twice appends nothing twice. Fakes of a repository use it too."""
    events = [
        CloudEvent.create(
            data=change.data,
            service=service,
            aggregate_id=aggregate.id,
            sequence=change.version,
            region_code=aggregate.region_code,
            industry=aggregate.industry,
            actor=change.actor,
            time=change.time,
            recorded_at=recorded_at,
        )
        for change in aggregate.changes
    ]
    aggregate.changes.clear()
    return events
