"""The gateway in front of a real hazard service whose evidence goes to a real SeaweedFS server
(the shared one, a bucket per test), on a real nats-server; the city's evidence rules are on."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from hl_gateway.entrypoints.app import create_app as create_gateway
from hl_hazard.entrypoints.app import create_app as create_hazard
from hl_hazard.settings import HazardSettings
from hl_platform.nats_io import ensure_stream, stream_for
from hl_stack.nats_server import NatsServer, free_port
from tests.integration.gateway.conftest import ADMIN_KEY, TOKEN, Served, Stack, gateway_settings
from tests.support.db import migrated

RULES_ON = {
    "rule_rectification_photo_for_major": True,
    "rule_acceptance_record_for_major": True,
    "rule_listing_document_number": True,
    "rule_listing_receipt_before_delisting": True,
}


@dataclass
class EvidenceStack(Stack):
    store_env: dict[str, str] | None = None

    async def upload(
        self,
        hazard_id: str,
        content: bytes,
        *,
        filename: str = "after.jpg",
        step: str = "rectification",
        kind: str = "photo",
        key: str = ADMIN_KEY,
        **headers: str,
    ) -> httpx.Response:
        # Written by hand: a client library would escape what a hostile client sends as it is.
        body, content_type = multipart(filename.encode(), content, {"step": step, "kind": kind})
        return await self.client.post(
            f"/api/v1/hazards/{hazard_id}/attachments",
            content=body,
            headers={**self.as_(key), "Content-Type": content_type, **headers},
        )

    async def history_types(self, hazard_id: str) -> list[str]:
        answer = await self.client.get(f"/api/v1/hazards/{hazard_id}/history", headers=self.as_(ADMIN_KEY))
        return [entry["type"] for entry in answer.json()]


def multipart(filename: bytes, content: bytes, fields: dict[str, str]) -> tuple[bytes, str]:
    """A multipart/form-data body with the file name's bytes exactly as given (NUL, `../`)."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
    parts.append(head + filename + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def hazard_settings(tmp_path: Path, nats_url: str, store_env: dict[str, str], **overrides: Any) -> HazardSettings:
    store = {name.removeprefix("HL_HAZARD_").lower(): value for name, value in store_env.items()}
    overrides.setdefault("database_url", f"sqlite+aiosqlite:///{tmp_path / 'hazard.db'}")
    return HazardSettings(
        data_dir=tmp_path,
        nats_url=nats_url,
        internal_token=TOKEN,
        overdue_scan_interval_s=3600,
        attachment_sweep_interval_s=3600,
        log_json=False,
        log_level="WARNING",
        **{**store, **RULES_ON, **overrides},
    )


@asynccontextmanager
async def evidence_stack(
    nats_url: str, tmp_path: Path, store_env: dict[str, str], **hazard_overrides: Any
) -> AsyncIterator[EvidenceStack]:
    settings = hazard_settings(tmp_path, nats_url, store_env, **hazard_overrides)
    gateway = gateway_settings(tmp_path, nats_url, "")
    for service, url in (("hazard", settings.db_url), ("gateway", gateway.db_url)):
        await (await migrated(service, url)).dispose()
    nc = await nats.connect(nats_url)
    await ensure_stream(nc.jetstream(), stream_for("enterprise"))  # as the enterprise service would
    await nc.close()
    hazard = await Served(lambda: create_hazard(settings), free_port()).start()
    front = Served(lambda: create_gateway(gateway.model_copy(update={"hazard_url": hazard.url})), free_port())
    try:
        assert hazard.app is not None
        async with asyncio.timeout(15):
            await hazard.app.state.runtime.provisioned.wait()
        await front.start()
        async with httpx.AsyncClient(base_url=front.url, timeout=60) as client:
            yield EvidenceStack(front, hazard, nats_url, client, store_env=store_env)
    finally:
        await front.stop()
        await hazard.stop()


@pytest.fixture
async def evidence(
    nats_server: NatsServer, tmp_path: Path, object_store_env: dict[str, str]
) -> AsyncIterator[EvidenceStack]:
    async with evidence_stack(nats_server.url, tmp_path, object_store_env) as stack:
        yield stack
