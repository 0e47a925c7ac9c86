"""Wiring: the gateway's parts built from its settings, each port given its adapter.

Tests pass their own `transport` (httpx.MockTransport) to stand in for the services.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import structlog

from hl_gateway.adapters.idempotency_store import SqlIdempotencyStore
from hl_gateway.adapters.jetstream_log import JetStreamLog
from hl_gateway.adapters.jwt_tokens import JwtVerifier
from hl_gateway.adapters.key_store import SqlKeyStore
from hl_gateway.adapters.metrics_listener import MetricsListener
from hl_gateway.adapters.upstream import HttpUpstream, new_client
from hl_gateway.application.authenticate import Authenticator
from hl_gateway.application.events import EventFeed
from hl_gateway.application.idempotency import IdempotencyGuard
from hl_gateway.application.keys import ApiKeys
from hl_gateway.domain.rate_limit import RateLimiter
from hl_gateway.settings import GatewaySettings
from hl_platform.runtime import Runtime

log = structlog.get_logger(__name__)
PURGE_EVERY_S = 600.0


@dataclass
class Gateway:
    settings: GatewaySettings
    client: httpx.AsyncClient
    upstream: HttpUpstream
    keys: ApiKeys
    authenticator: Authenticator
    limiter: RateLimiter
    public_limiter: RateLimiter  # per client address, for the routes without a key (tips)
    guard: IdempotencyGuard
    feed: EventFeed
    metrics: MetricsListener | None = None
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        self.stopping.clear()
        if self.metrics is not None:
            self.metrics.start()
        if self.settings.bootstrap_admin_key and await self.keys.provision_bootstrap(self.settings.bootstrap_admin_key):
            log.info("gateway.bootstrap_admin_key_provisioned")
        self.tasks.append(asyncio.create_task(self._purge_expired()))

    async def stop(self) -> None:
        self.stopping.set()  # ends live event streams
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()
        if self.metrics is not None:
            await asyncio.to_thread(self.metrics.stop)  # waits for its thread: not on the loop
        await self.client.aclose()

    async def _purge_expired(self) -> None:
        while not self.stopping.is_set():
            with contextlib.suppress(Exception):  # a busy database: try again next round
                purged = await self.guard.store.purge(datetime.now(UTC))
                if purged:
                    log.info("gateway.idempotency_purged", records=purged)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), PURGE_EVERY_S)


def build(settings: GatewaySettings, runtime: Runtime, transport: httpx.AsyncBaseTransport | None = None) -> Gateway:
    client = new_client(settings, transport)
    keys = ApiKeys(SqlKeyStore(runtime.db))
    return Gateway(
        settings=settings,
        client=client,
        upstream=HttpUpstream(client, settings),
        keys=keys,
        authenticator=Authenticator(keys, JwtVerifier(settings) if settings.jwt_issuer else None),
        limiter=RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst),
        public_limiter=RateLimiter(settings.public_rate_limit_per_s, settings.public_rate_limit_burst),
        guard=IdempotencyGuard(
            SqlIdempotencyStore(runtime.db),
            ttl=timedelta(seconds=settings.idempotency_ttl_s),
            in_flight=timedelta(seconds=settings.idempotency_in_flight_s),
        ),
        feed=EventFeed(JetStreamLog(runtime.js, settings.upstream_retry_after_s), settings.events_poll_interval_s),
        metrics=MetricsListener(settings.metrics_host, settings.metrics_port) if settings.metrics_enabled else None,
    )
