"""Rebuilding the read models from the streams (for the CLI that replays them).

`reset_read_models` empties every read model (never the submitted reports) and forgets what the
reporting consumers applied, in one transaction; `replay` then feeds events through the same
ordered, idempotent path the live consumers use, so a replay may repeat or reorder deliveries.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable

from nats.js import JetStreamContext
from sqlalchemy import delete

from hl_contracts import CloudEvent
from hl_platform.consumer import ConsumerRunner
from hl_platform.db import Database
from hl_platform.tables import consumer_progress, pending_events
from hl_reporting.adapters.projection import ENTERPRISE_CONSUMER, HAZARD_CONSUMER, consumer_runners
from hl_reporting.adapters.tables import READ_MODELS

REPORTING_CONSUMERS = (HAZARD_CONSUMER, ENTERPRISE_CONSUMER)
# progress(step, done, total): `total` is None when the number of steps is not known in advance
Progress = Callable[[str, int, int | None], None]


def _ignore(step: str, done: int, total: int | None) -> None:
    return None


async def reset_read_models(db: Database, progress: Progress = _ignore) -> None:
    """Empty the read models and the reporting consumers' progress, in one transaction."""
    steps = [*READ_MODELS, consumer_progress, pending_events]
    async with db.write() as conn:
        for done, table in enumerate(steps, start=1):
            if table in READ_MODELS:
                await conn.execute(delete(table))
            else:
                await conn.execute(delete(table).where(table.c.consumer.in_(REPORTING_CONSUMERS)))
            progress(f"truncate {table.name}", done, len(steps))


def _no_jetstream() -> JetStreamContext:
    raise RuntimeError("a replay reads events from its caller, not from JetStream")


def replay_runners(db: Database) -> dict[str, ConsumerRunner]:
    """The reporting consumers by context ("hazard", "enterprise"), for applying events by hand."""
    return consumer_runners(db, _no_jetstream)


async def replay(
    db: Database, events: AsyncIterable[CloudEvent], *, batch_size: int = 500, progress: Progress = _ignore
) -> int:
    """Apply `events` (both streams, any interleaving) in batches of one transaction; returns the count."""
    runners = replay_runners(db)
    batch: list[CloudEvent] = []
    done = 0
    async for event in events:
        batch.append(event)
        if len(batch) >= batch_size:
            done += await _apply_batch(db, runners, batch)
            progress("replay", done, None)
            batch = []
    if batch:
        done += await _apply_batch(db, runners, batch)
        progress("replay", done, None)
    return done


async def _apply_batch(db: Database, runners: dict[str, ConsumerRunner], batch: list[CloudEvent]) -> int:
    by_context: dict[str, list[CloudEvent]] = {}
    for event in batch:
        by_context.setdefault(event.type.split(".", 1)[0], []).append(event)
    async with db.write() as conn:
        for context, events in by_context.items():
            if context in runners:
                await runners[context].apply_events(conn, events)
    return len(batch)
