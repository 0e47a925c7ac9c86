"""A reminder from the hazard service's clock reaches an integrator's URL: the real hazard service
records `hazard.deadline_approaching` for a deadline two days away, its relay publishes it, and the
webhooks service delivers it, signed, to a receiver subscribed to reminders only."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from standardwebhooks import Webhook

from hl_hazard.entrypoints.app import create_app as create_hazard
from hl_hazard.settings import HazardSettings
from hl_platform.identity import Caller
from hl_stack.nats_server import NatsServer
from tests.integration.webhooks.support import TOKEN, Served, hook_stack
from tests.support.callers import headers_for
from tests.support.db import migrated
from tests.support.events import publish_registration

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]
INSPECTOR = Caller(id="u-insp", name="王检查", role="inspector", organisation="环翠区应急管理局", region_code="3710")


async def _report(hazard_url: str, enterprise_id: str) -> str:
    body = {
        "enterprise_id": enterprise_id,
        "source": "department_inspection",
        "level": "general",
        "title": "安全出口指示灯损坏",
        "found_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "found_by": "王检查",
        "deadline": (datetime.now(UTC) + timedelta(days=2)).date().isoformat(),
    }
    async with httpx.AsyncClient(base_url=hazard_url, timeout=10) as client, asyncio.timeout(20):
        while True:  # until the hazard service's replica knows the enterprise
            answer = await client.post("/hazards", json=body, headers=headers_for(INSPECTOR, TOKEN))
            if answer.status_code == 201:
                return str(answer.json()["id"])
            assert answer.status_code == 409, answer.text
            await asyncio.sleep(0.1)


async def test_a_deadline_reminder_is_pushed_to_the_subscribed_url(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    hazard_db = f"sqlite+aiosqlite:///{tmp_path / 'hazard.db'}"
    await (await migrated("hazard", hazard_db)).dispose()
    settings = HazardSettings(
        database_url=hazard_db,
        data_dir=tmp_path,
        nats_url=nats_server.url,
        internal_token=TOKEN,
        reminder_scan_interval_s=0.2,
        log_json=False,
        log_level="WARNING",
    )
    async with hook_stack(nats_server.url, database_url, tmp_path) as stack:
        hazard = await Served(create_hazard(settings)).start()
        try:
            receiver = await stack.receiver()
            _, key = await stack.key(role="supervisor", region_code="3710", level="city")
            hook = await stack.subscribe(key, receiver.url, event_types=["hazard.deadline_approaching"])
            enterprise_id = await publish_registration(nats_server.url, "371002")
            hazard_id = await _report(hazard.url, enterprise_id)
            await receiver.wait_for(1)
            await asyncio.sleep(0.5)  # a second scan records nothing more
        finally:
            await hazard.stop()
        (request,) = receiver.requests
        event = Webhook(hook["secret"]).verify(request.body, request.headers)
        assert (event["type"], event["subject"], event["actorrole"]) == (
            "hazard.deadline_approaching",
            hazard_id,
            "system",
        )
        assert event["data"]["days_left"] in (1, 2) and json.loads(request.body)["regioncode"] == "371002"
