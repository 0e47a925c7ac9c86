"""The hazard service's backfill route on real databases (SQLite and PostgreSQL) and a real
nats-server: hazards with their history written in one transaction, a result per item, a re-sent
batch answered with the same hazards and nothing written twice, a bad item writing nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hl_hazard.adapters.tables import backfill_items, hazard_summaries
from hl_hazard.entrypoints.app import create_app
from hl_hazard.settings import HazardSettings
from hl_platform.db import Database
from hl_platform.identity import Caller
from hl_platform.tables import events, outbox
from hl_stack.nats_server import NatsServer
from tests.support.callers import headers_for, service_client
from tests.support.db import migrated
from tests.support.events import publish_registration

pytestmark = pytest.mark.asyncio
PLATFORM = Caller(id="u-platform", name="省平台", role="platform", region_code="37")
OTHER_PROVINCE = Caller(id="u-js", name="江苏平台", role="platform", region_code="32")
COMPANY = {"role": "enterprise", "name": "安全员"}
CITY = {"role": "supervisor", "name": "市安委办", "level": "city"}
INSPECTOR = {"role": "inspector", "name": "王检查", "organisation": "威海市应急管理局"}


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def on(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def closed_listed_major(key: str, enterprise_id: str) -> dict[str, Any]:
    """A self-reported major hazard a year old: planned, listed, fixed, accepted, delisted."""
    return {
        "key": key,
        "actor": COMPANY,
        "hazard": {
            "enterprise_id": enterprise_id,
            "source": "self_inspection",
            "level": "major",
            "title": "液氨储罐区未设置泄漏报警装置",
            "found_at": ago(365),
            "found_by": "张三",
            "production_halt": "partial",
        },
        "steps": [
            {
                "step": "plan",
                "actor": COMPANY,
                "responsible_person": "李四",
                "measures": "增设报警装置",
                "funds_yuan": "12000",
                "deadline": on(-300),
                "emergency_plan": "液氨泄漏应急预案",
                "decided_at": ago(364),
            },
            {
                "step": "escalation",
                "actor": CITY,
                "level": "city",
                "authority": "威海市安委办",
                "reason": "重大隐患",
                "deadline": on(-300),
                "escalated_at": ago(363),
            },
            {"step": "rectification", "actor": COMPANY, "completed_at": ago(320)},
            {"step": "acceptance", "actor": CITY, "accepted": True, "reviewer": "王检查", "decided_at": ago(310)},
            {"step": "delisting", "actor": CITY, "delisted_at": ago(300), "reason": "验收合格"},
        ],
    }


def fixed_on_the_spot(key: str, enterprise_id: str) -> dict[str, Any]:
    return {
        "key": key,
        "actor": INSPECTOR,
        "hazard": {
            "enterprise_id": enterprise_id,
            "source": "department_inspection",
            "level": "general",
            "title": "灭火器过期",
            "found_at": ago(0.1),  # recent: no acceptance reminder is owed yet (the watch would add one)
            "found_by": "王检查",
            "rectify_immediately": True,
        },
    }


async def counts(db: Database) -> tuple[int, int, int, int]:
    async with db.read() as conn:
        return (
            int(await conn.scalar(select(func.count()).select_from(events)) or 0),
            int(await conn.scalar(select(func.count()).select_from(outbox)) or 0),
            int(await conn.scalar(select(func.count()).select_from(hazard_summaries)) or 0),
            int(await conn.scalar(select(func.count()).select_from(backfill_items)) or 0),
        )


async def backfill(client: httpx.AsyncClient, items: list[dict[str, Any]], caller: Caller = PLATFORM) -> Any:
    answer = await client.post("/hazard-backfills", json={"items": items}, headers=headers_for(caller))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def known(client: httpx.AsyncClient, enterprise_id: str) -> None:
    """Until the replica knows the enterprise (its registration travels over NATS)."""
    async with asyncio.timeout(20):
        while True:
            probe = await backfill(client, [fixed_on_the_spot("probe", enterprise_id)])
            if probe["created"] or probe["duplicate"]:
                return
            await asyncio.sleep(0.1)


async def test_backfill_writes_histories_answers_each_item_and_is_idempotent(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    db = await migrated("hazard", database_url)
    app = create_app(HazardSettings(database_url=database_url, nats_url=nats_server.url, data_dir=tmp_path))
    async with service_client(app) as client:
        await app.state.runtime.provisioned.wait()
        enterprise_id = await publish_registration(nats_server.url)
        await known(client, enterprise_id)
        before = await counts(db)

        bad = closed_listed_major("bad", enterprise_id)
        bad["steps"][3]["actor"] = COMPANY  # rule 5: a major is never accepted by the enterprise
        items = [closed_listed_major("old-1", enterprise_id), fixed_on_the_spot("old-2", enterprise_id), bad]
        first = await backfill(client, items)
        assert (first["created"], first["duplicate"], first["invalid"]) == (2, 0, 1)
        full, spot, refused = first["items"]
        assert full["outcome"] == "created" and full["version"] == 6 and spot["version"] == 2
        assert refused == {
            "index": 2,
            "key": "bad",
            "outcome": "invalid",
            "hazard_id": None,
            "version": None,
            "status": 403,
            "field": "/steps/3/actor",
            "reason": "a major hazard is accepted by a department reviewer, never by the enterprise",
            "rule": "forbidden",
        }
        assert await counts(db) == (before[0] + 8, before[1] + 8, before[2] + 2, before[3] + 2)

        history = (await client.get(f"/hazards/{full['hazard_id']}/history", headers=headers_for(PLATFORM))).json()
        assert [entry["type"] for entry in history][-1] == "hazard.delisted"
        assert history[0]["occurred_at"] < history[-1]["occurred_at"] < history[-1]["recorded_at"]
        read = (await client.get(f"/hazards/{full['hazard_id']}", headers=headers_for(PLATFORM))).json()
        assert read["status"] == "closed" and read["listed"] is False and read["region_code"] == "371002"

        again = await backfill(client, items)
        assert (again["created"], again["duplicate"], again["invalid"]) == (0, 2, 1)
        assert [item.get("hazard_id") for item in again["items"][:2]] == [full["hazard_id"], spot["hazard_id"]]
        assert again["items"][2] == refused
        assert await counts(db) == (before[0] + 8, before[1] + 8, before[2] + 2, before[3] + 2)

        outside = await backfill(client, [fixed_on_the_spot("js-1", enterprise_id)], caller=OTHER_PROVINCE)
        assert outside["items"][0]["field"] == "/hazard/enterprise_id" and outside["items"][0]["status"] == 404

        malformed = await client.post(
            "/hazard-backfills",
            json={"items": [{**fixed_on_the_spot("m", enterprise_id), "steps": [{"step": "approval"}]}]},
            headers=headers_for(PLATFORM),
        )
        assert malformed.status_code == 422 and "items.0.steps.0" in malformed.text
    await db.dispose()


async def test_twin_batches_sent_at_once_create_each_hazard_once(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    """Two identical batches at the same moment (a client retrying too early): on PostgreSQL the
    second transaction waits on the first's keys, then starts again and finds them taken."""
    db = await migrated("hazard", database_url)
    app = create_app(HazardSettings(database_url=database_url, nats_url=nats_server.url, data_dir=tmp_path))
    async with service_client(app) as client:
        await app.state.runtime.provisioned.wait()
        enterprise_id = await publish_registration(nats_server.url)
        await known(client, enterprise_id)
        before = await counts(db)
        items = [closed_listed_major(f"twin-{n}", enterprise_id) for n in range(20)]
        first, second = await asyncio.gather(backfill(client, items), backfill(client, items))
        assert sorted([first["created"], second["created"]]) == [0, 20]
        assert sorted([first["duplicate"], second["duplicate"]]) == [0, 20]
        assert [i["hazard_id"] for i in first["items"]] == [i["hazard_id"] for i in second["items"]]
        assert await counts(db) == (before[0] + 120, before[1] + 120, before[2] + 20, before[3] + 20)
    await db.dispose()
