"""Backfill through the running system: hazards with their history sent to the gateway, each
answered on its own, published once, counted once by reporting, and a re-sent batch changing
nothing (the same hazards, no new events in the stream, the same figures)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from tests.e2e.conftest import Stack
from tests.e2e.test_lifecycle import _figure, _key, _period_covering_today
from tests.support.uscc import random_uscc

COUNTED = ("self_inspection_major_found", "self_inspection_major_rectified", "listed_major", "listed_major_rectified")
COMPANY = {"role": "enterprise", "name": "冷库安全员"}
CITY = {"role": "supervisor", "name": "威海市安委办", "level": "city"}
SENT_TYPES = {"hazard.found", "hazard.plan_set", "hazard.escalated", "hazard.rectified", "hazard.accepted"}
SENT_TYPES |= {"hazard.delisted"}


def _eventually(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)
    return result


def _at(minutes_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


def _listed_major(key: str, enterprise_id: str) -> dict[str, Any]:
    deadline = (date.today() + timedelta(days=30)).isoformat()
    return {
        "key": key,
        "actor": COMPANY,
        "hazard": {
            "enterprise_id": enterprise_id,
            "source": "self_inspection",
            "level": "major",
            "title": "液氨储罐区未设置泄漏报警装置",
            "found_at": _at(120),
            "found_by": "冷库安全员",
            "production_halt": "partial",
        },
        "steps": [
            {"step": "escalation", "actor": CITY, "level": "city", "authority": "威海市安委办", "reason": "重大隐患"}
            | {"deadline": deadline, "escalated_at": _at(110)},
            {"step": "plan", "actor": COMPANY, "responsible_person": "李四", "measures": "增设报警装置"}
            | {"funds_yuan": "8000", "deadline": deadline, "emergency_plan": "泄漏预案", "decided_at": _at(100)},
            {"step": "rectification", "actor": COMPANY, "completed_at": _at(60)},
            {"step": "acceptance", "actor": CITY, "accepted": True, "reviewer": "王检查", "decided_at": _at(30)},
            {"step": "delisting", "actor": CITY, "delisted_at": _at(10), "authority": "威海市安委办"},
        ],
    }


def _sent_events(admin: httpx.Client, hazard_ids: set[str]) -> int:
    """How many events of the sent types the feed holds for these hazards (walked from its start)."""
    seen, cursor = 0, None
    for _ in range(200):  # bounded: the session's stack holds a few thousand events at most
        page = admin.get("/events", params={"limit": 500, **({"after": cursor} if cursor else {})}).json()
        seen += sum(1 for e in page["items"] if e["subject"] in hazard_ids and e["type"] in SENT_TYPES)
        if not page["items"] or not page.get("next_cursor"):
            return seen
        cursor = page["next_cursor"]
    raise AssertionError("the feed did not end")


def test_backfill_is_counted_once_and_a_resend_changes_nothing(stack: Stack) -> None:
    admin = stack.client()
    platform = stack.client(_key(admin, role="platform", name="省平台", region_code="37"))
    supervisor = stack.client(_key(admin, role="supervisor", name="威海市安委办", region_code="3710", level="city"))
    period = _period_covering_today()

    def figures() -> dict[str, Any]:
        table = supervisor.get("/reports/monthly", params={"period": period, "region_code": "3710"}).json()
        return {key: _figure(table, key) for key in COUNTED}

    profile = {"uscc": random_uscc(), "name": "威海某冷库有限公司", "region_code": "371002"}
    profile |= {"industry": "metallurgy_industry_trade", "principal": {"name": "赵总", "phone": "13806310000"}}
    enterprise_id = admin.post("/enterprises", json=profile).json()["id"]
    before = figures()

    bad = _listed_major("e2e-bad", enterprise_id)
    bad["steps"][3]["actor"] = COMPANY  # rule 5: never accepted by the enterprise itself
    batch = {"items": [_listed_major("e2e-1", enterprise_id), bad]}

    def sent() -> dict[str, Any] | None:
        answer = platform.post("/hazard-backfills", json=batch)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body if body["items"][0]["outcome"] == "created" else None  # until the replica knows it

    first = _eventually(sent)
    assert (first["created"], first["duplicate"], first["invalid"]) == (1, 0, 1)
    assert (first["items"][1]["field"], first["items"][1]["status"]) == ("/steps/3/actor", 403)
    hazard_id = first["items"][0]["hazard_id"]

    added = _eventually(lambda: (now := figures())["listed_major_rectified"] > before["listed_major_rectified"] and now)
    assert {key: added[key] - before[key] for key in COUNTED} == dict.fromkeys(COUNTED, 1)
    assert _eventually(lambda: _sent_events(admin, {hazard_id}) == 6)

    again = platform.post("/hazard-backfills", json=batch).json()
    assert [item["outcome"] for item in again["items"]] == ["duplicate", "invalid"]
    assert again["items"][0]["hazard_id"] == hazard_id and again["items"][1] == first["items"][1]
    time.sleep(2)  # what a second write would take to reach the stream and the read model
    assert _sent_events(admin, {hazard_id}) == 6
    assert figures() == added

    history = platform.get(f"/hazards/{hazard_id}/history").json()
    assert [entry["actor"]["role"] for entry in history[:3]] == ["enterprise", "supervisor", "enterprise"]
