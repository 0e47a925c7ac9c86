"""Durable JetStream pull consumers that apply events to a database exactly once.

For each fetched batch: one database transaction applies every event and records, per aggregate,
the version applied; the messages are acked only after the commit. The batch is applied set-wise
(one read of the progress rows and of held events, one call to the projection, one write each),
because per-event statements made a projector a hundred times slower than reading the stream.
Hence:
- a duplicate (version ≤ applied) is skipped;
- an event ahead of its predecessor (version n+2 before n+1) is held in `pending_events` and
  applied as soon as the gap fills, so nothing is lost or applied twice;
- several replicas may share one durable consumer: the per-aggregate progress row is locked, so
  two replicas never apply the same aggregate's events concurrently;
- a batch that fails is retried one event at a time, so a poison event is isolated, redelivered
  with back-off, and after `max_deliver` tries parked in `dead_letters` and terminated;
- an event whose `source`, NATS subject and stream do not belong together (a `hazard.found` on
  the enterprise stream, a source that is not the hazard service, a subject that its type and
  region do not give) is parked at once and never applied: NATS permissions keep each service to
  its own subjects, and this keeps a forged or misrouted event out of the read models (and out
  of every rebuild, which replays the same stream).
Ordered consumers must receive every event type of an aggregate (filter by context or region,
never by event type) or versions would be missing for ever.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import structlog
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from sqlalchemy import and_, bindparam, delete, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent, subject_for
from hl_platform.db import Database
from hl_platform.metrics import CONSUMER_APPLIED, CONSUMER_BATCH_SECONDS, CONSUMER_PARKED
from hl_platform.nats_io import STREAMS, ConsumerSpec, ensure_consumer
from hl_platform.sql import dialect_insert, in_chunks
from hl_platform.tables import consumer_progress, dead_letters, pending_events

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("hl_platform.consumer")
SOURCE_PREFIX = "/hazard-ledger/"  # each context's events are published by the service of that name


def provenance_problem(event: CloudEvent, subject: str, stream: str) -> str | None:
    """Why `event` does not belong where it was found (None when it does).

    A context's events come from its own service (`source`), on its own stream, on the subject
    that the event's type and region give: the three must agree.
    """
    context = event.type.split(".", 1)[0]
    if STREAMS.get(context) != stream:
        return f"a {event.type} event does not belong on stream {stream}"
    if event.source != SOURCE_PREFIX + context:
        return f"source {event.source!r} does not publish {context} events"
    expected = subject_for(event.type, event.regioncode)
    if subject != expected:
        return f"subject {subject} is not {expected}, the subject of its type and region"
    return None


class Projection(Protocol):
    """Something that turns events into rows. `apply` runs inside the consumer's transaction."""

    async def apply(self, conn: AsyncConnection, event: CloudEvent) -> None: ...


class BatchProjection(Protocol):
    """A projection that applies a whole batch at once (set-wise: one read and one write per table).

    `events` holds each aggregate's events once, in version order, each run continuing from the
    version applied before; runs of different aggregates may interleave.
    """

    async def apply_all(self, conn: AsyncConnection, events: Sequence[CloudEvent]) -> None: ...


def _batch_of(
    projection: Projection | BatchProjection,
) -> Callable[[AsyncConnection, Sequence[CloudEvent]], Awaitable[None]]:
    if hasattr(projection, "apply_all"):
        return projection.apply_all
    one = projection.apply

    async def one_by_one(conn: AsyncConnection, events: Sequence[CloudEvent]) -> None:
        for event in events:
            await one(conn, event)

    return one_by_one


@dataclass
class _Run:
    """One aggregate's events in a batch: what to apply, hold, or skip."""

    applied: int  # the version applied before this batch
    offered: dict[int, CloudEvent]  # delivered now, by version
    held: dict[int, CloudEvent]  # held from earlier batches, by version

    def plan(self) -> tuple[list[CloudEvent], list[CloudEvent], list[int]]:
        """(to apply in order, to hold, held versions now consumed)."""
        run: list[CloudEvent] = []
        consumed: list[int] = []
        version = self.applied + 1
        while (event := self.offered.get(version) or self.held.get(version)) is not None:
            run.append(event)
            if version in self.held:
                consumed.append(version)
            version += 1
        hold = [event for v, event in sorted(self.offered.items()) if v >= version and v not in self.held]
        return run, hold, consumed


class ConsumerRunner:
    def __init__(
        self,
        db: Database,
        js: Callable[[], JetStreamContext],
        spec: ConsumerSpec,
        projection: Projection | BatchProjection,
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
        self._apply_all = _batch_of(projection)
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
                event = CloudEvent.from_json(msg.data)
            except ValueError as exc:  # not a CloudEvent at all: no retry will fix it
                await self._park(msg, None, f"unreadable envelope: {exc}")
                continue
            if (problem := provenance_problem(event, msg.subject, self.spec.stream)) is not None:
                await self._park(msg, event, f"refused: {problem}")
                continue
            parsed.append((msg, event))
        try:
            async with self.db.write() as conn:
                await self._apply_traced(conn, parsed)
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
                await self._apply_traced(conn, [(msg, event)])
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

    async def _apply_traced(self, conn: AsyncConnection, parsed: list[tuple[Msg, CloudEvent]]) -> None:
        """One CONSUMER span per batch: the child of the first message's publish, linked to every other's."""
        if not parsed:
            return
        parent = propagate.extract(dict(parsed[0][0].headers or {}))
        name = f"process {parsed[0][1].type}" if len(parsed) == 1 else f"process {self.spec.stream} batch"
        with tracer.start_as_current_span(name, context=parent, kind=SpanKind.CONSUMER) as span:
            if span.is_recording():  # reading every message's trace context is work only a tracer wants
                span.set_attribute("messaging.system", "nats")
                span.set_attribute("messaging.consumer.group.name", self.name)
                span.set_attribute("messaging.batch.message_count", len(parsed))
                if len(parsed) == 1:
                    span.set_attribute("messaging.message.id", parsed[0][1].id)
                for msg, _ in parsed[1:]:
                    linked = trace.get_current_span(propagate.extract(dict(msg.headers or {}))).get_span_context()
                    if linked.is_valid:
                        span.add_link(linked)
            outcomes = await self.apply_events(conn, [event for _, event in parsed])
        for outcome in outcomes:
            CONSUMER_APPLIED.labels(self.name, outcome).inc()

    async def apply_in_order(self, conn: AsyncConnection, event: CloudEvent) -> str:
        """Apply `event` (and any held successors) unless already applied. Returns the outcome."""
        return (await self.apply_events(conn, [event]))[0]

    async def apply_events(self, conn: AsyncConnection, events: Sequence[CloudEvent]) -> list[str]:
        """Apply a batch exactly once, in each aggregate's version order; the outcome of each event.

        Set-wise: one read of the progress rows and of the held events, one call to the projection,
        one write each for progress, held and consumed rows — whatever the batch size.
        """
        offered: defaultdict[str, dict[int, CloudEvent]] = defaultdict(dict)
        for event in events:
            offered[event.subject].setdefault(event.sequence, event)
        applied = await self._lock_progress(conn, sorted(offered))
        held = await self._held(
            conn, [aggregate for aggregate in offered if max(offered[aggregate]) > applied[aggregate]]
        )
        to_apply: list[CloudEvent] = []
        to_hold: list[CloudEvent] = []
        consumed: list[tuple[str, int]] = []
        versions: dict[str, int] = {}
        for aggregate, by_version in offered.items():
            run, hold, taken = _Run(applied[aggregate], by_version, held.get(aggregate, {})).plan()
            to_apply += run
            to_hold += hold
            consumed += [(aggregate, version) for version in taken]
            if run:
                versions[aggregate] = run[-1].sequence
        if to_apply:
            await self._apply_all(conn, to_apply)
        await self._save(conn, versions, to_hold, consumed)
        outcome = {event.id: "held" for event in to_hold} | {event.id: "applied" for event in to_apply}
        seen: set[str] = set()
        outcomes = []
        for event in events:  # a second delivery of one event within the batch is a duplicate
            outcomes.append(outcome.get(event.id, "duplicate") if event.id not in seen else "duplicate")
            seen.add(event.id)
        return outcomes

    async def _lock_progress(self, conn: AsyncConnection, aggregates: list[str]) -> dict[str, int]:
        """The version applied per aggregate, its progress row created if new and locked (PostgreSQL).

        Rows are locked in aggregate order, so two replicas never deadlock on them.
        """
        t = consumer_progress
        versions: dict[str, int] = {}
        for chunk in in_chunks(aggregates):
            query = select(t.c.aggregate_id, t.c.version).where(t.c.consumer == self.name, t.c.aggregate_id.in_(chunk))
            if conn.dialect.name == "postgresql":
                query = query.order_by(t.c.aggregate_id).with_for_update()
            versions |= {aggregate: int(version) for aggregate, version in await conn.execute(query)}
            missing = [aggregate for aggregate in chunk if aggregate not in versions]
            if missing:  # another replica may create some first: skip those, then wait for their lock
                now = datetime.now(UTC)
                rows = [{"consumer": self.name, "aggregate_id": a, "version": 0, "updated_at": now} for a in missing]
                await conn.execute(dialect_insert(conn.dialect, t).on_conflict_do_nothing(), rows)
                again = query.where(t.c.aggregate_id.in_(missing))
                versions |= {aggregate: int(version) for aggregate, version in await conn.execute(again)}
        return versions

    async def _held(self, conn: AsyncConnection, aggregates: list[str]) -> dict[str, dict[int, CloudEvent]]:
        t = pending_events
        held: defaultdict[str, dict[int, CloudEvent]] = defaultdict(dict)
        for chunk in in_chunks(aggregates):
            query = select(t.c.aggregate_id, t.c.version, t.c.envelope)
            query = query.where(t.c.consumer == self.name, t.c.aggregate_id.in_(chunk))
            for aggregate, version, envelope in await conn.execute(query):
                held[aggregate][int(version)] = CloudEvent.from_json(envelope)
        return held

    async def _save(
        self, conn: AsyncConnection, versions: dict[str, int], hold: list[CloudEvent], consumed: list[tuple[str, int]]
    ) -> None:
        now = datetime.now(UTC)
        if versions:
            t = consumer_progress
            key = and_(t.c.consumer == self.name, t.c.aggregate_id == bindparam("b_aggregate"))
            rows = [{"b_aggregate": a, "version": v, "updated_at": now} for a, v in sorted(versions.items())]
            await conn.execute(update(t).where(key), rows)
        if consumed:
            t = pending_events
            for chunk in in_chunks(consumed):
                await conn.execute(
                    delete(t).where(t.c.consumer == self.name, tuple_(t.c.aggregate_id, t.c.version).in_(chunk))
                )
        if hold:
            rows = [
                {
                    "consumer": self.name,
                    "aggregate_id": event.subject,
                    "version": event.sequence,
                    "envelope": event.to_json().decode(),
                    "received_at": now,
                }
                for event in hold
            ]
            await conn.execute(dialect_insert(conn.dialect, pending_events).on_conflict_do_nothing(), rows)

    async def _park(self, msg: Msg, event: CloudEvent | None, error: str) -> None:
        await self.park(msg, event, error)
        await msg.term()

    async def park(self, msg: Msg, event: CloudEvent | None, error: str) -> None:
        """Keep a message no retry will apply in `dead_letters`, for an operator (not acked here)."""
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
        CONSUMER_PARKED.labels(self.name).inc()
        log.error("consumer.parked", consumer=self.name, event_id=event.id if event else None, error=error)
