"""The event feed over REST and SSE, read from the real JetStream streams through the gateway,
and a caller authenticated by a JWT from the configured issuer."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest

from hl_gateway.entrypoints.app import create_app
from hl_stack.nats_server import free_port
from tests.integration.gateway.conftest import ADMIN_KEY, PROBLEM, Served, Stack, gateway_settings


async def _events(stack: Stack, key: str, want: int, **params: Any) -> dict[str, Any]:
    """The first page once it holds `want` events (the outbox relay publishes asynchronously)."""
    async with asyncio.timeout(15):
        while True:
            page = await stack.client.get("/api/v1/events", params=params, headers=stack.as_(key))
            assert page.status_code == 200, page.text
            if len(page.json()["items"]) >= want:
                return dict(page.json())
            await asyncio.sleep(0.1)


async def test_the_feed_is_in_order_filtered_to_the_callers_region_and_resumable(stack: Stack) -> None:
    weihai = await stack.enterprise("371002")
    jinan = await stack.enterprise("370102")
    first = await stack.report(weihai)
    await stack.report(jinan)
    second = await stack.report(weihai)
    bureau = await stack.key(role="bureau", name="威海市市场监管局", region_code="3710")

    page = await _events(stack, bureau, 3)
    kinds = [(e["type"], e["subject"]) for e in page["items"]]
    assert kinds == [("enterprise.registered", weihai), ("hazard.found", first["id"]), ("hazard.found", second["id"])]
    assert all(e["regioncode"].startswith("3710") and e["specversion"] == "1.0" for e in page["items"])

    found = await stack.client.get(
        "/api/v1/events", params={"type": "hazard.found", "limit": 1}, headers=stack.as_(bureau)
    )
    assert [e["subject"] for e in found.json()["items"]] == [first["id"]]
    rest = await stack.client.get(
        "/api/v1/events",
        params={"type": "hazard.found", "after": found.json()["next_cursor"]},
        headers=stack.as_(bureau),
    )
    assert [e["subject"] for e in rest.json()["items"]] == [second["id"]]
    done = await stack.client.get("/api/v1/events", params={"after": page["next_cursor"]}, headers=stack.as_(bureau))
    assert done.json()["items"] == [] and done.json()["next_cursor"] == page["next_cursor"]

    everywhere = await _events(stack, ADMIN_KEY, 5)
    assert {e["regioncode"] for e in everywhere["items"]} == {"371002", "370102"}
    outside = await stack.client.get("/api/v1/events", params={"region_code": "3701"}, headers=stack.as_(bureau))
    assert outside.status_code == 403 and outside.headers["content-type"] == PROBLEM
    forged = await stack.client.get("/api/v1/events", params={"after": "not-ours"}, headers=stack.as_(bureau))
    assert forged.status_code == 422 and forged.json()["errors"][0]["field"] == "after"
    enterprise_user = await stack.key(role="enterprise", name="企业", enterprise_id=weihai)
    assert (await stack.client.get("/api/v1/events", headers=stack.as_(enterprise_user))).status_code == 403


async def _sse(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, str]]:
    frame: dict[str, str] = {}
    async for line in lines:
        if not line:
            if frame:
                yield frame
            frame = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(": ")
            frame[name] = value


async def test_server_sent_events_follow_the_log_live(stack: Stack) -> None:
    weihai = await stack.enterprise("371002")
    await _events(stack, ADMIN_KEY, 1)
    params = {"type": "hazard", "region_code": "3710"}
    async with stack.client.stream("GET", "/api/v1/events/stream", params=params, headers=stack.as_(ADMIN_KEY)) as s:
        assert s.status_code == 200 and s.headers["content-type"].startswith("text/event-stream")
        reported = await stack.report(weihai)
        async with asyncio.timeout(15):
            frame = await anext(_sse(s.aiter_lines()))
    assert frame["event"] == "hazard.found" and json.loads(frame["data"])["subject"] == reported["id"]
    resumed = await stack.client.get(
        "/api/v1/events", params={**params, "after": frame["id"]}, headers=stack.as_(ADMIN_KEY)
    )
    assert resumed.json()["items"] == []  # the SSE id is a cursor for the same filter


SECRET = "integration-jwt-secret-long-enough-for-hs256"


@pytest.fixture
async def jwt_gateway(stack: Stack, tmp_path: Path) -> AsyncIterator[Served]:
    settings = gateway_settings(
        tmp_path, stack.nats_url, stack.hazard.url, jwt_issuer="https://sso.test", jwt_secret=SECRET
    )
    gateway = await Served(lambda: create_app(settings), free_port()).start()
    try:
        yield gateway
    finally:
        await gateway.stop()


async def test_a_jwt_from_the_issuer_is_a_caller_scoped_by_its_claims(stack: Stack, jwt_gateway: Served) -> None:
    weihai = await stack.enterprise("371002")
    hazard = await stack.report(weihai)
    claims = {"iss": "https://sso.test", "aud": "hazard-ledger", "sub": "sso-7", "exp": int(time.time()) + 60}
    inside = jwt.encode({**claims, "role": "inspector", "region_code": "3710", "name": "王检查"}, SECRET, "HS256")
    outside = jwt.encode({**claims, "role": "inspector", "region_code": "3701", "name": "李检查"}, SECRET, "HS256")
    url = f"{jwt_gateway.url}/api/v1/hazards/{hazard['id']}"
    assert (await stack.client.get(url, headers={"Authorization": f"Bearer {inside}"})).status_code == 200
    assert (await stack.client.get(url, headers={"Authorization": f"Bearer {outside}"})).status_code == 404
    forged = jwt.encode({**claims, "role": "admin"}, "another-secret-also-long-enough-for-hs256", "HS256")
    assert (await stack.client.get(url, headers={"Authorization": f"Bearer {forged}"})).status_code == 401


async def _ends_within(lines: AsyncIterator[str], seconds: float) -> list[dict[str, str]]:
    """The frames a stream still sends until it ends; fails if it has not ended in `seconds`."""
    frames = []
    async with asyncio.timeout(seconds):
        async for frame in _sse(lines):
            frames.append(frame)
    return frames


async def test_a_revoked_key_ends_its_open_stream(stack: Stack, tmp_path: Path) -> None:
    """Revoked through this gateway: at once (the stream checks before every frame and at every
    idle poll). Revoked elsewhere (another replica, the CLI: only the database knows): within the
    key cache's window (3 s) and a poll."""
    weihai = await stack.enterprise("371002")
    await _events(stack, ADMIN_KEY, 1)
    for revoke_elsewhere in (False, True):
        bureau = await stack.key(role="bureau", name="威海市市场监管局", region_code="3710")
        key_id = next(
            k["id"]
            for k in (await stack.client.get("/api/v1/api-keys", headers=stack.as_(ADMIN_KEY))).json()["items"]
            if k["prefix"] == bureau[:8]
        )
        async with stack.client.stream("GET", "/api/v1/events/stream", headers=stack.as_(bureau)) as s:
            assert s.status_code == 200
            lines = s.aiter_lines()
            before = await stack.report(weihai)
            async with asyncio.timeout(15):
                async for frame in _sse(lines):
                    if json.loads(frame["data"])["subject"] == before["id"]:
                        break
            if revoke_elsewhere:
                db = sqlite3.connect(tmp_path / "gateway.db")
                db.execute(
                    "UPDATE api_keys SET revoked_at = ? WHERE id = ?", (datetime.now(UTC).isoformat(" "), key_id)
                )
                db.commit()
                db.close()
            else:
                revoked = await stack.client.delete(f"/api/v1/api-keys/{key_id}", headers=stack.as_(ADMIN_KEY))
                assert revoked.status_code == 204
            started = time.monotonic()
            after = await stack.report(weihai)
            frames = await _ends_within(lines, 3 + 1 + 3)
            took = time.monotonic() - started
        if not revoke_elsewhere:  # this gateway knew at once: not one event more
            assert after["id"] not in {json.loads(f["data"])["subject"] for f in frames if "data" in f}
        assert took < (3 + 1.5 if revoke_elsewhere else 1.5), took
        assert (await stack.client.get("/api/v1/events", headers=stack.as_(bureau))).status_code == 401
