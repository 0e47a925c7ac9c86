"""The webhooks service's HTTP application (internal: only the gateway calls it), and its deliverer.

Every replica consumes the public streams (durable pull consumers shared by the replicas: each
event is fanned out by one of them) and runs a dispatcher (each delivery is claimed by one of
them). HL_WEBHOOKS_CONSUMERS_ENABLED=false makes a replica an API server only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from hl_platform.consumer import ConsumerRunner
from hl_platform.http import create_service_app
from hl_platform.nats_io import STREAMS, ConsumerSpec
from hl_platform.runtime import Runtime
from hl_webhooks.adapters.dns import SystemResolver
from hl_webhooks.adapters.http_sender import HttpSender
from hl_webhooks.adapters.owners import GatewayOwners
from hl_webhooks.adapters.secret_box import SecretBox
from hl_webhooks.application.dispatcher import Dispatcher, DispatchRules
from hl_webhooks.application.fanout import FanOut
from hl_webhooks.application.subscriptions import OutboundRules, SubscriptionService
from hl_webhooks.domain.addresses import networks
from hl_webhooks.entrypoints.http import router
from hl_webhooks.settings import WebhooksSettings

# Every event type of a stream (never a filter by type: the runner keeps each aggregate's order).
# The first back-off step is the ack wait: a fan-out batch is inserts only, so 5 s is ample and a
# crashed replica's unacked batch comes back soon.
STREAM_CONSUMERS = tuple(
    ConsumerSpec(stream=stream, durable=f"webhooks-{context}", backoff=[5.0, 15.0, 60.0, 120.0])
    for context, stream in STREAMS.items()
)


def dispatch_rules(settings: WebhooksSettings) -> DispatchRules:
    return DispatchRules(
        policy=settings.retry_policy,
        allowed=networks(settings.allowed_networks),
        require_https=settings.require_https,
        attempt_timeout_s=settings.attempt_timeout_s,
        claim_ttl_s=settings.claim_ttl_s,
        per_subscription=settings.max_in_flight_per_subscription,
        max_in_flight=settings.max_in_flight,
        poll_interval_s=settings.dispatch_poll_interval_s,
    )


def create_app(settings: WebhooksSettings | None = None) -> FastAPI:
    settings = settings or WebhooksSettings()
    runtime = Runtime(settings)  # it owns no stream: it reads those of hazard and enterprise
    resolver = SystemResolver()
    owners = GatewayOwners(settings.gateway_url, settings.internal_token, settings.owner_check_ttl_s)
    sender = HttpSender(settings.connect_timeout_s)
    box = SecretBox(settings.master_key_source.load(may_generate=settings.environment != "production"))
    dispatcher = Dispatcher(runtime.db, box, owners, resolver, sender, dispatch_rules(settings))
    if settings.consumers_enabled:
        for spec in STREAM_CONSUMERS:
            runner = ConsumerRunner(runtime.db, runtime.js, spec, FanOut(box), on_batch=_woken(dispatcher))
            runtime.background.append(runner.run)
        runtime.background.append(dispatcher.run)
    rules = OutboundRules(
        networks(settings.allowed_networks), settings.require_https, timedelta(seconds=settings.secret_rotation_grace_s)
    )
    app = create_service_app(runtime, [router], title="Hazard Ledger — webhooks service", description=__doc__ or "")
    app.state.subscriptions = SubscriptionService(runtime.db, box, resolver, rules)
    app.state.dispatcher = dispatcher
    service_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_lifespan(app):
            yield
        await sender.aclose()
        await owners.aclose()

    app.router.lifespan_context = lifespan
    return app


def _woken(dispatcher: Dispatcher) -> Callable[[int], Awaitable[None]]:
    """After a fan-out batch is committed, the dispatcher looks at once (not at its next poll)."""

    async def on_batch(count: int) -> None:
        dispatcher.wake()

    return on_batch
