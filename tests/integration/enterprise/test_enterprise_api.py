"""The enterprise service over HTTP on real databases and nats-server; its events reach the hazard
service's replica, so a hazard can be reported for the new enterprise with no synchronous call."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import nats
import pytest

from hl_contracts import CloudEvent
from hl_enterprise.entrypoints.app import create_app as enterprise_app
from hl_enterprise.settings import EnterpriseSettings
from hl_hazard.entrypoints.app import create_app as hazard_app
from hl_hazard.settings import HazardSettings
from hl_stack.nats_server import NatsServer
from tests.support.callers import ADMIN, INSPECTOR, OTHER_CITY_INSPECTOR, headers_for, service_client
from tests.support.db import migrated
from tests.support.uscc import random_uscc

pytestmark = pytest.mark.asyncio


def enterprise_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "uscc": random_uscc(),
        "name": "威海市某某化工有限公司",
        "region_code": "371002",
        "industry": "hazardous_chemicals",
        "address": "威海市环翠区某路1号",
        "principal": {"name": "赵总", "phone": "13806310000"},
        "high_risk": True,
    }
    body.update(overrides)
    return body


async def test_register_inspect_and_the_hazard_service_learns_of_it(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    hazard_url = f"sqlite+aiosqlite:///{tmp_path / 'hazard.db'}"
    await (await migrated("enterprise", database_url)).dispose()
    await (await migrated("hazard", hazard_url)).dispose()
    enterprises = enterprise_app(
        EnterpriseSettings(database_url=database_url, nats_url=nats_server.url, data_dir=tmp_path)
    )
    hazards = hazard_app(HazardSettings(database_url=hazard_url, nats_url=nats_server.url, data_dir=tmp_path))
    async with service_client(enterprises) as ent, service_client(hazards) as haz:
        body = enterprise_body()
        created = await ent.post("/enterprises", json=body, headers=headers_for(INSPECTOR))
        assert created.status_code == 201, created.text
        enterprise_id = created.json()["id"]

        again = await ent.post("/enterprises", json=enterprise_body(uscc=body["uscc"]), headers=headers_for(INSPECTOR))
        assert again.status_code == 409 and again.json()["existing_id"] == enterprise_id

        bad = await ent.post(
            "/enterprises", json=enterprise_body(uscc="91371002MA3C4XYZ0A"), headers=headers_for(INSPECTOR)
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "uscc"
        unknown_region = await ent.post(
            "/enterprises", json=enterprise_body(region_code="379999"), headers=headers_for(ADMIN)
        )
        assert unknown_region.status_code == 422 and unknown_region.json()["errors"][0]["field"] == "region_code"

        assert (
            await ent.get(f"/enterprises/{enterprise_id}", headers=headers_for(OTHER_CITY_INSPECTOR))
        ).status_code == 404
        found = (await ent.get("/enterprises", params={"q": "化工"}, headers=headers_for(INSPECTOR))).json()
        assert [e["id"] for e in found["items"]] == [enterprise_id]

        inspected = await ent.post(
            f"/enterprises/{enterprise_id}/inspections",
            headers=headers_for(INSPECTOR),
            json={
                "department": "威海市应急管理局",
                "inspected_on": (date.today() - timedelta(days=1)).isoformat(),
                "inspectors": ["王检查"],
                "findings": ["no_emergency_drill", "uncertified_special_workers"],
            },
        )
        assert inspected.status_code == 201, inspected.text

        report = {
            "enterprise_id": enterprise_id,
            "source": "department_inspection",
            "level": "general",
            "title": "消防通道堆放杂物",
            "found_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "found_by": "王检查",
            "rectify_immediately": True,
        }
        async with asyncio.timeout(20):
            while (
                answer := await haz.post("/hazards", json=report, headers=headers_for(INSPECTOR))
            ).status_code == 409:
                await asyncio.sleep(0.1)  # the replica has not seen enterprise.registered yet
        assert answer.status_code == 201, answer.text
        assert answer.json()["status"] == "rectified" and answer.json()["region_code"] == "371002"

    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    message = await js.get_last_msg("HL_ENTERPRISE", "hl.v1.enterprise.inspected.37.3710.371002")
    assert CloudEvent.from_json(message.data).data["findings"] == ["no_emergency_drill", "uncertified_special_workers"]
    await nc.close()


async def test_inspections_and_enforcement_actions_are_read_back_in_pages_and_in_scope(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'enterprise.db'}"
    await (await migrated("enterprise", database_url)).dispose()
    app = enterprise_app(EnterpriseSettings(database_url=database_url, nats_url=nats_server.url, data_dir=tmp_path))
    async with service_client(app) as ent:
        created = await ent.post("/enterprises", json=enterprise_body(), headers=headers_for(INSPECTOR))
        one = f"/enterprises/{created.json()['id']}"
        yesterday = (date.today() - timedelta(days=1)).isoformat()
        for department in ("威海市应急管理局", "环翠区应急管理局", "威海市住建局"):
            inspection = {"department": department, "inspected_on": yesterday, "findings": ["no_emergency_drill"]}
            assert (await ent.post(f"{one}/inspections", json=inspection, headers=headers_for(INSPECTOR))).is_success
        referral = {
            "kind": "judicial_referral",
            "department": "威海市应急管理局",
            "decided_on": yesterday,
            "persons": 2,
        }
        recorded = await ent.post(f"{one}/enforcement-actions", json=referral, headers=headers_for(INSPECTOR))

        first = (await ent.get(f"{one}/inspections", params={"limit": 2}, headers=headers_for(INSPECTOR))).json()
        assert [item["department"] for item in first["items"]] == ["威海市应急管理局", "环翠区应急管理局"]
        assert first["items"][0]["recorded_by"]["name"] == INSPECTOR.name
        rest = await ent.get(f"{one}/inspections", params={"cursor": first["next_cursor"]}, headers=headers_for(ADMIN))
        assert [item["department"] for item in rest.json()["items"]] == ["威海市住建局"]
        assert rest.json()["next_cursor"] is None
        (action,) = (await ent.get(f"{one}/enforcement-actions", headers=headers_for(INSPECTOR))).json()["items"]
        assert (action["id"], action["kind"], action["persons"]) == (recorded.json()["id"], "judicial_referral", 2)

        outside = await ent.get(f"{one}/inspections", headers=headers_for(OTHER_CITY_INSPECTOR))
        assert outside.status_code == 404  # another city's inspector does not see the enterprise
        bad = await ent.get(f"{one}/inspections", params={"cursor": "nonsense!"}, headers=headers_for(INSPECTOR))
        assert bad.status_code == 422
