"""The tips service in-process, on a real database (SQLite and PostgreSQL), a real nats-server and
the real SeaweedFS of the session (a photo bucket of its own per test)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from hl_api.tips import SECRET_HEADER
from hl_platform.identity import TOKEN_HEADER
from hl_platform.settings import DEV_INTERNAL_TOKEN
from hl_stack.nats_server import NatsServer
from hl_stack.object_store import SeaweedFS
from hl_tips.entrypoints.app import create_app
from hl_tips.settings import TipsSettings
from tests.support.callers import service_client
from tests.support.db import migrated

GATEWAY = {TOKEN_HEADER: DEV_INTERNAL_TOKEN}  # what the gateway adds to a public call


@dataclass
class Tips:
    app: FastAPI
    client: httpx.AsyncClient
    settings: TipsSettings
    nats_url: str

    async def file(self, body: dict[str, object], key: str | None = None) -> httpx.Response:
        headers = {**GATEWAY, **({"Idempotency-Key": key} if key else {})}
        return await self.client.post("/public/tips", json=body, headers=headers)

    def as_tipster(self, secret: str) -> dict[str, str]:
        return {**GATEWAY, SECRET_HEADER: secret}


def tips_settings(database_url: str, nats_url: str, tmp_path: Path, **overrides: object) -> TipsSettings:
    values: dict[str, object] = {
        "database_url": database_url,
        "nats_url": nats_url,
        "data_dir": tmp_path,
        "scrypt_n": 2**10,  # the cost is a setting; tests need no 16 MB per hash
        "overdue_scan_interval_s": 3600,
        "log_json": False,
        "log_level": "WARNING",
        **overrides,
    }
    return TipsSettings(**values)


def photo_store(seaweedfs: SeaweedFS) -> dict[str, object]:
    """The tips service's settings for the shared SeaweedFS, with a fresh photo bucket."""
    env = seaweedfs.service_environment(bucket=f"tip-photos-{uuid.uuid4().hex[:12]}", prefix="HL_TIPS_")
    return {name.removeprefix("HL_TIPS_").lower(): value for name, value in env.items()}


@pytest.fixture
async def tips(nats_server: NatsServer, database_url: str, tmp_path: Path, seaweedfs: SeaweedFS) -> AsyncIterator[Tips]:
    await (await migrated("tips", database_url)).dispose()
    settings = tips_settings(database_url, nats_server.url, tmp_path, **photo_store(seaweedfs))
    app = create_app(settings)
    async with service_client(app) as client:
        await app.state.runtime.provisioned.wait()
        async with asyncio.timeout(15):
            await app.state.tips.bucket.ready.wait()
        yield Tips(app, client, settings, nats_server.url)
