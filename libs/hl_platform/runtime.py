"""A service's long-lived parts: its database, its NATS connection, its outbox relay and its
consumers. Started and stopped by the FastAPI lifespan; HTTP is served even while NATS is away
(writes queue in the outbox), and /readyz says so."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog
from nats.aio.client import Client
from nats.js import JetStreamContext

from hl_platform.consumer import ConsumerRunner, Projection
from hl_platform.db import Database
from hl_platform.nats_io import ConsumerSpec, StreamSpec, connect, ensure_stream
from hl_platform.relay import OutboxRelay
from hl_platform.settings import ServiceSettings
from hl_platform.telemetry import instrument_engine, setup_logging, setup_tracing

log = structlog.get_logger(__name__)


@dataclass
class Subscription:
    spec: ConsumerSpec
    projection: Projection


@dataclass
class Runtime:
    settings: ServiceSettings
    # The streams this service owns (creates, updates). Streams it only reads are left to their
    # owners: least privilege, and one place that decides a stream's configuration.
    streams: list[StreamSpec] = field(default_factory=list)
    publishes: bool = False  # runs an outbox relay
    subscriptions: list[Subscription] = field(default_factory=list)
    background: list[Callable[[asyncio.Event], Awaitable[None]]] = field(default_factory=list)
    # Runs once at start, before any consumer: e.g. reporting picks its active projection generation.
    prepare: Callable[[Runtime], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        self.db = Database(self.settings.db_url)
        self.nc: Client | None = None
        self._js: JetStreamContext | None = None
        self.stop_event = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.relay = OutboxRelay(self.db, self.js, self.settings.service_name) if self.publishes else None
        self.consumers = self._runners()
        self.consumer_stop = asyncio.Event()
        self.consumer_tasks: list[asyncio.Task[None]] = []
        self.provisioned = asyncio.Event()

    def _runners(self) -> list[ConsumerRunner]:
        return [ConsumerRunner(self.db, self.js, s.spec, s.projection) for s in self.subscriptions]

    def js(self) -> JetStreamContext:
        """The one JetStream context of the connection. One, because each context subscribes its
        own reply inbox for asynchronous publishes: a context per call would leak a subscription
        per relay batch."""
        if self.nc is None:
            raise ConnectionError("NATS is not connected yet")
        if self._js is None:
            self._js = self.nc.jetstream()
        return self._js

    @property
    def nats_connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    def nats_checks(self) -> dict[str, str]:
        """Readiness of the NATS side: connected, and (for a publisher) JetStream storing what the
        relay sends. A full disk makes JetStream refuse or never acknowledge writes while the
        connection stays up; the relay's failures say so until a publish is acknowledged again."""
        checks = {"nats": "ok" if self.nats_connected else "disconnected"}
        if self.relay is not None and self.nats_connected:
            problem = self.relay.jetstream_problem
            checks["jetstream"] = "ok" if problem is None else f"cannot store: {problem}"
        return checks

    async def start(self) -> None:
        s = self.settings
        setup_logging(s.service_name, s.log_level, s.log_json)
        setup_tracing(s.service_name, s.telemetry_exporter, s.otlp_endpoint)
        if s.telemetry_exporter != "none":
            instrument_engine(self.db.writer)
        self.stop_event.clear()
        if self.prepare is not None:
            await self.prepare(self)
        self._spawn(self._connect_and_provision())

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        task.add_done_callback(self._report_crash)
        self.tasks.append(task)

    def _report_crash(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("runtime.task_crashed", error=repr(task.exception()))

    async def _connect_and_provision(self) -> None:
        self.nc = await connect(self.settings.nats_url, self.settings.service_name, self.settings.nats_credentials)
        while not self.stop_event.is_set():
            try:
                for spec in self.streams:
                    spec.replicas = self.settings.nats_stream_replicas
                    await ensure_stream(self.js(), spec)
                break
            except Exception as exc:  # JetStream not ready yet (cluster electing a leader)
                log.warning("runtime.provision_retry", error=repr(exc))
                await asyncio.sleep(1.0)
        self.provisioned.set()
        if self.relay is not None and self.settings.relay_enabled:
            self._spawn(self.relay.run(self.stop_event))
        self._start_consumers()
        for job in self.background:
            self._spawn(job(self.stop_event))

    def _start_consumers(self) -> None:
        if not self.settings.consumers_enabled:
            return
        self.consumer_stop = asyncio.Event()
        for consumer in self.consumers:
            task = asyncio.ensure_future(consumer.run(self.consumer_stop))
            task.add_done_callback(self._report_crash)
            self.consumer_tasks.append(task)

    async def _stop_consumers(self) -> None:
        self.consumer_stop.set()
        if self.consumer_tasks:
            await asyncio.wait(self.consumer_tasks, timeout=10.0)
        self.consumer_tasks.clear()

    async def switch_database(self, url: str, subscriptions: list[Subscription], grace: float = 1.0) -> None:
        """Serve from another database and consume with other durables, without a restart.

        Used for a projection rebuilt beside the live one: requests started before the switch
        finish on the old database, later ones use the new; consumers resume from the new
        database's own progress.
        """
        await self._stop_consumers()
        old, self.db = self.db, Database(url)
        if self.relay is not None:
            self.relay.db = self.relay.lease.db = self.db  # its lease and outbox live in this database
        self.subscriptions = subscriptions
        self.consumers = self._runners()
        if self.nc is not None:
            self._start_consumers()
        await asyncio.sleep(grace)  # let in-flight reads on the old engine finish
        await old.dispose()

    async def stop(self) -> None:
        await self._stop_consumers()
        self.stop_event.set()
        if self.nc is None and self.tasks:  # still waiting for NATS: nothing to finish cleanly
            self.tasks[0].cancel()
        if self.tasks:
            _, pending = await asyncio.wait(self.tasks, timeout=5.0)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self.tasks.clear()
        if self.nc is not None:
            with contextlib.suppress(Exception):
                await self.nc.close()
            self._js = None
        await self.db.dispose()

    def committed(self) -> None:
        """Tell the relay that new outbox rows are waiting (lower latency than its poll)."""
        if self.relay is not None:
            self.relay.notify()
