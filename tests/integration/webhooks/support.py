"""A webhook test stack on 127.0.0.1: a real nats-server, the gateway and the webhooks service
served by uvicorn (real HTTP between them), and real receivers — small ASGI apps that record what
they are sent and answer as a test scripts them. Events are published to JetStream as the hazard
service's relay would."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats
import uvicorn

from hl_contracts import CloudEvent, subject_for
from hl_gateway.entrypoints.app import create_app as create_gateway
from hl_gateway.settings import GatewaySettings
from hl_platform.nats_io import ensure_stream, stream_for
from hl_stack.nats_server import free_port
from hl_webhooks.entrypoints.app import create_app as create_webhooks
from hl_webhooks.settings import WebhooksSettings
from tests.support.db import migrated

ADMIN_KEY = "hl_webhooks_test_admin_key"
TOKEN = "webhooks-test-internal-token"
FAST: dict[str, Any] = {
    "allowed_networks": ["127.0.0.1/32"],
    "retry_base_s": 0.2,
    "retry_max_interval_s": 0.4,
    "retry_window_s": 30.0,
    "dispatch_poll_interval_s": 0.05,
    "owner_check_ttl_s": 0.2,
    "attempt_timeout_s": 2.0,
    "connect_timeout_s": 1.0,
}


class Served:
    """An ASGI app served by uvicorn on 127.0.0.1 inside the test's event loop."""

    def __init__(self, app: Any, port: int | None = None, *, lifespan: str = "on") -> None:
        self.app = app
        self.port = port or free_port()
        self.lifespan = lifespan
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Served:
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan=self.lifespan,
            timeout_graceful_shutdown=2,  # a receiver told to hang must not hold the test's end
        )
        self.server = uvicorn.Server(config)
        self.task = asyncio.create_task(self.server.serve())
        async with asyncio.timeout(15):
            while not self.server.started:
                if self.task.done():
                    self.task.result()
                await asyncio.sleep(0.02)
        return self

    async def stop(self) -> None:
        if self.server is not None and self.task is not None:
            self.server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.server = self.task = None


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """A webhook receiver: answers `script` in turn, then `status`, after `delay` seconds."""

    status: int = 200
    delay: float = 0.0
    script: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    served: Served | None = None

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Any], send: Callable[[Any], Any]) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status = self.script.pop(0) if self.script else self.status
        await asyncio.sleep(self.delay)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.requests.append(Received(headers, body, time.monotonic()))
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    @property
    def url(self) -> str:
        assert self.served is not None
        return self.served.url + "/hooks/hazard-ledger"

    def event_ids(self) -> list[str]:
        return [request.headers["webhook-id"] for request in self.requests]

    async def wait_for(self, count: int, timeout: float = 20.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.requests) < count:
                await asyncio.sleep(0.02)


@dataclass
class HookStack:
    nats_url: str
    gateway: Served
    webhooks: Served
    client: httpx.AsyncClient
    receivers: list[Receiver] = field(default_factory=list)

    @staticmethod
    def as_(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    async def receiver(self, **behaviour: Any) -> Receiver:
        receiver = Receiver(**behaviour)
        receiver.served = await Served(receiver, lifespan="off").start()
        self.receivers.append(receiver)
        return receiver

    async def key(self, role: str = "platform", region_code: str = "3710", **identity: Any) -> tuple[str, str]:
        """A new API key (its id and the key) for an identity, issued by the admin."""
        body = {"role": role, "name": f"{role} 对接系统", "region_code": region_code, **identity}
        answer = await self.client.post("/api/v1/api-keys", json=body, headers=self.as_(ADMIN_KEY))
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"]), str(answer.json()["key"])

    async def subscribe(self, key: str, url: str, **body: Any) -> dict[str, Any]:
        answer = await self.client.post(
            "/api/v1/webhooks", json={"url": url, "event_types": ["hazard.*"], **body}, headers=self.as_(key)
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    async def publish(self, *events: CloudEvent) -> None:
        nc = await nats.connect(self.nats_url)
        try:
            js = nc.jetstream()
            for event in events:
                subject = subject_for(event.type, event.regioncode)
                await js.publish(subject, event.to_json(), headers={"Nats-Msg-Id": event.id})
        finally:
            await nc.close()

    async def deliveries(self, key: str, webhook_id: str, **query: Any) -> list[dict[str, Any]]:
        answer = await self.client.get(f"/api/v1/webhooks/{webhook_id}/deliveries", params=query, headers=self.as_(key))
        assert answer.status_code == 200, answer.text
        return list(answer.json()["items"])

    async def settled(self, key: str, webhook_id: str, status: str, count: int = 1, timeout: float = 20) -> list[Any]:
        """The deliveries once `count` of them have `status`."""
        async with asyncio.timeout(timeout):
            while True:
                items = await self.deliveries(key, webhook_id)
                if sum(1 for item in items if item["status"] == status) >= count:
                    return items
                await asyncio.sleep(0.05)


def webhooks_settings(
    database_url: str, tmp_path: Path, nats_url: str, gateway_url: str, **overrides: Any
) -> WebhooksSettings:
    values = {
        "database_url": database_url,
        "data_dir": tmp_path,
        "nats_url": nats_url,
        "internal_token": TOKEN,
        "gateway_url": gateway_url,
        "log_json": False,
        "log_level": "WARNING",
        **FAST,
        **overrides,
    }
    return WebhooksSettings(**values)


@asynccontextmanager
async def hook_stack(nats_url: str, database_url: str, tmp_path: Path, **overrides: Any) -> AsyncIterator[HookStack]:
    """Gateway + webhooks service (+ receivers the test adds); the hazard stream exists."""
    gateway_db = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await (await migrated("gateway", gateway_db)).dispose()
    await (await migrated("webhooks", database_url)).dispose()
    nc = await nats.connect(nats_url)
    for context in ("hazard", "enterprise"):  # as their services would create them
        await ensure_stream(nc.jetstream(), stream_for(context))
    await nc.close()
    gateway_port, webhooks_port = free_port(), free_port()
    gateway_settings = GatewaySettings(
        database_url=gateway_db,
        data_dir=tmp_path,
        nats_url=nats_url,
        internal_token=TOKEN,
        bootstrap_admin_key=ADMIN_KEY,
        webhooks_url=f"http://127.0.0.1:{webhooks_port}",
        rate_limit_per_s=10_000.0,
        rate_limit_burst=10_000,
        log_json=False,
        log_level="WARNING",
    )
    settings = webhooks_settings(database_url, tmp_path, nats_url, f"http://127.0.0.1:{gateway_port}", **overrides)
    gateway = await Served(create_gateway(gateway_settings), gateway_port).start()
    webhooks = await Served(create_webhooks(settings), webhooks_port).start()
    stack = HookStack(nats_url, gateway, webhooks, httpx.AsyncClient(base_url=gateway.url, timeout=30))
    try:
        yield stack
    finally:
        await stack.client.aclose()
        for served in (webhooks, gateway, *(r.served for r in stack.receivers)):
            if served is not None:
                await served.stop()
