"""A month of Weihai through the public API, for the console's browser tests.

The month is the previous calendar month (`period`), so that every business time is in the past and
before the 24th: enterprises in 环翠区, 文登区, 高区 and 荣成市; major hazards rectified, listed
and overdue, listed with days left; general ones; a spot inspection and a penalty; 环翠区's own
report submitted. Waits until the reports show all of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.support.uscc import random_uscc

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Month:
    period: str
    city_key: str  # a city supervisor of 威海市 (3710)
    county_key: str  # a county supervisor of 环翠区 (371002)
    inspector_key: str  # an inspector of 文登区 (371003)
    enterprise_key: str  # an enterprise user (may not use the console)


def previous_period(today: date | None = None) -> str:
    first = (today or datetime.now(SHANGHAI).date()).replace(day=1)
    last_month = first - timedelta(days=1)
    return f"{last_month:%Y-%m}"


def eventually(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)


def key(admin: httpx.Client, **identity: Any) -> str:
    answer = admin.post("/api-keys", json=identity)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["key"])


def figure(table: dict[str, Any], key_: str) -> Any:
    for section in table["sections"]:
        for row in section["rows"]:
            for item in row["figures"]:
                if item["key"] == key_:
                    return item["value"]
    raise KeyError(key_)


class Seeder:
    def __init__(self, admin: httpx.Client, period: str) -> None:
        self.admin = admin
        self.period = period
        self.year, self.month = int(period[:4]), int(period[5:7])

    def at(self, day: int, hour: int = 10) -> str:
        return datetime(self.year, self.month, day, hour, tzinfo=SHANGHAI).isoformat()

    def day(self, day: int) -> str:
        return date(self.year, self.month, day).isoformat()

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer: httpx.Response = eventually(lambda: _unless_catching_up(self.admin.post(path, json=body)))
        assert answer.status_code in (200, 201), f"{path}: {answer.status_code} {answer.text}"
        result: dict[str, Any] = answer.json()
        return result

    def enterprise(self, name: str, region: str, industry: str = "hazardous_chemicals") -> str:
        body = {
            "uscc": random_uscc(),
            "name": name,
            "region_code": region,
            "industry": industry,
            "principal": {"name": "赵总", "phone": "13806310000"},
            "high_risk": True,
        }
        return str(self.post("/enterprises", body)["id"])

    def hazard(self, enterprise: str, source: str, level: str, title: str, day: int, **extra: Any) -> str:
        body = {
            "enterprise_id": enterprise,
            "source": source,
            "level": level,
            "title": title,
            "found_at": self.at(day),
            "found_by": "王检查",
            **({"production_halt": "partial"} if level == "major" else {}),
            **extra,
        }
        return str(self.post("/hazards", body)["id"])

    def rectified(self, hazard: str, plan_day: int, deadline_day: int, fixed_day: int) -> None:
        plan = {
            "responsible_person": "赵总",
            "measures": "更换设备并加装报警",
            "funds_yuan": "120000",
            "deadline": self.day(deadline_day),
            "emergency_plan": "专项应急预案",
        }
        self.post(f"/hazards/{hazard}/plan", plan)
        self.post(f"/hazards/{hazard}/rectification", {"completed_at": self.at(fixed_day), "description": "已整改"})

    def listed(self, hazard: str, day: int, deadline: str) -> None:
        body = {
            "level": "city",
            "authority": "威海市安委会",
            "deadline": deadline,
            "reason": "重大事故隐患挂牌督办",
            "escalated_at": self.at(day),
        }
        self.post(f"/hazards/{hazard}/escalation", body)


def _unless_catching_up(answer: httpx.Response) -> httpx.Response | None:
    """None while a service's replica of enterprises has not caught up (409 not registered yet)."""
    return None if answer.status_code == 409 and "enterprise" in answer.text else answer


def seed_month(admin: httpx.Client, period: str | None = None) -> Month:
    period = period or previous_period()
    s = Seeder(admin, period)
    huancui = s.enterprise("威海某液氨冷库有限公司", "371002100")
    wendeng = s.enterprise("文登某化工有限公司", "371003")
    torch = s.enterprise("高区某电子有限公司", "371071", "metallurgy_industry_trade")
    rongcheng = s.enterprise("荣成某渔业有限公司", "371082", "fishing_vessels")

    fixed = s.hazard(huancui, "self_inspection", "major", "液氨制冷车间未设置氨气泄漏报警", 3)
    s.rectified(fixed, 4, 20, 12)
    overdue = s.hazard(huancui, "department_inspection", "major", "储罐区防火堤破损", 5)
    s.listed(overdue, 6, s.day(15))  # listed with a deadline now past: overdue
    s.hazard(wendeng, "self_inspection", "general", "灭火器过期", 7, rectify_immediately=True)
    listed = s.hazard(wendeng, "department_inspection", "major", "反应釜未设置紧急切断装置", 8)
    s.listed(listed, 9, (datetime.now(UTC) + timedelta(days=60)).date().isoformat())
    s.hazard(torch, "self_inspection", "major", "粉尘除尘系统未设置泄爆装置", 9)
    s.hazard(rongcheng, "self_inspection", "general", "安全出口堵塞", 10)
    s.post(
        f"/enterprises/{huancui}/inspections",
        {"department": "威海市应急管理局", "inspected_on": s.day(10), "findings": ["no_emergency_drill"]},
    )
    penalty = {
        "kind": "administrative_penalty",
        "department": "文登区应急管理局",
        "decided_on": s.day(11),
        "amount_wan": "2.5",
    }
    s.post(f"/enterprises/{wendeng}/enforcement-actions", penalty)

    month = Month(
        period=period,
        city_key=key(admin, role="supervisor", name="威海市安委办", region_code="3710", level="city"),
        county_key=key(admin, role="supervisor", name="环翠区安委办", region_code="371002", level="county"),
        inspector_key=key(
            admin, role="inspector", name="文登检查员", region_code="371003", department="文登区应急管理局"
        ),
        enterprise_key=key(admin, role="enterprise", name="冷库安全员", region_code="371002", enterprise_id=huancui),
    )
    _wait_for_reports(admin, period)
    submission = {"region_code": "371002", "filled_by": "张填表", "reviewed_by": "李审核", "section_four": {}}
    s.post(f"/reports/monthly/{period}/submissions", submission)
    return month


def _wait_for_reports(admin: httpx.Client, period: str) -> None:
    def complete() -> bool:
        table = admin.get("/reports/monthly", params={"period": period, "region_code": "3710"}).json()
        listed = admin.get("/reports/supervision-list", params={"region_code": "3710"}).json()
        overdue = admin.get("/reports/supervision-list", params={"region_code": "3710", "overdue": True}).json()
        return (
            figure(table, "major_found") == 4
            and figure(table, "general_found") == 2
            and figure(table, "enterprises_inspected") == 1
            and figure(table, "administrative_penalties") == 1
            and len(listed["items"]) == 2
            and len(overdue["items"]) == 1
        )

    eventually(complete, timeout=60)
