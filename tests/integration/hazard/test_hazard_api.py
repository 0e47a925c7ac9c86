"""The hazard service over HTTP on real databases and a real nats-server: enterprise replica in,
hazard events out, rules answered with honest status codes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nats
import pytest

from hl_contracts import CloudEvent
from hl_hazard.entrypoints.app import create_app
from hl_hazard.settings import HazardSettings
from hl_stack.nats_server import NatsServer
from tests.support.callers import ADMIN, INSPECTOR, OTHER_CITY_INSPECTOR, headers_for, service_client
from tests.support.db import migrated
from tests.support.events import publish_registration

pytestmark = pytest.mark.asyncio


def _report(enterprise_id: str, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "enterprise_id": enterprise_id,
        "source": "department_inspection",
        "level": "major",
        "title": "液氨储罐区未设置泄漏报警装置",
        "found_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "found_by": "王检查",
        "production_halt": "partial",
        "standard_clause": "化工和危险化学品重大隐患判定标准 第十条",
    }
    body.update(overrides)
    return body


async def _wait_for_replica(client, enterprise_id: str) -> dict:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(20):
        while True:
            answer = await client.post("/hazards", json=_report(enterprise_id), headers=headers_for(INSPECTOR))
            if answer.status_code != 409:
                return answer
            await asyncio.sleep(0.1)


async def test_report_a_hazard_and_see_it_published_with_its_region(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    await (await migrated("hazard", database_url)).dispose()
    settings = HazardSettings(database_url=database_url, nats_url=nats_server.url, data_dir=tmp_path)
    app = create_app(settings)
    async with service_client(app) as client:
        await app.state.runtime.provisioned.wait()
        enterprise_id = await publish_registration(nats_server.url)
        created = await _wait_for_replica(client, enterprise_id)
        assert created.status_code == 201, created.text
        hazard = created.json()
        assert hazard["status"] == "reported" and hazard["region_code"] == "371002" and hazard["version"] == 1
        assert created.headers["ETag"] == '"1"'

        hazard_id = hazard["id"]
        assert (await client.get(f"/hazards/{hazard_id}", headers=headers_for(OTHER_CITY_INSPECTOR))).status_code == 404
        listed = (await client.get("/hazards", params={"region_code": "3710"}, headers=headers_for(INSPECTOR))).json()
        assert [h["id"] for h in listed["items"]] == [hazard_id]

        early = await client.post(
            f"/hazards/{hazard_id}/rectification",
            json={"completed_at": datetime.now(UTC).isoformat()},
            headers=headers_for(ADMIN),
        )
        assert early.status_code == 409 and early.headers["content-type"] == "application/problem+json"
        assert early.json()["current_state"]["status"] == "reported"

        stale = await client.post(
            f"/hazards/{hazard_id}/plan",
            headers={**headers_for(INSPECTOR), "If-Match": "7"},
            json={
                "responsible_person": "李四",
                "measures": "加装报警",
                "funds_yuan": "50000",
                "deadline": (datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
                "emergency_plan": "有",
            },
        )
        assert stale.status_code == 412 and stale.json()["current_version"] == 1

        future = await client.post(
            "/hazards",
            json=_report(enterprise_id, found_at=(datetime.now(UTC) + timedelta(days=1)).isoformat()),
            headers=headers_for(ADMIN),
        )
        assert future.status_code == 422 and future.json()["errors"][0]["field"] == "found_at"

        history = (await client.get(f"/hazards/{hazard_id}/history", headers=headers_for(INSPECTOR))).json()
        assert [e["type"] for e in history] == ["hazard.found"] and history[0]["actor"]["name"] == "王检查"

        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        async with asyncio.timeout(10):
            while (await js.stream_info("HL_HAZARD")).state.messages < 1:
                await asyncio.sleep(0.05)
        message = await js.get_last_msg("HL_HAZARD", "hl.v1.hazard.found.37.3710.371002")
        assert CloudEvent.from_json(message.data).subject == hazard_id
        await nc.close()


async def test_internal_api_refuses_calls_without_the_gateway_token(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hazard.db'}"
    await (await migrated("hazard", url)).dispose()
    app = create_app(HazardSettings(database_url=url, nats_url="nats://127.0.0.1:1", data_dir=tmp_path))
    async with service_client(app) as client:
        forged = await client.get("/hazards", headers=headers_for(ADMIN, token="guessed"))
        assert forged.status_code == 401 and forged.headers["content-type"] == "application/problem+json"
        assert (await client.get("/hazards")).status_code == 401
