"""Wiring: the webhooks service's parts built from its settings, each port given its adapter.

`build` wires the whole service (the subscription handlers on SQL units of work, the fan-out
consumers and the dispatcher); `subscription_service` the handlers alone, on a database. Unit
tests pass fakes to `SubscriptionService` and `Dispatcher` directly (tests/unit/webhooks/fakes.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from hl_platform.consumer import ConsumerRunner
from hl_platform.db import Database
from hl_platform.nats_io import STREAMS, ConsumerSpec
from hl_platform.runtime import Runtime
from hl_webhooks.adapters.dns import SystemResolver
from hl_webhooks.adapters.http_sender import HttpSender
from hl_webhooks.adapters.owners import GatewayOwners
from hl_webhooks.adapters.secret_box import SecretBox
from hl_webhooks.adapters.unit_of_work import SqlUnitsOfWork
from hl_webhooks.application.dispatcher import Dispatcher, DispatchRules
from hl_webhooks.application.fanout import FanOut
from hl_webhooks.application.ports import Resolver
from hl_webhooks.application.subscriptions import OutboundRules, SubscriptionService
from hl_webhooks.domain.addresses import networks
from hl_webhooks.settings import WebhooksSettings

# Every event type of a stream (never a filter by type: the runner keeps each aggregate's order).
# The first back-off step is the ack wait: a fan-out batch is inserts only, so 5 s is ample and a
# crashed replica's unacked batch comes back soon.
STREAM_CONSUMERS = tuple(
    ConsumerSpec(stream=stream, durable=f"webhooks-{context}", backoff=[5.0, 15.0, 60.0, 120.0])
    for context, stream in STREAMS.items()
)


@dataclass
class Webhooks:
    """The webhooks service, wired: its handlers, its deliverer, and what must be closed at the end."""

    subscriptions: SubscriptionService
    dispatcher: Dispatcher
    consumers: list[ConsumerRunner] = field(default_factory=list)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


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


def outbound_rules(settings: WebhooksSettings) -> OutboundRules:
    return OutboundRules(
        networks(settings.allowed_networks), settings.require_https, timedelta(seconds=settings.secret_rotation_grace_s)
    )


def subscription_service(db: Database, box: SecretBox, resolver: Resolver, rules: OutboundRules) -> SubscriptionService:
    """The subscription handlers on SQL units of work of `db`, secrets sealed by `box`."""
    return SubscriptionService(SqlUnitsOfWork(db, box), resolver, rules)


def build(settings: WebhooksSettings, runtime: Runtime) -> Webhooks:
    resolver = SystemResolver()
    owners = GatewayOwners(settings.gateway_url, settings.internal_token, settings.owner_check_ttl_s)
    sender = HttpSender(settings.connect_timeout_s)
    box = SecretBox(settings.master_key_source.load(may_generate=settings.environment != "production"))
    dispatcher = Dispatcher(runtime.db, box, owners, resolver, sender, dispatch_rules(settings))
    wired = Webhooks(
        subscription_service(runtime.db, box, resolver, outbound_rules(settings)),
        dispatcher,
        closers=[sender.aclose, owners.aclose],
    )
    if settings.consumers_enabled:
        wired.consumers = [
            ConsumerRunner(runtime.db, runtime.js, spec, FanOut(box), on_batch=_woken(dispatcher))
            for spec in STREAM_CONSUMERS
        ]
    return wired


def _woken(dispatcher: Dispatcher) -> Callable[[int], Awaitable[None]]:
    """After a fan-out batch is committed, the dispatcher looks at once (not at its next poll)."""

    async def on_batch(count: int) -> None:
        dispatcher.wake()

    return on_batch
