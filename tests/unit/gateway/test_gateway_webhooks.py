"""The gateway's webhook routes with the webhooks service faked: only API-key identities subscribe,
a replayed creation never shows the secret again, and the owner-status route is for services only."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest

from hl_platform.identity import TOKEN_HEADER
from tests.unit.gateway.test_gateway_http import ADMIN_KEY, TOKEN, Harness, _harness, auth

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
ISSUER = "https://idp.example.gov.cn"
BODY = {"url": "https://platform.example.gov.cn/hook", "event_types": ["hazard.*"]}


@pytest.fixture
async def gw(tmp_path: Path) -> AsyncIterator[Harness]:
    overrides = {"jwt_issuer": ISSUER, "jwt_secret": SECRET, "webhooks_url": "http://webhooks"}
    async for harness in _harness(tmp_path, **overrides):
        yield harness


def _jwt() -> str:
    claims = {"iss": ISSUER, "aud": "hazard-ledger", "sub": "u-1", "exp": int(time.time()) + 60}
    return jwt.encode({**claims, "role": "platform", "name": "平台", "region_code": "37"}, SECRET, "HS256")


async def _created(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json={"id": "w-1", "secret": "whsec_abc"}, headers={"Location": "/webhooks/w-1"})


async def test_an_api_key_identity_subscribes_and_a_replay_hides_the_secret(gw: Harness) -> None:
    gw.services.answer = _created
    key = await gw.key(role="platform", name="省平台", region_code="37")
    headers = {**auth(key), "Idempotency-Key": "k-1"}
    first = await gw.client.post("/api/v1/webhooks", json=BODY, headers=headers)
    assert first.status_code == 201 and first.json()["secret"] == "whsec_abc"
    assert first.headers["location"] == "/api/v1/webhooks/w-1"
    sent = gw.services.seen[-1]
    assert (sent.method, str(sent.url)) == (
        "POST",
        "http://webhooks/webhooks",
    ) and gw.services.caller().role == "platform"
    replay = await gw.client.post("/api/v1/webhooks", json=BODY, headers=headers)
    assert replay.headers["idempotent-replayed"] == "true" and replay.json()["secret"] == ""
    assert len(gw.services.seen) == 1


async def test_a_jwt_identity_may_not_subscribe_nor_an_enterprise_user(gw: Harness) -> None:
    gw.services.answer = _created
    refused = await gw.client.post("/api/v1/webhooks", json=BODY, headers=auth(_jwt()))
    assert refused.status_code == 403 and "API key" in refused.json()["detail"]
    enterprise = await gw.key(role="enterprise", name="企业用户", enterprise_id="e-1")
    assert (await gw.client.post("/api/v1/webhooks", json=BODY, headers=auth(enterprise))).status_code == 403
    assert gw.services.seen == [], "neither reached the webhooks service"


async def test_the_owner_status_route_answers_services_only(gw: Harness) -> None:
    issued = await gw.client.post(
        "/api/v1/api-keys", json={"role": "bureau", "name": "住建局", "region_code": "3710"}, headers=auth(ADMIN_KEY)
    )
    key_id = issued.json()["id"]
    path = f"/internal/identities/{key_id}"
    assert (await gw.client.get(path)).status_code == 401
    assert (await gw.client.get(path, headers={TOKEN_HEADER: "wrong"})).status_code == 401
    assert (await gw.client.get(path, headers={TOKEN_HEADER: TOKEN})).json() == {"id": key_id, "active": True}
    await gw.client.delete(f"/api/v1/api-keys/{key_id}", headers=auth(ADMIN_KEY))
    assert (await gw.client.get(path, headers={TOKEN_HEADER: TOKEN})).json()["active"] is False
    assert (await gw.client.get("/internal/identities/nope", headers={TOKEN_HEADER: TOKEN})).status_code == 404
    document = (await gw.client.get("/openapi.json")).json()
    assert not any(p.startswith("/internal") for p in document["paths"]), "internal, not in the public contract"
