"""Idempotency-Key against the real hazard service: a replay is the first answer (one hazard),
another body is 422, a twin sent while the first is still in flight gets the first answer too
(the service holds the key) — and a service that is down is a 503 that leaves the key free."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from tests.integration.gateway.conftest import ADMIN_KEY, PROBLEM, Stack, hazard_body


async def _count(stack: Stack, enterprise_id: str) -> int:
    listed = await stack.client.get(
        "/api/v1/hazards", params={"enterprise_id": enterprise_id}, headers=stack.as_(ADMIN_KEY)
    )
    return len(listed.json()["items"])


async def test_a_replay_returns_the_first_response_and_creates_nothing(stack: Stack) -> None:
    enterprise_id = await stack.enterprise("371002")
    body = hazard_body(enterprise_id)
    headers = {**stack.as_(ADMIN_KEY), "Idempotency-Key": "report-1"}
    first = await stack.client.post("/api/v1/hazards", json=body, headers=headers)
    again = await stack.client.post("/api/v1/hazards", json=dict(reversed(body.items())), headers=headers)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"] == f"/api/v1/hazards/{first.json()['id']}"
    assert again.headers["etag"] == '"1"' and await _count(stack, enterprise_id) == 1

    changed = await stack.client.post("/api/v1/hazards", json={**body, "title": "另一个隐患"}, headers=headers)
    assert changed.status_code == 422 and changed.headers["content-type"] == PROBLEM
    assert changed.json()["errors"] == [{"field": "Idempotency-Key", "reason": changed.json()["errors"][0]["reason"]}]

    # The same key from another client is another request.
    other = await stack.key(role="platform", name="省平台", region_code="37")
    theirs = await stack.client.post(
        "/api/v1/hazards", json=body, headers={**stack.as_(other), "Idempotency-Key": "report-1"}
    )
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    assert await _count(stack, enterprise_id) == 2


async def test_a_twin_while_the_first_is_in_flight_gets_the_first_answer(stack: Stack, tmp_path: Path) -> None:
    enterprise_id = await stack.enterprise("371002")
    headers = {**stack.as_(ADMIN_KEY), "Idempotency-Key": "slow-1"}
    body = hazard_body(enterprise_id)
    lock = sqlite3.connect(tmp_path / "hazard.db", isolation_level=None, timeout=10)
    lock.execute("BEGIN IMMEDIATE")  # the hazard service's write now waits for us
    try:
        first = asyncio.create_task(stack.client.post("/api/v1/hazards", json=body, headers=headers))
        await asyncio.sleep(0.5)
        twin = asyncio.create_task(stack.client.post("/api/v1/hazards", json=body, headers=headers))
        await asyncio.sleep(0.5)
    finally:
        lock.rollback()
        lock.close()
    original, twinned = await first, await twin
    assert original.status_code == twinned.status_code == 201 and twinned.json() == original.json()
    assert {original.headers.get("idempotent-replayed"), twinned.headers.get("idempotent-replayed")} == {None, "true"}
    replay = await stack.client.post("/api/v1/hazards", json=body, headers=headers)
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == original.json() and await _count(stack, enterprise_id) == 1


async def test_the_service_answers_a_retry_the_gateway_never_saw_answered(stack: Stack, tmp_path: Path) -> None:
    """The gateway's copy lost (as when it is killed between the service's answer and its own
    write): the retry goes on to the service, which has the key with the hazard."""
    enterprise_id = await stack.enterprise("371002")
    headers, body = {**stack.as_(ADMIN_KEY), "Idempotency-Key": "lost-1"}, hazard_body(enterprise_id)
    first = await stack.client.post("/api/v1/hazards", json=body, headers=headers)
    gateway_db = sqlite3.connect(tmp_path / "gateway.db")
    gateway_db.execute("DELETE FROM idempotency_records")
    gateway_db.commit()
    gateway_db.close()
    again = await stack.client.post("/api/v1/hazards", json=body, headers=headers)
    assert again.status_code == 201 and again.content == first.content
    assert again.headers["idempotent-replayed"] == "true" and again.headers["location"] == first.headers["location"]
    assert await _count(stack, enterprise_id) == 1


async def test_a_service_that_is_down_is_503_and_the_key_may_be_retried(stack: Stack) -> None:
    enterprise_id = await stack.enterprise("371002")
    down = await stack.client.get("/api/v1/enterprises", headers=stack.as_(ADMIN_KEY))
    assert down.status_code == 503 and down.headers["content-type"] == PROBLEM
    assert int(down.headers["retry-after"]) > 0 and down.json()["service"] == "enterprise"

    await stack.hazard.stop()
    headers = {**stack.as_(ADMIN_KEY), "Idempotency-Key": "while-down"}
    body = hazard_body(enterprise_id)
    for answer in (
        await stack.client.get("/api/v1/hazards", headers=stack.as_(ADMIN_KEY)),
        await stack.client.post("/api/v1/hazards", json=body, headers=headers),
    ):
        assert (
            answer.status_code == 503 and answer.headers["content-type"] == PROBLEM and "retry-after" in answer.headers
        )

    await stack.hazard.start()
    retried = await stack.client.post("/api/v1/hazards", json=body, headers=headers)
    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers
