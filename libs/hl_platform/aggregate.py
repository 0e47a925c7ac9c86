"""Event-sourced aggregates: they decide, record events and rebuild themselves from them.

An aggregate never publishes. It appends `Recorded` changes; the repository turns them into
CloudEvents and writes them through the event store (with the outbox) in one transaction.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar, Generic, Self, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import Actor, CloudEvent, EventData
from hl_platform.eventstore import EventStore


@dataclass(frozen=True)
class Recorded:
    data: EventData
    actor: Actor
    time: datetime  # business time of the fact
    version: int


class Aggregate(ABC):
    aggregate_type: ClassVar[str]

    def __init__(self, aggregate_id: str) -> None:
        self.id = aggregate_id
        self.version = 0
        self.changes: list[Recorded] = []

    # Region and industry go on every event (and so into the NATS subject).
    @property
    @abstractmethod
    def region_code(self) -> str: ...

    @property
    @abstractmethod
    def industry(self) -> str: ...

    def apply(self, data: EventData) -> None:
        """Change state for one event. Must not fail: the decision was taken before recording."""
        handler = getattr(self, "when_" + data.event_type.split(".", 1)[1], None)
        if handler is not None:
            handler(data)

    def record(self, data: EventData, *, actor: Actor, time: datetime) -> None:
        self.apply(data)
        self.version += 1
        self.changes.append(Recorded(data, actor, time, self.version))

    @classmethod
    def replay(cls, aggregate_id: str, history: list[CloudEvent]) -> Self:
        aggregate = cls(aggregate_id)
        for event in history:
            aggregate.apply(event.payload())
            aggregate.version = event.sequence
        return aggregate


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
        now = datetime.now(UTC)
        new_events = [
            CloudEvent.create(
                data=change.data,
                service=self.service,
                aggregate_id=aggregate.id,
                sequence=change.version,
                region_code=aggregate.region_code,
                industry=aggregate.industry,
                actor=change.actor,
                time=change.time,
                recorded_at=now,
            )
            for change in aggregate.changes
        ]
        await self.store.append(conn, self.cls.aggregate_type, new_events)
        aggregate.changes.clear()
        return new_events
