"""Event-sourced aggregates: they decide, record events and rebuild themselves from them.

An aggregate never publishes. It appends `Recorded` changes; the repository
(`hl_platform.repository`) turns them into CloudEvents and writes them through the event store
(with the outbox) in one transaction. Pure: this module loads no database or telemetry code, so a
service's domain that builds on it stays free of I/O (tests/unit/test_pure_domains.py).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Self

from hl_contracts import Actor, CloudEvent, EventData


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


class LocatedAggregate(Aggregate):
    """An aggregate that stays where it was first recorded (a hazard, a tip).

    Region and industry are envelope attributes, not event data: a replay takes them from the
    first event's envelope; a new aggregate is `locate`d before it records anything.
    """

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self._region_code = ""
        self._industry = ""

    @classmethod
    def replay(cls, aggregate_id: str, history: list[CloudEvent]) -> Self:
        aggregate = super().replay(aggregate_id, history)
        if history:
            aggregate.locate(history[0].regioncode, history[0].industry)
        return aggregate

    def locate(self, region_code: str, industry: str) -> None:
        """Fix where the aggregate is; it stays there for its whole life."""
        self._region_code = region_code
        self._industry = industry

    @property
    def region_code(self) -> str:
        return self._region_code

    @property
    def industry(self) -> str:
        return self._industry
