"""The outbox relay: publishes committed events to JetStream, in order, exactly once.

Each row is published with `Nats-Msg-Id` = event id, so a retry after a crash or an outage is
dropped by JetStream's duplicate window. Rows are marked published only after their PubAck. Only
the replica holding the `outbox-relay` lease publishes, so order is kept with several replicas.

While JetStream cannot store (a full disk: publishes time out or are refused with the connection
up), `jetstream_problem` says why, for /readyz; the relay keeps retrying with back-off and clears
it at the first acknowledged publish, so it recovers by itself once the server stores again.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import nats.errors
import nats.js.errors
import structlog
from nats.js import JetStreamContext
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from sqlalchemy import bindparam, func, select, update

from hl_platform.db import Database
from hl_platform.lease import Lease
from hl_platform.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISH_ERRORS, OUTBOX_PUBLISHED
from hl_platform.tables import outbox

log = structlog.get_logger(__name__)
# Built once (they run every cycle): SQLAlchemy then reuses their compiled form from the cache.
_UNPUBLISHED = (
    select(outbox.c.id, outbox.c.event_id, outbox.c.subject, outbox.c.payload, outbox.c.headers)
    .where(outbox.c.published_at.is_(None))
    .order_by(outbox.c.id)
    .limit(bindparam("batch_size"))
)
_MARK_PUBLISHED = (
    update(outbox).where(outbox.c.id.in_(bindparam("ids", expanding=True))).values(published_at=bindparam("at"))
)
tracer = trace.get_tracer("hl_platform.relay")
# What a server that is up but cannot store answers (or does not answer) to a publish.
_STORAGE_ERRORS = (
    TimeoutError,
    nats.errors.TimeoutError,
    nats.js.errors.APIError,
    nats.js.errors.NoStreamResponseError,
)


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        js: Callable[[], JetStreamContext],
        service: str,
        *,
        batch_size: int = 256,
        poll_interval: float = 0.2,
        publish_timeout: float = 5.0,
        lease_ttl: float = 10.0,
    ) -> None:
        self.db = db
        self.js = js
        self.service = service
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.publish_timeout = publish_timeout
        self.lease = Lease(db, "outbox-relay", f"{service}-{uuid.uuid4().hex[:8]}", ttl=lease_ttl)
        self._wake = asyncio.Event()
        self.jetstream_problem: str | None = None

    def notify(self) -> None:
        """Called after a commit in this process, so the event leaves without waiting for a poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.1
        lease_checked = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                if loop.time() - lease_checked > self.lease.ttl.total_seconds() / 3:
                    if not await self.lease.acquire():
                        await self._sleep(stop, self.lease.ttl.total_seconds() / 3)
                        continue
                    lease_checked = loop.time()
                published = await self.publish_pending()
                backoff = 0.1
                if published < self.batch_size:
                    await self._sleep(stop, self.poll_interval)
            except Exception as exc:  # NATS or the database is away: wait and try again
                OUTBOX_PUBLISH_ERRORS.labels(self.service).inc()
                log.warning("relay.retry", service=self.service, error=repr(exc), retry_in=backoff)
                await self._sleep(stop, backoff)
                backoff = min(backoff * 2, 5.0)
        try:
            await self.lease.release()
        except Exception as exc:
            log.warning("relay.lease_release_failed", error=repr(exc))

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        self._wake.clear()
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; returns how many were acknowledged."""
        async with self.db.read() as conn:
            rows = (await conn.execute(_UNPUBLISHED, {"batch_size": self.batch_size})).all()
        if not rows:
            OUTBOX_BACKLOG.labels(self.service).set(0)
            return 0
        js = self.js()
        # Pipelined in row order on one connection (the server stores them in that order);
        # every PubAck is awaited before any row is marked.
        futures = []
        for row in rows:
            headers = {"Nats-Msg-Id": row.event_id}
            parent = propagate.extract(row.headers or {})
            with tracer.start_as_current_span(f"publish {row.subject}", context=parent, kind=SpanKind.PRODUCER) as span:
                span.set_attribute("messaging.system", "nats")
                span.set_attribute("messaging.destination.name", row.subject)
                span.set_attribute("messaging.message.id", row.event_id)
                propagate.inject(headers)
            futures.append(await js.publish_async(row.subject, row.payload.encode(), headers=headers))
        results = await self._acks(futures)
        acked = [row.id for row, result in zip(rows, results, strict=True) if not isinstance(result, BaseException)]
        if acked:
            async with self.db.write() as conn:
                await conn.execute(_MARK_PUBLISHED, {"ids": acked, "at": datetime.now(UTC)})
            OUTBOX_PUBLISHED.labels(self.service).inc(len(acked))
        failures = [result for result in results if isinstance(result, BaseException)]
        if failures:
            if isinstance(failures[0], _STORAGE_ERRORS):
                self.jetstream_problem = _describe(failures[0])
            raise failures[0]
        self.jetstream_problem = None
        if len(rows) == self.batch_size:
            await self._report_backlog()
        return len(acked)

    async def _acks(self, futures: Sequence[asyncio.Future[Any]]) -> list[Any]:
        """Each publish's PubAck or error; those not acknowledged in time are a TimeoutError (and
        the acknowledged ones still count: they are marked, not sent again)."""
        done, pending = await asyncio.wait(futures, timeout=self.publish_timeout)
        for future in pending:
            future.cancel()
        timeout = TimeoutError(f"no PubAck within {self.publish_timeout:g} s")
        return [(future.exception() or future.result()) if future in done else timeout for future in futures]

    async def _report_backlog(self) -> None:
        async with self.db.read() as conn:
            backlog = await conn.scalar(select(func.count()).where(outbox.c.published_at.is_(None)))
        OUTBOX_BACKLOG.labels(self.service).set(backlog or 0)


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__
