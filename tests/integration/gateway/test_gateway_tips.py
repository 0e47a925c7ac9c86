"""The tips routes through the gateway, with the REAL tips and hazard services behind it: no key
for the public, a per-address limit, the officers' roles, and a verification recorded in the hazard
service — including the step that fails and its retry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hl_stack.nats_server import NatsServer
from tests.integration.gateway.conftest import PROBLEM, Trio, started_trio
from tests.support.tips import register_enterprise, tip_body

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def trio(nats_server: NatsServer, tmp_path: Path) -> AsyncIterator[Trio]:
    async with started_trio(nats_server, tmp_path, public_rate_limit_per_s=0.01, public_rate_limit_burst=6) as started:
        yield started


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def test_the_public_files_without_a_key_within_a_per_address_limit(trio: Trio) -> None:
    filed = await trio.client.post("/api/v1/public/tips", json=tip_body())
    assert filed.status_code == 201, filed.text
    number, secret = filed.json()["tracking_number"], filed.json()["secret"]
    status = await trio.client.get(f"/api/v1/public/tips/{number}", headers={"Tip-Secret": secret})
    assert status.status_code == 200 and status.json()["status"] == "filed"
    missing = await trio.client.get(f"/api/v1/public/tips/{number}")
    assert missing.status_code == 422 and missing.headers["content-type"] == PROBLEM  # the header is required
    answers = [await trio.client.get(f"/api/v1/public/tips/{number}", headers={"Tip-Secret": secret}) for _ in range(4)]
    limited = [answer for answer in answers if answer.status_code == 429]
    assert limited and int(limited[0].headers["Retry-After"]) >= 1  # the address spent its burst of 6
    inspector = await trio.key(role="inspector", name="王检查", region_code="3710")
    assert (await trio.client.get("/api/v1/tips", headers=inspector)).status_code == 200  # keyed callers go on


async def test_only_officers_read_tips_and_only_inspectors_open_identities(trio: Trio) -> None:
    for role, extra in (("enterprise", {"enterprise_id": "e-1"}), ("bureau", {}), ("platform", {})):
        caller = await trio.key(role=role, name=role, region_code="3710", **extra)
        refused = await trio.client.get("/api/v1/tips", headers=caller)
        assert refused.status_code == 403 and refused.json()["title"] == "Forbidden", role
    supervisor = await trio.key(role="supervisor", name="市安委办", region_code="3710", level="city")
    assert (await trio.client.get("/api/v1/tips", headers=supervisor)).status_code == 200
    view = await trio.client.post("/api/v1/tips/x/identity-views", json={"purpose": "protection"}, headers=supervisor)
    assert view.status_code == 403


async def test_a_hazard_finding_records_the_hazard_and_a_failed_step_is_finished_later(trio: Trio) -> None:
    enterprise = await register_enterprise(trio.nats_url)
    inspector = await trio.key(role="inspector", name="王检查", region_code="3710", department="威海市应急管理局")
    await trio.client.post("/api/v1/public/tips", json=tip_body(uscc=enterprise.uscc))
    tip_id = (await trio.client.get("/api/v1/tips", headers=inspector)).json()["items"][0]["id"]
    body = {
        "finding": "major_hazard",
        "enterprise_id": enterprise.id,
        "hazard": {"title": "液氨储罐区报警器关闭", "found_by": "王检查"},  # a major hazard needs production_halt
    }
    async with asyncio.timeout(20):
        while True:  # until both replicas know the enterprise
            answer = await trio.client.post(
                f"/api/v1/tips/{tip_id}/verification", json={**body, "decided_at": _now()}, headers=inspector
            )
            if not (
                answer.status_code in (409, 422) and "enterprise" in answer.text and "tip_verified" not in answer.text
            ):
                break
            await asyncio.sleep(0.1)
    assert answer.status_code == 422 and answer.json()["tip_verified"] is True, answer.text
    assert f"POST /api/v1/tips/{tip_id}/hazard" in answer.json()["detail"]
    tip = (await trio.client.get(f"/api/v1/tips/{tip_id}", headers=inspector)).json()
    assert tip["status"] == "verified" and tip["hazard_id"] is None

    details = {**body["hazard"], "production_halt": "partial"}
    headers = {**inspector, "Idempotency-Key": "finish-hazard-1"}
    finished = await trio.client.post(f"/api/v1/tips/{tip_id}/hazard", json=details, headers=headers)
    assert finished.status_code == 200, finished.text
    hazard_id = finished.json()["hazard_id"]
    again = await trio.client.post(f"/api/v1/tips/{tip_id}/hazard", json=details, headers=headers)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json()["hazard_id"] == hazard_id
    hazard = (await trio.client.get(f"/api/v1/hazards/{hazard_id}", headers=inspector)).json()
    assert hazard["source"] == "public_report" and hazard["enterprise_id"] == enterprise.id
    listed = (await trio.client.get("/api/v1/hazards", params={"source": "public_report"}, headers=inspector)).json()
    assert [item["id"] for item in listed["items"]] == [hazard_id]  # one hazard, however often it was asked
