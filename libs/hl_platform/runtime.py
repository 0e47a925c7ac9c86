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
    streams: list[StreamSpec] = field(default_factory=list)
    publishes: bool = False  # runs an outbox relay
    subscriptions: list[Subscription] = field(default_factory=list)
    background: list[Callable[[asyncio.Event], Awaitable[None]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.db = Database(self.settings.db_url)
        self.nc: Client | None = None
        self.stop_event = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.relay = OutboxRelay(self.db, self.js, self.settings.service_name) if self.publishes else None
        self.consumers = [ConsumerRunner(self.db, self.js, s.spec, s.projection) for s in self.subscriptions]
        self.provisioned = asyncio.Event()

    def js(self) -> JetStreamContext:
        if self.nc is None:
            raise ConnectionError("NATS is not connected yet")
        return self.nc.jetstream()

    @property
    def nats_connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    async def start(self) -> None:
        s = self.settings
        setup_logging(s.service_name, s.log_level, s.log_json)
        setup_tracing(s.service_name, s.telemetry_exporter, s.otlp_endpoint)
        if s.telemetry_exporter != "none":
            instrument_engine(self.db.writer)
        self.stop_event.clear()
        self._spawn(self._connect_and_provision())

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        task.add_done_callback(self._report_crash)
        self.tasks.append(task)

    def _report_crash(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("runtime.task_crashed", error=repr(task.exception()))

    async def _connect_and_provision(self) -> None:
        self.nc = await connect(self.settings.nats_url, self.settings.service_name)
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
        if self.settings.consumers_enabled:
            for consumer in self.consumers:
                self._spawn(consumer.run(self.stop_event))
        for job in self.background:
            self._spawn(job(self.stop_event))

    async def stop(self) -> None:
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
        await self.db.dispose()

    def committed(self) -> None:
        """Tell the relay that new outbox rows are waiting (lower latency than its poll)."""
        if self.relay is not None:
            self.relay.notify()
