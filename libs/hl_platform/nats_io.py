"""NATS connection and JetStream provisioning (idempotent: creates, or updates what changed)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import nats
import nats.errors
import structlog
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import NotFoundError

from hl_contracts.subjects import stream_subjects

log = structlog.get_logger(__name__)

# The public streams, one per writing context. Other bureaus read them.
STREAMS = {"hazard": "HL_HAZARD", "enterprise": "HL_ENTERPRISE", "tip": "HL_TIPS"}
# Relays retry with the same Nats-Msg-Id; the window must outlast an outage we want deduplicated.
DUPLICATE_WINDOW_S = 600.0


@dataclass
class StreamSpec:
    name: str
    subjects: list[str]
    replicas: int = 1

    def config(self) -> StreamConfig:
        return StreamConfig(
            name=self.name,
            subjects=self.subjects,
            storage=StorageType.FILE,
            num_replicas=self.replicas,
            duplicate_window=DUPLICATE_WINDOW_S,
        )


def stream_for(context: str, replicas: int = 1) -> StreamSpec:
    return StreamSpec(name=STREAMS[context], subjects=stream_subjects(context), replicas=replicas)


@dataclass
class ConsumerSpec:
    stream: str
    durable: str
    filter_subjects: list[str] = field(default_factory=list)
    max_deliver: int = 5
    # The first step is also the ack wait: it must outlast applying a whole fetched batch, or
    # JetStream redelivers messages that are still being applied (harmless, but wasted work).
    backoff: list[float] = field(default_factory=lambda: [15.0, 30.0, 60.0, 120.0])
    max_ack_pending: int = 2000

    def config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            max_deliver=self.max_deliver,
            # JetStream requires ack_wait to be covered by the first back-off step.
            ack_wait=self.backoff[0] if self.backoff else 30.0,
            backoff=self.backoff or None,
            filter_subjects=self.filter_subjects or None,
            max_ack_pending=self.max_ack_pending,
        )


def inbox_prefix(user: str) -> str:
    """Every NATS user receives its replies on a prefix of its own and may subscribe to nothing
    else (deploy/nats/auth.conf), so no user can read another's replies."""
    return f"_INBOX_{user}" if user else "_INBOX"


@dataclass(frozen=True)
class NatsCredentials:
    """Who a connection authenticates as: a user and password, given apart or in the URLs."""

    user: str = ""
    password: str = field(default="", repr=False)

    def for_urls(self, url: str) -> NatsCredentials:
        """These credentials, or those of the first URL that carries some."""
        if self.user:
            return self
        for server in url.split(","):
            parts = urlsplit(server.strip())
            if parts.username:
                return NatsCredentials(unquote(parts.username), unquote(parts.password or ""))
        return self


async def connect(url: str, name: str, credentials: NatsCredentials | None = None, *, retry: bool = True) -> Client:
    """Connect (retrying until NATS is there) and keep reconnecting for ever: an outage pauses work.

    A refused authentication is retried too (the operator may be fixing the server's users), and
    logged with the user so that it is not mistaken for an outage. `retry=False` (a one-shot
    command) raises at the first failure instead.
    """
    credentials = (credentials or NatsCredentials()).for_urls(url)

    clients: list[Client] = []

    async def on_disconnect() -> None:
        if not (clients and clients[0].is_closed):  # closing on purpose is not an outage
            log.warning("nats.disconnected", client=name)

    async def on_reconnect() -> None:
        log.info("nats.reconnected", client=name)

    async def on_error(exc: Exception) -> None:
        log.warning("nats.error", client=name, error=str(exc))

    while True:
        try:
            clients.append(await _connect_once(url, name, credentials, on_disconnect, on_reconnect, on_error))
            return clients[0]
        except (TimeoutError, OSError, nats.errors.NoServersError, nats.errors.Error) as exc:
            if not retry:
                raise
            log.warning("nats.connect_retry", client=name, user=credentials.user, error=repr(exc))
            await asyncio.sleep(1.0)


async def _connect_once(url: str, name: str, credentials: NatsCredentials, *callbacks: Any) -> Client:
    on_disconnect, on_reconnect, on_error = callbacks
    auth: dict[str, Any] = {}
    if credentials.user and not urlsplit(url.split(",")[0].strip()).username:
        auth = {"user": credentials.user, "password": credentials.password}
    return await nats.connect(
        url.split(","),
        name=name,
        inbox_prefix=inbox_prefix(credentials.user),
        **auth,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=2,
        allow_reconnect=True,
        disconnected_cb=on_disconnect,
        reconnected_cb=on_reconnect,
        error_cb=on_error,
    )


def _differs(wanted: dict[str, Any], current: dict[str, Any]) -> bool:
    return any(current.get(key) != value for key, value in wanted.items() if value is not None)


async def ensure_stream(js: JetStreamContext, spec: StreamSpec) -> None:
    config = spec.config()
    try:
        info = await js.stream_info(spec.name)
    except NotFoundError:
        await js.add_stream(config)
        log.info("nats.stream_created", stream=spec.name, subjects=spec.subjects)
        return
    wanted = {
        "subjects": spec.subjects,
        "num_replicas": spec.replicas,
        "duplicate_window": config.as_dict()["duplicate_window"],
    }
    if _differs(wanted, info.config.as_dict()):
        await js.update_stream(config)
        log.info("nats.stream_updated", stream=spec.name)


async def ensure_consumer(js: JetStreamContext, spec: ConsumerSpec) -> None:
    """Create the durable consumer, or update it in place when its configuration changed."""
    config = spec.config()
    try:
        info = await js.consumer_info(spec.stream, spec.durable)
    except NotFoundError:
        await js.add_consumer(spec.stream, config)
        log.info("nats.consumer_created", stream=spec.stream, consumer=spec.durable)
        return
    wanted = config.as_dict()
    keys = ("max_deliver", "backoff", "filter_subjects", "max_ack_pending", "ack_wait")
    if _differs({k: wanted.get(k) for k in keys}, info.config.as_dict()):
        await js.add_consumer(spec.stream, config)  # CONSUMER.CREATE updates an existing durable
        log.info("nats.consumer_updated", stream=spec.stream, consumer=spec.durable)
