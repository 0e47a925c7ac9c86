"""The gateway in front of a REAL hazard service, both served by uvicorn on 127.0.0.1, with a real
nats-server and migrated SQLite databases. The enterprise and reporting services are absent: the
gateway answers 503 for them, as it must when a service is down."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
import uvicorn
from fastapi import FastAPI

from hl_enterprise.entrypoints.app import create_app as create_enterprise
from hl_enterprise.settings import EnterpriseSettings
from hl_gateway.entrypoints.app import create_app as create_gateway
from hl_gateway.settings import GatewaySettings
from hl_hazard.entrypoints.app import create_app as create_hazard
from hl_hazard.settings import HazardSettings
from hl_platform.nats_io import ensure_stream, stream_for
from hl_reporting.entrypoints.app import create_app as create_reporting
from hl_reporting.settings import ReportingSettings
from hl_stack.nats_server import NatsServer, free_port
from hl_tips.entrypoints.app import create_app as create_tips
from hl_tips.settings import TipsSettings
from tests.support.db import migrated
from tests.support.events import publish_registration

ADMIN_KEY = "hl_integration_admin_key"
TOKEN = "integration-internal-token"
PROBLEM = "application/problem+json"


class Served:
    """An ASGI app served by uvicorn inside the test's event loop; stoppable and restartable."""

    def __init__(self, make_app: Any, port: int) -> None:
        self.make_app = make_app
        self.port = port
        self.app: FastAPI | None = None
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Served:
        self.app = self.make_app()
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
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


@dataclass
class Stack:
    gateway: Served
    hazard: Served
    nats_url: str
    client: httpx.AsyncClient
    enterprises: dict[str, str] = field(default_factory=dict)  # region → enterprise id

    def as_(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    async def key(self, **identity: Any) -> str:
        answer = await self.client.post("/api/v1/api-keys", json=identity, headers=self.as_(ADMIN_KEY))
        assert answer.status_code == 201, answer.text
        return str(answer.json()["key"])

    async def enterprise(self, region: str) -> str:
        """An enterprise registered (as its event on NATS) and replicated into the hazard service."""
        enterprise_id = await publish_registration(self.nats_url, region)
        async with asyncio.timeout(20):
            while True:  # known once the hazard service's replica applied it: then a future found_at is 422
                future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
                probe = await self.client.post(
                    "/api/v1/hazards", json=hazard_body(enterprise_id, found_at=future), headers=self.as_(ADMIN_KEY)
                )
                if probe.status_code == 422:
                    break
                assert probe.status_code == 409, probe.text
                await asyncio.sleep(0.1)
        self.enterprises[region] = enterprise_id
        return enterprise_id

    async def report(self, enterprise_id: str, **overrides: Any) -> dict[str, Any]:
        answer = await self.client.post(
            "/api/v1/hazards", json=hazard_body(enterprise_id, **overrides), headers=self.as_(ADMIN_KEY)
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json())


def hazard_body(enterprise_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "source": "department_inspection",
        "level": "major",
        "title": "液氨储罐区未设置泄漏报警装置",
        "found_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "found_by": "王检查",
        "production_halt": "partial",
    }
    if overrides.get("level") == "general":
        body.pop("production_halt")
    body.update(overrides)
    return body


def _closed_port() -> int:
    """A port that stays bound and never listens, so connections to it are refused for the whole
    session (a merely free port could be taken by another process meanwhile)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    _HELD.append(sock)
    return int(sock.getsockname()[1])


_HELD: list[socket.socket] = []


def gateway_settings(tmp_path: Path, nats_url: str, hazard_url: str, **overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        "data_dir": tmp_path,
        "nats_url": nats_url,
        "internal_token": TOKEN,
        "bootstrap_admin_key": ADMIN_KEY,
        "hazard_url": hazard_url,
        "enterprise_url": f"http://127.0.0.1:{_closed_port()}",  # nobody listens: a service that is down
        "reporting_url": f"http://127.0.0.1:{_closed_port()}",
        "webhooks_url": f"http://127.0.0.1:{_closed_port()}",
        "tips_url": f"http://127.0.0.1:{_closed_port()}",
        "public_rate_limit_per_s": 10_000.0,
        "public_rate_limit_burst": 10_000,
        "rate_limit_per_s": 10_000.0,
        "rate_limit_burst": 10_000,
        "upstream_timeout_s": 10.0,
        "log_json": False,
        "log_level": "WARNING",
        "events_poll_interval_s": 0.1,
        "metrics_port": 0,  # any free port: tests run side by side
        **overrides,
    }
    return GatewaySettings(**values)


@pytest.fixture
async def full_stack(nats_server: NatsServer, tmp_path: Path) -> AsyncIterator[Stack]:
    """The gateway in front of all three real services (each on its own SQLite database)."""
    common: dict[str, Any] = {
        "data_dir": tmp_path,
        "nats_url": nats_server.url,
        "internal_token": TOKEN,
        "log_json": False,
        "log_level": "WARNING",
    }
    urls = {name: f"sqlite+aiosqlite:///{tmp_path / (name + '.db')}" for name in ("hazard", "enterprise", "reporting")}
    for service, url in urls.items():
        await (await migrated(service, url)).dispose()
    made = {
        "enterprise": lambda: create_enterprise(EnterpriseSettings(database_url=urls["enterprise"], **common)),
        "hazard": lambda: create_hazard(
            HazardSettings(database_url=urls["hazard"], overdue_scan_interval_s=3600, **common)
        ),
        "reporting": lambda: create_reporting(ReportingSettings(database_url=urls["reporting"], **common)),
    }
    served: dict[str, Served] = {}
    try:
        for name in ("enterprise", "hazard", "reporting"):  # the streams' owners first
            served[name] = await Served(made[name], free_port()).start()
            app = served[name].app
            if name != "reporting" and app is not None:
                async with asyncio.timeout(15):
                    await app.state.runtime.provisioned.wait()
        settings = gateway_settings(
            tmp_path,
            nats_server.url,
            served["hazard"].url,
            enterprise_url=served["enterprise"].url,
            reporting_url=served["reporting"].url,
        )
        await (await migrated("gateway", settings.db_url)).dispose()
        gateway = await Served(lambda: create_gateway(settings), free_port()).start()
        async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
            try:
                yield Stack(gateway, served["hazard"], nats_server.url, client)
            finally:
                await gateway.stop()
    finally:
        for part in reversed(served.values()):
            await part.stop()


@pytest.fixture
async def stack(nats_server: NatsServer, tmp_path: Path) -> AsyncIterator[Stack]:
    hazard_url = f"sqlite+aiosqlite:///{tmp_path / 'hazard.db'}"
    settings = gateway_settings(tmp_path, nats_server.url, "")
    for service, url in (("hazard", hazard_url), ("gateway", settings.db_url)):
        await (await migrated(service, url)).dispose()
    hazard_settings = HazardSettings(
        database_url=hazard_url,
        data_dir=tmp_path,
        nats_url=nats_server.url,
        internal_token=TOKEN,
        overdue_scan_interval_s=3600,
        log_json=False,
        log_level="WARNING",
    )
    nc = await nats.connect(nats_server.url)
    await ensure_stream(nc.jetstream(), stream_for("enterprise"))  # as the enterprise service would
    await nc.close()
    hazard = await Served(lambda: create_hazard(hazard_settings), free_port()).start()
    assert hazard.app is not None
    async with asyncio.timeout(15):  # its streams exist before anyone publishes
        await hazard.app.state.runtime.provisioned.wait()
    settings = settings.model_copy(update={"hazard_url": hazard.url})
    gateway = await Served(lambda: create_gateway(settings), free_port()).start()
    async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
        try:
            yield Stack(gateway, hazard, nats_server.url, client)
        finally:
            await gateway.stop()
            await hazard.stop()


@dataclass
class Trio:
    client: httpx.AsyncClient
    tips: Served
    nats_url: str

    async def key(self, **identity: Any) -> dict[str, str]:
        answer = await self.client.post(
            "/api/v1/api-keys", json=identity, headers={"Authorization": f"Bearer {ADMIN_KEY}"}
        )
        assert answer.status_code == 201, answer.text
        return {"Authorization": f"Bearer {answer.json()['key']}"}


@contextlib.asynccontextmanager
async def started_trio(
    nats_server: NatsServer, tmp_path: Path, tips_store: dict[str, Any] | None = None, **gateway: Any
) -> AsyncIterator[Trio]:
    """The gateway in front of the real tips and hazard services; `tips_store` gives tips its photo
    bucket (`tests.integration.tips.conftest.photo_store`), `gateway` overrides its settings."""
    urls = {name: f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}" for name in ("hazard", "tips", "gateway")}
    for name, url in urls.items():
        await (await migrated(name, url)).dispose()
    common: dict[str, Any] = {
        "data_dir": tmp_path,
        "nats_url": nats_server.url,
        "internal_token": TOKEN,
        "log_json": False,
    }
    hazard = await Served(
        lambda: create_hazard(HazardSettings(database_url=urls["hazard"], **common)), free_port()
    ).start()
    tips_settings = TipsSettings(database_url=urls["tips"], scrypt_n=2**10, **common, **(tips_store or {}))
    tips = await Served(lambda: create_tips(tips_settings), free_port()).start()
    for served in (hazard, tips):
        assert served.app is not None
        async with asyncio.timeout(15):
            await served.app.state.runtime.provisioned.wait()
    settings = gateway_settings(
        tmp_path,
        nats_server.url,
        hazard.url,
        database_url=urls["gateway"],
        tips_url=tips.url,
        **gateway,
    )
    gateway = await Served(lambda: create_gateway(settings), free_port()).start()
    async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
        try:
            yield Trio(client, tips, nats_server.url)
        finally:
            for served in (gateway, tips, hazard):
                await served.stop()
