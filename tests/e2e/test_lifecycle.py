"""One hazard all the way through the running system: reported via the gateway, stored, published,
and counted in the dispatch table and the supervision list."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.e2e.conftest import Stack
from tests.support.uscc import random_uscc

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _period_covering_today() -> str:
    today = datetime.now(SHANGHAI).date()
    if today.day <= 24:
        return f"{today:%Y-%m}"
    first_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return f"{first_next:%Y-%m}"


def _eventually(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def _key(admin: httpx.Client, **identity: Any) -> str:
    answer = admin.post("/api-keys", json=identity)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["key"])


def _figure(table: dict[str, Any], key: str) -> Any:
    for section in table["sections"]:
        for row in section["rows"]:
            for figure in row["figures"]:
                if figure["key"] == key:
                    return figure["value"]
    raise KeyError(key)


def test_a_major_hazard_from_report_to_delisting_is_counted(stack: Stack) -> None:
    admin = stack.client()
    inspector = stack.client(
        _key(admin, role="inspector", name="王检查", region_code="3710", department="威海市应急管理局")
    )
    supervisor = stack.client(_key(admin, role="supervisor", name="威海市安委办", region_code="3710", level="city"))
    period = _period_covering_today()
    counted_keys = (
        "department_inspection_major_found",
        "department_inspection_major_rectified",
        "listed_major",
        "listed_major_rectified",
        "self_inspection_major_found",
    )

    def figures() -> dict[str, Any]:
        table = supervisor.get("/reports/monthly", params={"period": period, "region_code": "3710"}).json()
        return {key: _figure(table, key) for key in counted_keys}

    before = figures()  # the stack is shared by the session: other tests' hazards count too

    created = inspector.post(
        "/enterprises",
        json={
            "uscc": random_uscc(),
            "name": "威海某液氨冷库有限公司",
            "region_code": "371002",
            "industry": "metallurgy_industry_trade",
            "principal": {"name": "赵总", "phone": "13806310000"},
            "high_risk": True,
        },
    )
    assert created.status_code == 201, created.text
    enterprise_id = created.json()["id"]
    company = stack.client(
        _key(admin, role="enterprise", name="冷库安全员", region_code="371002", enterprise_id=enterprise_id)
    )

    report = {
        "enterprise_id": enterprise_id,
        "source": "department_inspection",
        "level": "major",
        "title": "液氨制冷车间未设置氨气泄漏报警",
        "found_at": (datetime.now(UTC) - timedelta(hours=3)).isoformat(),
        "found_by": "王检查",
        "production_halt": "partial",
    }

    def reported() -> httpx.Response | None:
        answer = inspector.post("/hazards", json=report)
        return answer if answer.status_code != 409 else None  # the replica is still catching up

    answer = _eventually(reported)
    assert answer.status_code == 201, answer.text
    hazard_id = answer.json()["id"]
    now = datetime.now(UTC)

    steps = [
        (
            supervisor,
            "escalation",
            {
                "level": "city",
                "authority": "威海市安委会",
                "deadline": (now + timedelta(days=60)).date().isoformat(),
                "reason": "重大事故隐患挂牌督办",
                "escalated_at": (now - timedelta(hours=2)).isoformat(),
            },
        ),
        (
            company,
            "plan",
            {
                "responsible_person": "赵总",
                "measures": "加装氨气泄漏报警并联动风机",
                "funds_yuan": "85000",
                "deadline": (now + timedelta(days=30)).date().isoformat(),
                "emergency_plan": "氨泄漏专项应急预案",
            },
        ),
        (
            company,
            "rectification",
            {"completed_at": (now - timedelta(hours=1)).isoformat(), "description": "已安装并联调"},
        ),
        (
            supervisor,
            "acceptance",
            {
                "accepted": True,
                "reviewer": "李处长",
                "opinion": "整改到位",
                "decided_at": (now - timedelta(minutes=30)).isoformat(),
            },
        ),
        (
            supervisor,
            "delisting",
            {"delisted_at": (now - timedelta(minutes=10)).isoformat(), "authority": "威海市安委会"},
        ),
    ]
    for client, path, body in steps:
        step = client.post(f"/hazards/{hazard_id}/{path}", json=body)
        assert step.status_code == 200, f"{path}: {step.text}"

    wrong = company.post(f"/hazards/{hazard_id}/void", json={"reason": "不想要了"})
    assert wrong.status_code in (403, 409) and wrong.headers["content-type"] == "application/problem+json"

    history = inspector.get(f"/hazards/{hazard_id}/history").json()
    assert [e["type"] for e in history] == [
        "hazard.found",
        "hazard.escalated",
        "hazard.plan_set",
        "hazard.rectified",
        "hazard.accepted",
        "hazard.delisted",
    ]
    assert history[2]["actor"]["name"] == "冷库安全员"

    def counted() -> dict[str, Any] | None:
        now = figures()
        return (
            now
            if now["department_inspection_major_rectified"] > before["department_inspection_major_rectified"]
            else None
        )

    added = {key: value - before[key] for key, value in _eventually(counted).items()}
    assert added == {
        "department_inspection_major_found": 1,
        "department_inspection_major_rectified": 1,
        "listed_major": 1,
        "listed_major_rectified": 1,
        "self_inspection_major_found": 0,
    }

    xlsx = supervisor.get("/reports/monthly.xlsx", params={"period": period, "region_code": "3710"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

    outside = supervisor.get("/reports/monthly", params={"period": period, "region_code": "3701"})
    assert outside.status_code == 403

    feed = admin.get("/events", params={"type": "hazard.found", "region_code": "3710"}).json()
    assert hazard_id in [event["subject"] for event in feed["items"]]
