"""One major hazard through the production stack's gateway, from report to delisting, counted in
the dispatch table served by the reporting replicas."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.production.load import api, county, dispatch_figures, issue_key
from tests.production.stack import Stack

pytestmark = [pytest.mark.timeout(300)]


async def test_every_service_is_a_container_and_reporting_runs_twice(stack: Stack) -> None:
    for service, replicas in {"nats-1": 1, "nats-2": 1, "nats-3": 1, "postgres": 1, "s3": 1, "hazard": 1,
                              "enterprise": 1, "tips": 1, "webhooks": 1, "gateway": 1,
                              "reporting": 2}.items():  # fmt: skip
        containers = stack.containers(service)
        assert len(containers) == replicas, (service, containers)
        assert all(stack.healthy(c) for c in containers), service
    ours = ("hazard", "enterprise", "reporting", "tips", "webhooks", "gateway")
    for service in ours:
        assert stack.exit_code(stack.container(f"migrate-{service}")) == 0, "its one-shot migration ran"
    images = {stack.image(stack.container(s)) for s in ours}
    assert len(images) == 1, "one image for the six services"


async def test_a_major_hazard_from_report_to_delisting_is_counted(stack: Stack) -> None:
    place = await county(stack, "371002", "威海某液氨冷库有限公司")
    company_key = await issue_key(
        stack, role="enterprise", name="冷库安全员", region_code="371002", enterprise_id=place.enterprise_id
    )
    now = datetime.now(UTC)
    found_at = now - timedelta(hours=3)
    report = {
        "enterprise_id": place.enterprise_id,
        "source": "department_inspection",
        "level": "major",
        "title": "液氨制冷车间未设置氨气泄漏报警",
        "found_at": found_at.isoformat(),
        "found_by": "王检查",
        "production_halt": "partial",
    }
    async with (
        api(stack, place.inspector) as inspector,
        api(stack, place.supervisor) as supervisor,
        api(stack, company_key) as company,
    ):
        for _ in range(100):  # the hazard service learns of the enterprise from its stream
            answer = await inspector.post("/hazards", json=report)
            if answer.status_code != 409:
                break
        assert answer.status_code == 201, answer.text
        hazard_id = answer.json()["id"]
        steps = [
            (supervisor, "escalation", {"level": "city", "authority": "威海市安委会", "reason": "重大事故隐患挂牌督办",
                                        "deadline": (now + timedelta(days=60)).date().isoformat(),
                                        "escalated_at": (now - timedelta(hours=2)).isoformat()}),
            (company, "plan", {"responsible_person": "赵总", "measures": "加装氨气泄漏报警并联动风机",
                               "funds_yuan": "85000", "deadline": (now + timedelta(days=30)).date().isoformat(),
                               "emergency_plan": "氨泄漏专项应急预案"}),
            (company, "rectification", {"completed_at": (now - timedelta(hours=1)).isoformat(),
                                        "description": "已安装并联调"}),
            (supervisor, "acceptance", {"accepted": True, "reviewer": "李处长", "opinion": "整改到位",
                                        "decided_at": (now - timedelta(minutes=30)).isoformat()}),
            (supervisor, "delisting", {"delisted_at": (now - timedelta(minutes=10)).isoformat(),
                                       "authority": "威海市安委会"}),
        ]  # fmt: skip
        for client, path, body in steps:
            step = await client.post(f"/hazards/{hazard_id}/{path}", json=body)
            assert step.status_code == 200, f"{path}: {step.text}"
        history = (await inspector.get(f"/hazards/{hazard_id}/history")).json()
        assert [e["type"] for e in history] == [
            "hazard.found", "hazard.escalated", "hazard.plan_set", "hazard.rectified", "hazard.accepted",
            "hazard.delisted",
        ]  # fmt: skip

        for _ in range(120):
            figures = await dispatch_figures(stack, place, found_at)
            if figures["department_inspection_major_found"] > place.baseline["department_inspection_major_found"]:
                break
            await asyncio.sleep(0.5)
        counted = {"department_inspection_major_found": 1, "self_inspection_major_found": 0, "major_found": 1,
                   "general_found": 0}  # fmt: skip
        assert figures == {key: place.baseline[key] + value for key, value in counted.items()}
    async with api(stack, stack.admin_key) as admin:
        feed = (await admin.get("/events", params={"type": "hazard.found", "region_code": "371002"})).json()
        assert hazard_id in [event["subject"] for event in feed["items"]], "the event feed reads the R3 stream"
