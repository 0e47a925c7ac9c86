"""The month as a bureau lives it, on the running stack: submit last period's table, record a
back-dated fact, read the submission back beside today's figures with the fact named, export the
submission (frozen figures, signatures) and the live table (a draft, signed by no one), and chase
who has not reported."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from openpyxl import load_workbook

from tests.e2e.conftest import Stack
from tests.e2e.test_lifecycle import _eventually, _figure, _key
from tests.support.uscc import random_uscc

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _last_period(today: date) -> tuple[str, date]:
    """The last period whose cut-off (the 24th) has passed, and its cut-off day."""
    cutoff = today.replace(day=24) if today.day > 24 else (today.replace(day=1) - timedelta(days=1)).replace(day=24)
    return f"{cutoff:%Y-%m}", cutoff


def _at(day: date, hour: int) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).isoformat()


def _csv(response: httpx.Response) -> dict[str, list[str]]:
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf"), response.text
    return {row[1]: row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) if len(row) > 1}


def test_submit_record_late_compare_and_export(stack: Stack) -> None:
    admin = stack.client()
    inspector = stack.client(
        _key(admin, role="inspector", name="王检查", region_code="3710", department="威海市应急管理局")
    )
    supervisor = stack.client(_key(admin, role="supervisor", name="威海市安委办", region_code="3710", level="city"))
    period, cutoff = _last_period(datetime.now(SHANGHAI).date())
    created = inspector.post(
        "/enterprises",
        json={
            "uscc": random_uscc(),
            "name": "威海某港口储运有限公司",
            "region_code": "371003",
            "industry": "hazardous_chemicals",
            "principal": {"name": "孙总", "phone": "13806310001"},
            "high_risk": True,
        },
    )
    assert created.status_code == 201, created.text
    hazard = {
        "enterprise_id": created.json()["id"],
        "source": "department_inspection",
        "level": "major",
        "title": "储罐区防火堤破损",
        "found_at": _at(cutoff - timedelta(days=10), 10),
        "found_by": "王检查",
        "production_halt": "none",
    }
    _eventually(lambda: _created(inspector, hazard))
    table_of = {"period": period, "region_code": "3710"}
    _eventually(lambda: _figure(supervisor.get("/reports/monthly", params=table_of).json(), "major_found") == 1)

    body = {
        "region_code": "3710",
        "filled_by": "孙填表",
        "reviewed_by": "李审核",
        "section_four": {"inspection_tours": 2},
    }
    submitted = supervisor.post(f"/reports/monthly/{period}/submissions", json=body)
    assert submitted.status_code == 201, submitted.text
    frozen = submitted.json()
    assert frozen["early"] is False and frozen["table"]["draft"] is False
    assert _figure(frozen["table"], "department_inspection_major_found") == 1

    late = inspector.post(
        "/hazards", json=hazard | {"title": "装卸区静电接地失效", "found_at": _at(cutoff - timedelta(days=3), 9)}
    )
    assert late.status_code == 201, late.text  # found before the cut-off, recorded after the submission
    late_id = late.json()["id"]

    def moved() -> dict[str, Any] | None:
        answer = supervisor.get(f"/reports/monthly/{period}/submissions/{frozen['id']}")
        assert answer.status_code == 200, answer.text
        changed = {change["key"]: change for change in answer.json()["changed"]}
        return changed if "department_inspection_major_found" in changed else None

    changed = _eventually(moved)
    found = changed["department_inspection_major_found"]
    assert (found["frozen"], found["live"], found["difference"]) == (1, 2, 1)
    (fact,) = found["facts"]
    assert (fact["subject"], fact["event_type"], fact["change"]) == (late_id, "hazard.found", 1)
    assert datetime.fromisoformat(fact["occurred_at"]) < datetime.fromisoformat(frozen["submitted_at"])
    assert datetime.fromisoformat(fact["recorded_at"]) > datetime.fromisoformat(frozen["submitted_at"])

    as_of = supervisor.get("/reports/monthly", params=table_of | {"as_of": frozen["submitted_at"]})
    assert as_of.status_code == 200, as_of.text
    computed = [section for section in as_of.json()["sections"] if not section["manual"]]
    assert computed == [section for section in frozen["table"]["sections"] if not section["manual"]]

    listed = supervisor.get(f"/reports/monthly/{period}/submissions", params={"region_code": "3710"}).json()
    assert [item["id"] for item in listed["items"]] == [frozen["id"]]
    assert listed["items"][0]["submitted_by"]["name"] == "威海市安委办"

    _exports(supervisor, period, frozen, table_of)
    _chase(supervisor, period)
    assert supervisor.get("/reports/monthly", params={"period": "0000-01"}).status_code == 422
    assert supervisor.get("/reports/monthly", params={"period": "2999-01"}).status_code == 422


def _created(client: httpx.Client, hazard: dict[str, Any]) -> str | None:
    answer = client.post("/hazards", json=hazard)
    if answer.status_code == 409:  # the hazard service has not yet seen the new enterprise
        return None
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _exports(supervisor: httpx.Client, period: str, frozen: dict[str, Any], table_of: dict[str, str]) -> None:
    """The submission as it was signed; the live table as a draft that names no one."""
    signed = supervisor.get(f"/reports/monthly/{period}/submissions/{frozen['id']}.xlsx")
    assert signed.status_code == 200 and signed.content[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(signed.content))["调度表"]
    texts = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert "填表人:孙填表" in texts and "审核人:李审核" in texts
    assert any(text.startswith("已报送:报送于") for text in texts)
    signed_csv = _csv(supervisor.get(f"/reports/monthly/{period}/submissions/{frozen['id']}.csv"))
    assert signed_csv["filled_by"][2] == "孙填表" and signed_csv["department_inspection_major_found"][2] == "1"

    draft = supervisor.get("/reports/monthly.xlsx", params=table_of)
    sheet = load_workbook(io.BytesIO(draft.content))["调度表"]
    texts = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert "填表人:" in texts and "审核人:" in texts and not any("孙填表" in text for text in texts)
    assert any(text.startswith("草稿:未报送、未签署,数据生成于") for text in texts)
    draft_csv = _csv(supervisor.get("/reports/monthly.csv", params=table_of))
    assert draft_csv["filled_by"][2] == "" and draft_csv["status"][2].startswith("草稿")
    assert draft_csv["department_inspection_major_found"][2] == "2"
    live = supervisor.get("/reports/monthly", params=table_of).json()
    assert live["draft"] is True and datetime.fromisoformat(live["computed_at"]) <= datetime.now(UTC)


def _chase(supervisor: httpx.Client, period: str) -> None:
    """The city office checks who has not reported; a county reports early for the current period."""
    status = supervisor.get(f"/reports/monthly/{period}/reporting-units", params={"region_code": "3710"})
    assert status.status_code == 200, status.text
    units = {unit["code"]: unit for unit in status.json()["units"]}
    assert units["371003"]["status"] == "not_yet" and status.json()["not_yet"] == len(units)
    county = {"region_code": "371003", "filled_by": "文登填表", "reviewed_by": "文登审核"}
    assert supervisor.post(f"/reports/monthly/{period}/submissions", json=county).status_code == 201
    again = supervisor.get(f"/reports/monthly/{period}/reporting-units", params={"region_code": "3710"}).json()
    wendeng = {unit["code"]: unit for unit in again["units"]}["371003"]
    assert wendeng["status"] == "submitted" and wendeng["submitted_by"] == "威海市安委办"
    xlsx = supervisor.get(f"/reports/monthly/{period}/reporting-units.xlsx", params={"region_code": "3710"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    rows = [
        [cell.value or "" for cell in row] for row in load_workbook(io.BytesIO(xlsx.content))["报送情况"].iter_rows()
    ]
    assert ["371003", "文登区", "县(市、区)", "", "已报送"] in [row[:5] for row in rows]
