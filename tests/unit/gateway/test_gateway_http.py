"""The gateway app over HTTP with its services faked (httpx.MockTransport): forwarding, errors,
authentication, idempotency, rate limits, keys and the OpenAPI document."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from hl_gateway.entrypoints.app import create_app
from hl_gateway.settings import GatewaySettings
from hl_platform.identity import CALLER_HEADER, TOKEN_HEADER, Caller
from tests.support.db import migrated

ADMIN_KEY = "hl_unit_admin_key"
TOKEN = "unit-internal-token"
PROBLEM = "application/problem+json"
Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]


@dataclass
class Services:
    """The internal services: records each request, answers with `answer` (JSON 200 by default)."""

    seen: list[httpx.Request] = field(default_factory=list)
    answer: Handler | None = None

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if self.answer is not None:
            return await self.answer(request)
        return httpx.Response(200, json={"ok": True})

    def caller(self, index: int = -1) -> Caller:
        return Caller.decode(self.seen[index].headers[CALLER_HEADER])


@dataclass
class Harness:
    client: httpx.AsyncClient
    services: Services

    async def key(self, **identity: Any) -> str:
        answer = await self.client.post("/api/v1/api-keys", json=identity, headers=auth(ADMIN_KEY))
        assert answer.status_code == 201, answer.text
        return str(answer.json()["key"])


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def _harness(tmp_path: Path, **overrides: Any) -> AsyncIterator[Harness]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await (await migrated("gateway", url)).dispose()
    values: dict[str, Any] = {
        "database_url": url,
        "nats_url": "nats://127.0.0.1:1",
        "internal_token": TOKEN,
        "bootstrap_admin_key": ADMIN_KEY,
        "hazard_url": "http://hazard",
        "enterprise_url": "http://enterprise",
        "reporting_url": "http://reporting",
        "rate_limit_per_s": 1000.0,
        "rate_limit_burst": 1000,
        "metrics_port": 0,  # any free port: tests run side by side
        **overrides,
    }
    services = Services()
    app = create_app(GatewaySettings(**values), transport=httpx.MockTransport(services.handle))
    await app.state.gateway.start()  # the parts we need, without connecting to NATS
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
            yield Harness(client, services)
    finally:
        await app.state.gateway.stop()
        await app.state.runtime.db.dispose()


@pytest.fixture
async def gw(tmp_path: Path) -> AsyncIterator[Harness]:
    async for harness in _harness(tmp_path):
        yield harness


async def test_a_request_is_relayed_as_the_caller_with_the_internal_token(gw: Harness) -> None:
    async def created(request: httpx.Request) -> httpx.Response:
        headers = {"Location": "/hazards/h-1", "ETag": '"3"', "X-Internal": "secret", "Set-Cookie": "a=b"}
        return httpx.Response(201, json={"id": "h-1"}, headers=headers)

    gw.services.answer = created
    key = await gw.key(role="inspector", name="王检查", region_code="3710", department="应急局")
    body = {
        "enterprise_id": "e-1",
        "source": "department_inspection",
        "level": "general",
        "title": " 消防通道堵塞 ",
        "found_at": "2025-05-20T10:00:00+08:00",
        "found_by": "王检查",
    }
    answer = await gw.client.post("/api/v1/hazards", json=body, headers=auth(key))
    assert answer.status_code == 201 and answer.json() == {"id": "h-1"}
    assert answer.headers["location"] == "/api/v1/hazards/h-1" and answer.headers["etag"] == '"3"'
    assert "x-internal" not in answer.headers and "set-cookie" not in answer.headers
    sent = gw.services.seen[-1]
    assert (sent.method, str(sent.url)) == ("POST", "http://hazard/hazards") and sent.headers[TOKEN_HEADER] == TOKEN
    assert gw.services.caller().region_code == "3710" and gw.services.caller().role == "inspector"
    assert json.loads(sent.content)["title"] == "消防通道堵塞"


async def test_query_path_and_if_match_are_passed_through(gw: Harness) -> None:
    headers = auth(ADMIN_KEY)
    await gw.client.get("/api/v1/hazards", params={"listed": "true", "level": "major", "limit": 5}, headers=headers)
    assert dict(gw.services.seen[-1].url.params) == {"listed": "true", "level": "major", "limit": "5"}
    await gw.client.post("/api/v1/hazards/h%3F1/void", json={"reason": "重复"}, headers={**headers, "If-Match": '"4"'})
    sent = gw.services.seen[-1]
    assert sent.url.raw_path == b"/hazards/h%3F1/void" and sent.headers["If-Match"] == '"4"'


async def test_exports_are_relayed_as_bytes(gw: Harness) -> None:
    workbook = bytes(range(256)) * 4

    async def xlsx(request: httpx.Request) -> httpx.Response:
        headers = {
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": 'attachment; filename="dispatch-2025-05.xlsx"',
        }
        return httpx.Response(200, content=workbook, headers=headers)

    gw.services.answer = xlsx
    answer = await gw.client.get("/api/v1/reports/monthly.xlsx", params={"period": "2025-05"}, headers=auth(ADMIN_KEY))
    assert answer.content == workbook and answer.headers["content-disposition"].endswith('.xlsx"')
    assert gw.services.seen[-1].url.path == "/reports/monthly.xlsx"


@pytest.mark.parametrize(
    ("failure", "status"),
    [
        (httpx.ConnectError("refused"), 503),
        (httpx.ReadTimeout("slow"), 504),
        (httpx.RemoteProtocolError("garbage"), 502),
    ],
)
async def test_a_service_that_does_not_answer_is_a_problem(gw: Harness, failure: Exception, status: int) -> None:
    async def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    gw.services.answer = fail
    answer = await gw.client.get("/api/v1/enterprises", headers=auth(ADMIN_KEY))
    assert answer.status_code == status and answer.headers["content-type"] == PROBLEM
    assert answer.json()["service"] == "enterprise"
    assert ("retry-after" in answer.headers) == (status == 503)


async def test_no_or_bad_credentials_are_401_and_never_reach_a_service(gw: Harness) -> None:
    for headers in ({}, auth("hl_not_a_key"), {"Authorization": "Basic YTpi"}, auth("eyJhbGciOi.x.y")):
        answer = await gw.client.get("/api/v1/hazards", headers=headers)
        assert answer.status_code == 401 and answer.headers["content-type"] == PROBLEM
        assert answer.headers["www-authenticate"].startswith("Bearer")
    assert gw.services.seen == []


async def test_a_role_that_may_not_is_403_before_any_service_is_called(gw: Harness) -> None:
    bureau = await gw.key(role="bureau", name="市场监管局", region_code="3710")
    answer = await gw.client.get("/api/v1/hazards", headers=auth(bureau))
    assert answer.status_code == 403 and answer.json()["type"].endswith("role-not-permitted")
    assert gw.services.seen == []


async def test_reports_default_to_the_callers_region_and_refuse_others(gw: Harness) -> None:
    supervisor = await gw.key(role="supervisor", name="市安委办", region_code="3710", level="city")
    await gw.client.get("/api/v1/reports/supervision-list", headers=auth(supervisor))
    assert gw.services.seen[-1].url.params["region_code"] == "3710"
    await gw.client.get("/api/v1/reports/monthly", params={"region_code": "371002"}, headers=auth(supervisor))
    assert gw.services.seen[-1].url.params["region_code"] == "371002"
    calls = len(gw.services.seen)
    for path, params in [
        ("/api/v1/reports/monthly.csv", {"region_code": "37"}),
        ("/api/v1/events", {"region_code": "3701"}),
    ]:
        answer = await gw.client.get(path, params=params, headers=auth(supervisor))
        assert answer.status_code == 403 and answer.json()["type"].endswith("outside-region")
    submission = {"region_code": "3701", "filled_by": "张", "reviewed_by": "李"}
    answer = await gw.client.post(
        "/api/v1/reports/monthly/2025-05/submissions", json=submission, headers=auth(supervisor)
    )
    assert answer.status_code == 403 and len(gw.services.seen) == calls


async def test_the_new_reports_relay_as_of_periods_and_the_callers_region(gw: Harness) -> None:
    supervisor = await gw.key(role="supervisor", name="市安委办", region_code="3710", level="city")
    moment = "2025-05-25T10:00:00+08:00"
    await gw.client.get(
        "/api/v1/reports/monthly",
        params={"period": "2025-Q2", "as_of": moment, "cutoff_day": 20},
        headers=auth(supervisor),
    )
    forwarded = gw.services.seen[-1].url
    assert forwarded.path == "/reports/monthly" and forwarded.params["period"] == "2025-Q2"
    assert forwarded.params["as_of"] == moment and forwarded.params["cutoff_day"] == "20"
    for public, internal in [
        ("/api/v1/reports/monthly/2025-05/submissions", "/reports/monthly/2025-05/submissions"),
        ("/api/v1/reports/monthly/2025/submissions/s-1", "/reports/monthly/2025/submissions/s-1"),
        ("/api/v1/reports/monthly/2025-05/submissions/s-1.xlsx", "/reports/monthly/2025-05/submissions/s-1.xlsx"),
        ("/api/v1/reports/monthly/2025-05/submissions/s-1.csv", "/reports/monthly/2025-05/submissions/s-1.csv"),
        ("/api/v1/reports/monthly/2025-05/reporting-units", "/reports/monthly/2025-05/reporting-units"),
        ("/api/v1/reports/monthly/2025-05/reporting-units.xlsx", "/reports/monthly/2025-05/reporting-units.xlsx"),
        ("/api/v1/reports/ledger", "/reports/ledger"),
    ]:
        answer = await gw.client.get(public, headers=auth(supervisor))
        assert answer.status_code == 200 and gw.services.seen[-1].url.path == internal, public
    assert gw.services.seen[-1].url.params["region_code"] == "3710"
    await gw.client.get("/api/v1/reports/supervision-list", params={"as_of": moment}, headers=auth(supervisor))
    assert gw.services.seen[-1].url.params["as_of"] == moment
    calls = len(gw.services.seen)
    for params in ({"as_of": "2025-05-25T10:00:00"}, {"period": "2025-13"}, {"period": "2025-Q5"}):
        answer = await gw.client.get("/api/v1/reports/monthly", params=params, headers=auth(supervisor))
        assert answer.status_code == 422, params  # an instant without its offset, or no period at all
    outside = await gw.client.get("/api/v1/reports/ledger", params={"region_code": "3701"}, headers=auth(supervisor))
    assert outside.status_code == 403 and len(gw.services.seen) == calls


async def test_idempotency_key_travels_to_the_service_and_successes_are_replayed_here(gw: Harness) -> None:
    release = asyncio.Event()
    done: dict[str, int] = {}

    async def service(request: httpx.Request) -> httpx.Response:
        """The service's side: it stores keys with its writes, so a twin gets the first answer."""
        await release.wait()
        key = request.headers["idempotency-key"]
        headers = {"Location": "/enterprises/e-1"} | ({"Idempotent-Replayed": "true"} if key in done else {})
        done.setdefault(key, len(done) + 1)
        return httpx.Response(201, json={"id": f"ins-{done[key]}"}, headers=headers)

    gw.services.answer = service
    body = {"department": "应急局", "inspected_on": "2025-05-20", "findings": ["no_emergency_drill"]}
    headers = {**auth(ADMIN_KEY), "Idempotency-Key": "k-1"}
    path = "/api/v1/enterprises/e-1/inspections"
    first = asyncio.create_task(gw.client.post(path, json=body, headers=headers))
    while not gw.services.seen:
        await asyncio.sleep(0.01)
    twin = asyncio.create_task(gw.client.post(path, json=body, headers=headers))  # in flight: sent on, not 409
    while len(gw.services.seen) < 2:
        await asyncio.sleep(0.01)
    release.set()
    original, twinned = await first, await twin
    assert [request.headers["idempotency-key"] for request in gw.services.seen] == ["k-1", "k-1"]
    assert original.status_code == twinned.status_code == 201 and twinned.json() == original.json()
    assert "idempotent-replayed" not in original.headers and twinned.headers["idempotent-replayed"] == "true"
    replay = await gw.client.post(path, json=dict(reversed(body.items())), headers=headers)
    assert replay.status_code == 201 and replay.json() == original.json() and len(gw.services.seen) == 2
    assert replay.headers["idempotent-replayed"] == "true" and replay.headers["location"] == "/api/v1/enterprises/e-1"
    other = await gw.client.post(path, json={**body, "note": "x"}, headers=headers)
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "Idempotency-Key"

    async def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, json={"type": "rule"}, headers={"Content-Type": PROBLEM})

    gw.services.answer = refuse  # a refusal wrote nothing: not remembered, the same key may retry
    retried = {**headers, "Idempotency-Key": "k-2"}
    assert (await gw.client.post(path, json=body, headers=retried)).status_code == 409
    assert (await gw.client.post(path, json=body, headers=retried)).status_code == 409 and len(gw.services.seen) == 4
    patch = await gw.client.patch(
        "/api/v1/enterprises/e-1", json={"name": "新名称"}, headers={**headers, "Idempotency-Key": "p-1"}
    )
    assert patch.status_code == 409 and gw.services.seen[-1].headers["idempotency-key"] == "p-1"


async def test_api_keys_are_shown_once_listed_without_secrets_and_revocable(gw: Harness) -> None:
    body = {"role": "platform", "name": "省平台", "region_code": "37"}
    headers = {**auth(ADMIN_KEY), "Idempotency-Key": "issue-platform"}
    issued = await gw.client.post("/api/v1/api-keys", json=body, headers=headers)
    key = issued.json()["key"]
    assert (
        issued.status_code == 201 and key.startswith("hl_") and issued.headers["location"].endswith(issued.json()["id"])
    )
    replay = await gw.client.post("/api/v1/api-keys", json=body, headers=headers)
    assert replay.headers["idempotent-replayed"] == "true" and replay.json()["key"] == ""
    assert replay.json()["id"] == issued.json()["id"]

    assert (await gw.client.get("/api/v1/hazards", headers=auth(key))).status_code == 200
    listed = await gw.client.get("/api/v1/api-keys", headers=auth(ADMIN_KEY))
    assert key not in listed.text and "key_hash" not in listed.text
    assert {k["name"] for k in listed.json()["items"]} == {"bootstrap admin", "省平台"}
    assert (await gw.client.get("/api/v1/api-keys", headers=auth(key))).status_code == 403

    assert (
        await gw.client.delete(f"/api/v1/api-keys/{issued.json()['id']}", headers=auth(ADMIN_KEY))
    ).status_code == 204
    assert (await gw.client.get("/api/v1/hazards", headers=auth(key))).status_code == 401
    unknown = await gw.client.delete("/api/v1/api-keys/no-such-key", headers=auth(ADMIN_KEY))
    assert unknown.status_code == 404 and unknown.headers["content-type"] == PROBLEM


async def test_invalid_bodies_name_the_field(gw: Harness) -> None:
    answer = await gw.client.post("/api/v1/api-keys", json={"role": "supervisor", "name": "x"}, headers=auth(ADMIN_KEY))
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    bad = await gw.client.post("/api/v1/hazards/h-1/plan", json={"funds_yuan": -1}, headers=auth(ADMIN_KEY))
    assert bad.status_code == 422 and {"funds_yuan", "measures"} <= {e["field"] for e in bad.json()["errors"]}
    assert gw.services.seen == []


async def test_rate_limits_are_per_client_with_retry_after(tmp_path: Path) -> None:
    async for gw in _harness(tmp_path, rate_limit_per_s=0.5, rate_limit_burst=2):
        statuses = [(await gw.client.get("/api/v1/hazards", headers=auth(ADMIN_KEY))).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        limited = await gw.client.get("/api/v1/hazards", headers=auth(ADMIN_KEY))
        assert limited.headers["retry-after"] == "2" and limited.headers["content-type"] == PROBLEM


async def test_the_openapi_document_describes_auth_idempotency_and_problems(gw: Harness) -> None:
    document = (await gw.client.get("/openapi.json")).json()
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearer"]["description"],
    }
    assert "86400 s (24 h)" in document["info"]["description"]
    public = {p: ops for p, ops in document["paths"].items() if p.startswith("/api/v1")}
    # DESIGN.md's 30, two catalogues, ten webhooks, evidence (seven attachment routes and the listing
    # receipt), the evaluation and its .xlsx, the tips' 5 public and 17 officers' operations, and seven
    # reports (submissions: list, one, .xlsx, .csv; who has reported, .xlsx; the ledger), and an
    # enterprise's closure, blacklisting and its lifting, inspections and enforcement actions read back,
    # and the hazard backfill
    assert len([op for ops in public.values() for op in ops]) == 87
    for path, operations in public.items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/public/"):  # tip-offs need no account
                assert "security" not in operation, (method, path)
            else:
                assert operation["security"] == [{"bearer": []}], (method, path)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == [PROBLEM], (method, path, status)
                    # one named schema, so that a generated client has one problem type
                    assert response["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
            # Each read of a tipster's identity is recorded anew: it is never an answer to replay.
            if method == "post" and not path.endswith("/identity-views"):
                assert "Idempotency-Key" in {p["name"] for p in operation["parameters"]}, path
    assert (await gw.client.get("/docs")).status_code == 200


async def test_catalogues_list_everything_under_a_region_and_the_industries(gw: Harness) -> None:
    headers = auth(ADMIN_KEY)
    weihai = (await gw.client.get("/api/v1/regions", params={"under": "3710"}, headers=headers)).json()
    codes = {region["code"] for region in weihai}
    assert {"3710", "371002", "371071", "371090"} <= codes and all(code.startswith("3710") for code in codes)
    assert (await gw.client.get("/api/v1/regions", params={"under": "999999"}, headers=headers)).status_code == 404
    industries = (await gw.client.get("/api/v1/industries", headers=headers)).json()
    assert {"code": "hazardous_chemicals", "label": "危险化学品"} in industries


async def test_a_services_refusal_is_relayed_as_its_problem(gw: Harness) -> None:
    """A 4xx from a service (e.g. the reporting service refusing `period=0000-01`) reaches the
    client as the service's own problem: status, media type, field and reason."""
    problem = {
        "type": "urn:hazard-ledger:problem:invalid-input",
        "title": "Invalid input",
        "status": 422,
        "detail": "period: year 0 is not a calendar year",
        "errors": [{"field": "period", "reason": "year 0 is not a calendar year"}],
    }

    async def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json=problem, headers={"Content-Type": PROBLEM})

    gw.services.answer = refuse
    answer = await gw.client.get("/api/v1/reports/monthly", params={"period": "0000-01"}, headers=auth(ADMIN_KEY))
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    assert answer.json() == problem
    assert gw.services.seen[-1].url.params["period"] == "0000-01"


async def test_closure_and_the_blacklist_are_public_for_the_registrars_only(gw: Harness) -> None:
    """Once internal only; now rows of the route table, with the gateway's copy as their guard."""
    inspector = await gw.key(role="inspector", name="王检查", region_code="3710", department="应急局")
    closure = {"reason": "企业注销", "closed_on": "2025-05-20"}
    headers = {**auth(inspector), "Idempotency-Key": "close-e-1"}
    first = await gw.client.post("/api/v1/enterprises/e-1/closure", json=closure, headers=headers)
    again = await gw.client.post("/api/v1/enterprises/e-1/closure", json=closure, headers=headers)
    assert first.status_code == again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert len(gw.services.seen) == 1, "a retry is answered from the gateway's copy"
    sent = gw.services.seen[-1]
    assert (sent.method, str(sent.url)) == ("POST", "http://enterprise/enterprises/e-1/closure")
    assert json.loads(sent.content) == closure and "Idempotency-Key" not in sent.headers
    decision = {"reason": "失信", "authority": "威海市应急管理局", "decided_on": "2025-05-20"}
    await gw.client.post("/api/v1/enterprises/e-1/blacklisting", json=decision, headers=auth(inspector))
    assert gw.services.seen[-1].url.path == "/enterprises/e-1/blacklisting"
    owner = await gw.key(role="enterprise", name="张主任", enterprise_id="e-1")
    refused = await gw.client.post("/api/v1/enterprises/e-1/blacklist-lifting", json=decision, headers=auth(owner))
    assert refused.status_code == 403 and len(gw.services.seen) == 2


async def test_inspections_and_enforcement_actions_are_read_back_through_the_gateway(gw: Harness) -> None:
    headers = auth(ADMIN_KEY)
    await gw.client.get("/api/v1/enterprises/e-1/inspections", params={"limit": 5}, headers=headers)
    sent = gw.services.seen[-1]
    assert (sent.url.path, dict(sent.url.params)) == ("/enterprises/e-1/inspections", {"limit": "5"})
    await gw.client.get("/api/v1/enterprises/e-1/enforcement-actions", headers=headers)
    assert gw.services.seen[-1].url.path == "/enterprises/e-1/enforcement-actions"
