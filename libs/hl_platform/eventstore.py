"""The append-only event store with its transactional outbox.

`append` writes the events and their outbox rows in the caller's transaction, so an event is
stored if and only if it will be published (never "commit, then publish"). The unique
(aggregate_id, version) constraint turns a lost race between two writers into `ConcurrencyError`.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry import propagate
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent, subject_for
from hl_platform.tables import events, outbox


class ConcurrencyError(Exception):
    """Another writer appended to the aggregate first; reload and decide again."""

    def __init__(self, aggregate_id: str, expected_version: int) -> None:
        super().__init__(f"aggregate {aggregate_id} changed concurrently (expected version {expected_version})")
        self.aggregate_id = aggregate_id
        self.expected_version = expected_version


def _is_version_conflict(exc: IntegrityError) -> bool:
    text = str(exc.orig)
    return "uq_events_aggregate_version" in text or "events.aggregate_id, events.version" in text


# Built once: SQLAlchemy then finds their compiled form in its cache without building them again.
_INSERT_EVENTS = insert(events)
_INSERT_OUTBOX = insert(outbox)


class EventStore:
    async def append(self, conn: AsyncConnection, aggregate_type: str, new_events: Sequence[CloudEvent]) -> None:
        """Append events of one aggregate (consecutive versions) and queue them for publishing."""
        if not new_events:
            return
        headers: dict[str, str] = {}
        propagate.inject(headers)  # the request's trace continues through NATS to the consumers
        event_rows, outbox_rows = [], []
        for event in new_events:
            envelope = event.to_json().decode()
            event_rows.append(
                {
                    "event_id": event.id,
                    "aggregate_type": aggregate_type,
                    "aggregate_id": event.subject,
                    "version": event.sequence,
                    "event_type": event.type,
                    "occurred_at": event.time,
                    "recorded_at": event.recordedtime,
                    "envelope": envelope,
                }
            )
            outbox_rows.append(
                {
                    "event_id": event.id,
                    "subject": subject_for(event.type, event.regioncode),
                    "payload": envelope,
                    "headers": headers,
                    "created_at": event.recordedtime,
                    "attempts": 0,
                }
            )
        first = new_events[0]
        try:
            await conn.execute(_INSERT_EVENTS, event_rows)
        except IntegrityError as exc:
            if _is_version_conflict(exc):
                raise ConcurrencyError(first.subject, first.sequence - 1) from exc
            raise
        await conn.execute(_INSERT_OUTBOX, outbox_rows)

    async def load(self, conn: AsyncConnection, aggregate_id: str) -> list[CloudEvent]:
        rows = await conn.execute(
            select(events.c.envelope).where(events.c.aggregate_id == aggregate_id).order_by(events.c.version)
        )
        return [CloudEvent.from_json(envelope) for (envelope,) in rows]

    async def version(self, conn: AsyncConnection, aggregate_id: str) -> int:
        result = await conn.scalar(select(func.max(events.c.version)).where(events.c.aggregate_id == aggregate_id))
        return int(result or 0)
