"""Enterprise, hazard and reporting services together on one real nats-server: a hazard reported
over HTTP is counted in the dispatch table and shown on the supervision list; a frozen report
keeps its figures while the live ones move."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pytest

from hl_enterprise.entrypoints.app import create_app as enterprise_app
from hl_enterprise.settings import EnterpriseSettings
from hl_hazard.entrypoints.app import create_app as hazard_app
from hl_hazard.settings import HazardSettings
from hl_reporting.entrypoints.app import create_app as reporting_app
from hl_reporting.settings import ReportingSettings
from hl_stack.nats_server import NatsServer
from tests.integration.enterprise.test_enterprise_api import enterprise_body
from tests.support.callers import ADMIN, CITY_SUPERVISOR, INSPECTOR, OTHER_CITY_INSPECTOR, headers_for, service_client
from tests.support.db import migrated

pytestmark = pytest.mark.asyncio
SHANGHAI = ZoneInfo("Asia/Shanghai")


def period_covering(moment: datetime) -> str:
    day = moment.astimezone(SHANGHAI).date()
    if day.day <= 24:
        return f"{day:%Y-%m}"
    return f"{(day.replace(day=1) + timedelta(days=32)):%Y-%m}"


def figure(table: dict[str, Any], key: str) -> Any:
    for section in table["sections"]:
        for row in section["rows"]:
            for item in row["figures"]:
                if item["key"] == key:
                    return item["value"]
    raise KeyError(key)


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 20) -> Any:
    async with asyncio.timeout(timeout):
        while not (result := await check()):
            await asyncio.sleep(0.1)
    return result


async def test_a_hazard_flows_into_the_dispatch_table_and_supervision_list(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    urls = {name: f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}" for name in ("enterprise", "hazard")}
    urls["reporting"] = database_url
    for name, url in urls.items():
        await (await migrated(name, url)).dispose()
    common = {"nats_url": nats_server.url, "data_dir": tmp_path}
    apps = (
        enterprise_app(EnterpriseSettings(database_url=urls["enterprise"], **common)),
        hazard_app(HazardSettings(database_url=urls["hazard"], **common)),
        reporting_app(ReportingSettings(database_url=urls["reporting"], **common)),
    )
    async with service_client(apps[0]) as ent, service_client(apps[1]) as haz, service_client(apps[2]) as rep:
        enterprise_id = (await ent.post("/enterprises", json=enterprise_body(), headers=headers_for(INSPECTOR))).json()[
            "id"
        ]
        now = datetime.now(UTC)
        report = {
            "enterprise_id": enterprise_id,
            "source": "self_inspection",
            "level": "major",
            "title": "罐区防火堤破损",
            "found_at": (now - timedelta(hours=5)).isoformat(),
            "found_by": "企业安全员",
            "production_halt": "none",
        }

        async def reported() -> httpx.Response | None:
            answer = await haz.post("/hazards", json=report, headers=headers_for(ADMIN))
            return answer if answer.status_code != 409 else None

        hazard_id = (await eventually(reported)).json()["id"]
        listing = {
            "level": "city",
            "authority": "威海市安委会",
            "reason": "挂牌督办",
            "escalated_at": (now - timedelta(hours=4)).isoformat(),
            "deadline": (now + timedelta(days=20)).date().isoformat(),
        }
        escalated = await haz.post(
            f"/hazards/{hazard_id}/escalation", json=listing, headers=headers_for(CITY_SUPERVISOR)
        )
        assert escalated.status_code == 200, escalated.text

        period = period_covering(now)
        params = {"period": period, "region_code": "3710"}

        async def counted() -> dict[str, Any] | None:
            table = (await rep.get("/reports/monthly", params=params, headers=headers_for(CITY_SUPERVISOR))).json()
            return table if figure(table, "listed_major") == 1 else None

        table = await eventually(counted)
        assert (
            figure(table, "self_inspection_major_found") == 1 and figure(table, "self_inspection_major_rectified") == 0
        )
        child = next(row for row in table["breakdown"] if row["region_code"] == "371002")
        assert child["figures"]["self_inspection_major_found"] == 1

        listed = (
            await rep.get(
                "/reports/supervision-list", params={"region_code": "3710"}, headers=headers_for(CITY_SUPERVISOR)
            )
        ).json()
        assert [item["hazard_id"] for item in listed["items"]] == [hazard_id]
        assert listed["items"][0]["days_left"] is not None and listed["items"][0]["listing_level"] == "city"

        xlsx = await rep.get("/reports/monthly.xlsx", params=params, headers=headers_for(CITY_SUPERVISOR))
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
        assert any("企业自查发现的重大事故隐患" in str(cell.value) for row in sheet.iter_rows() for cell in row)
        csv = await rep.get(
            "/reports/supervision-list.csv", params={"region_code": "3710"}, headers=headers_for(CITY_SUPERVISOR)
        )
        assert csv.content.startswith(b"\xef\xbb\xbf") and "罐区防火堤破损" in csv.content.decode("utf-8-sig")

        outside = await rep.get(
            "/reports/monthly", params={"period": period, "region_code": "3701"}, headers=headers_for(CITY_SUPERVISOR)
        )
        assert outside.status_code == 403 and outside.headers["content-type"] == "application/problem+json"
        assert (
            await rep.get("/reports/monthly", params=params, headers=headers_for(OTHER_CITY_INSPECTOR))
        ).status_code == 403

        submission = {
            "region_code": "3710",
            "filled_by": "张填报",
            "reviewed_by": "李审核",
            "section_four": {"inspection_tours": 3},
        }
        frozen = await rep.post(
            f"/reports/monthly/{period}/submissions", json=submission, headers=headers_for(CITY_SUPERVISOR)
        )
        assert frozen.status_code == 201, frozen.text
        again = await rep.post(
            f"/reports/monthly/{period}/submissions", json=submission, headers=headers_for(CITY_SUPERVISOR)
        )
        assert again.status_code == 409

        plan = {
            "responsible_person": "赵总",
            "measures": "修复防火堤",
            "funds_yuan": "20000",
            "emergency_plan": "有",
            "deadline": (now + timedelta(days=10)).date().isoformat(),
        }
        assert (await haz.post(f"/hazards/{hazard_id}/plan", json=plan, headers=headers_for(ADMIN))).status_code == 200
        fixed = {"completed_at": (now - timedelta(hours=1)).isoformat(), "description": "已修复"}
        assert (
            await haz.post(f"/hazards/{hazard_id}/rectification", json=fixed, headers=headers_for(ADMIN))
        ).status_code == 200

        async def moved() -> dict[str, Any] | None:
            answer = await rep.get(
                f"/reports/monthly/{period}/submissions/{frozen.json()['id']}", headers=headers_for(CITY_SUPERVISOR)
            )
            comparison = answer.json()
            keys = {change["key"] for change in comparison["changed"]}
            return comparison if "self_inspection_major_rectified" in keys else None

        comparison = await eventually(moved)
        changed = {change["key"]: change for change in comparison["changed"]}
        assert (
            changed["self_inspection_major_rectified"]["frozen"] == 0
            and changed["self_inspection_major_rectified"]["live"] == 1
        )
        assert figure(comparison["submission"]["table"], "inspection_tours") == 3
        (fix,) = changed["self_inspection_major_rectified"]["facts"]  # the fact recorded since, by name
        assert (fix["subject"], fix["event_type"], fix["change"]) == (hazard_id, "hazard.rectified", 1)
