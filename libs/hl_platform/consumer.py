"""Durable JetStream pull consumers that apply events to a database exactly once.

For each fetched batch: one database transaction applies every event and records, per aggregate,
the version applied; the messages are acked only after the commit. Hence:
- a duplicate (version ≤ applied) is skipped;
- an event ahead of its predecessor (version n+2 before n+1) is held in `pending_events` and
  applied as soon as the gap fills, so nothing is lost or applied twice;
- several replicas may share one durable consumer: the per-aggregate progress row is locked, so
  two replicas never apply the same aggregate's events concurrently;
- a batch that fails is retried one event at a time, so a poison event is isolated, redelivered
  with back-off, and after `max_deliver` tries parked in `dead_letters` and terminated.
Ordered consumers must receive every event type of an aggregate (filter by context or region,
never by event type) or versions would be missing for ever.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

import structlog
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent
from hl_platform.db import Database
from hl_platform.metrics import CONSUMER_APPLIED, CONSUMER_BATCH_SECONDS, CONSUMER_PARKED
from hl_platform.nats_io import ConsumerSpec, ensure_consumer
from hl_platform.tables import consumer_progress, dead_letters, pending_events

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("hl_platform.consumer")


class Projection(Protocol):
    """Something that turns events into rows. `apply` runs inside the consumer's transaction."""

    async def apply(self, conn: AsyncConnection, event: CloudEvent) -> None: ...


class ConsumerRunner:
    def __init__(
        self,
        db: Database,
        js: Callable[[], JetStreamContext],
        spec: ConsumerSpec,
        projection: Projection,
        *,
        batch_size: int = 200,
        fetch_timeout: float = 1.0,
        on_batch: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self.db = db
        self.js = js
        self.spec = spec
        self.name = spec.durable
        self.projection = projection
        self.batch_size = batch_size
        self.fetch_timeout = fetch_timeout
        self.on_batch = on_batch

    async def provision(self) -> None:
        await ensure_consumer(self.js(), self.spec)

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.2
        subscription = None
        while not stop.is_set():
            try:
                if subscription is None:
                    await self.provision()
                    subscription = await self.js().pull_subscribe_bind(self.spec.durable, self.spec.stream)
                try:
                    msgs = await subscription.fetch(self.batch_size, timeout=self.fetch_timeout)
                except (TimeoutError, NatsTimeoutError):
                    continue
                await self.handle_batch(msgs)
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS away, database locked: pause, then resume where we were
                log.warning("consumer.retry", consumer=self.name, error=repr(exc), retry_in=backoff)
                subscription = None
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def handle_batch(self, msgs: list[Msg]) -> None:
        started = time.perf_counter()
        parsed: list[tuple[Msg, CloudEvent]] = []
        for msg in msgs:
            try:
                parsed.append((msg, CloudEvent.from_json(msg.data)))
            except ValueError as exc:  # not a CloudEvent at all: no retry will fix it
                await self._park(msg, None, f"unreadable envelope: {exc}")
        try:
            async with self.db.write() as conn:
                for msg, event in parsed:
                    await self._apply_traced(conn, msg, event)
        except Exception as exc:
            log.warning("consumer.batch_failed", consumer=self.name, size=len(parsed), error=repr(exc))
            for msg, event in parsed:
                await self._handle_one(msg, event)
        else:
            for msg, _ in parsed:
                await msg.ack()
        CONSUMER_BATCH_SECONDS.labels(self.name).observe(time.perf_counter() - started)
        if self.on_batch is not None:
            await self.on_batch(len(msgs))

    async def _handle_one(self, msg: Msg, event: CloudEvent) -> None:
        try:
            async with self.db.write() as conn:
                await self._apply_traced(conn, msg, event)
        except Exception as exc:
            deliveries = msg.metadata.num_delivered
            if deliveries >= self.spec.max_deliver:
                await self._park(msg, event, repr(exc))
            else:
                delay = self.spec.backoff[min(deliveries, len(self.spec.backoff)) - 1] if self.spec.backoff else None
                log.warning(
                    "consumer.nak", consumer=self.name, event_id=event.id, deliveries=deliveries, error=repr(exc)
                )
                await msg.nak(delay=delay)
            return
        await msg.ack()

    async def _apply_traced(self, conn: AsyncConnection, msg: Msg, event: CloudEvent) -> None:
        parent = propagate.extract(dict(msg.headers or {}))
        with tracer.start_as_current_span(f"process {event.type}", context=parent, kind=SpanKind.CONSUMER) as span:
            span.set_attribute("messaging.system", "nats")
            span.set_attribute("messaging.consumer.group.name", self.name)
            span.set_attribute("messaging.message.id", event.id)
            outcome = await self.apply_in_order(conn, event)
            span.set_attribute("hl.outcome", outcome)
        CONSUMER_APPLIED.labels(self.name, outcome).inc()

    async def apply_in_order(self, conn: AsyncConnection, event: CloudEvent) -> str:
        """Apply `event` (and any held successors) unless already applied. Returns the outcome."""
        applied = await self._lock_progress(conn, event.subject)
        if event.sequence <= applied:
            return "duplicate"
        if event.sequence > applied + 1:
            await self._hold(conn, event)
            return "held"
        await self.projection.apply(conn, event)
        version = event.sequence
        while (successor := await self._take_pending(conn, event.subject, version + 1)) is not None:
            await self.projection.apply(conn, successor)
            version += 1
        await conn.execute(
            update(consumer_progress)
            .where(consumer_progress.c.consumer == self.name, consumer_progress.c.aggregate_id == event.subject)
            .values(version=version, updated_at=datetime.now(UTC))
        )
        return "applied"

    async def _lock_progress(self, conn: AsyncConnection, aggregate_id: str) -> int:
        key = and_(consumer_progress.c.consumer == self.name, consumer_progress.c.aggregate_id == aggregate_id)
        query = select(consumer_progress.c.version).where(key)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        version = await conn.scalar(query)
        if version is not None:
            return int(version)
        try:
            async with conn.begin_nested():
                await conn.execute(
                    insert(consumer_progress).values(
                        consumer=self.name, aggregate_id=aggregate_id, version=0, updated_at=datetime.now(UTC)
                    )
                )
        except IntegrityError:  # another replica created it first; now wait for its lock
            pass
        return int(await conn.scalar(query) or 0)

    async def _hold(self, conn: AsyncConnection, event: CloudEvent) -> None:
        exists = await conn.scalar(
            select(pending_events.c.version).where(
                pending_events.c.consumer == self.name,
                pending_events.c.aggregate_id == event.subject,
                pending_events.c.version == event.sequence,
            )
        )
        if exists is None:
            await conn.execute(
                insert(pending_events).values(
                    consumer=self.name,
                    aggregate_id=event.subject,
                    version=event.sequence,
                    envelope=event.to_json().decode(),
                    received_at=datetime.now(UTC),
                )
            )

    async def _take_pending(self, conn: AsyncConnection, aggregate_id: str, version: int) -> CloudEvent | None:
        key = and_(
            pending_events.c.consumer == self.name,
            pending_events.c.aggregate_id == aggregate_id,
            pending_events.c.version == version,
        )
        envelope = await conn.scalar(select(pending_events.c.envelope).where(key))
        if envelope is None:
            return None
        await conn.execute(delete(pending_events).where(key))
        return CloudEvent.from_json(envelope)

    async def _park(self, msg: Msg, event: CloudEvent | None, error: str) -> None:
        meta = msg.metadata
        async with self.db.write() as conn:
            await conn.execute(
                insert(dead_letters).values(
                    consumer=self.name,
                    event_id=event.id if event else None,
                    subject=msg.subject,
                    stream_sequence=meta.sequence.stream if meta.sequence else None,
                    deliveries=meta.num_delivered,
                    error=error[:4000],
                    payload=msg.data.decode(errors="replace"),
                    parked_at=datetime.now(UTC),
                )
            )
        await msg.term()
        CONSUMER_PARKED.labels(self.name).inc()
        log.error("consumer.parked", consumer=self.name, event_id=event.id if event else None, error=error)
