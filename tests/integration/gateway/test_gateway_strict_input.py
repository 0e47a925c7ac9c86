"""Bad input through the gateway to the real hazard service: 422 naming the field, never a 5xx,
and the connection goes on serving. Times and dates outside 2000–2100, booleans that are not
booleans, unknown query parameters on every public route, and cursors the API never issued."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.gateway.conftest import ADMIN_KEY, PROBLEM, Stack, hazard_body


def assert_refused(answer: httpx.Response, field: str) -> None:
    assert answer.status_code == 422, f"{answer.status_code} {answer.text[:400]}"
    assert answer.headers["content-type"] == PROBLEM
    fields = [error["field"] for error in answer.json()["errors"]]
    assert field in fields, f"{field} not named: {answer.json()}"


@pytest.mark.parametrize(
    "found_at",
    [
        "0001-01-01T00:00:00+14:00",  # no UTC equivalent: converting it overflowed (a 500)
        "0001-01-01T00:00:00-14:00",
        "9999-12-31T23:59:59-14:00",
        "1900-05-01T08:00:00+08:00",  # stored as if true before
        "2000-01-01T07:59:59+08:00",  # 1999 in UTC
        "2101-01-01T00:00:00Z",
    ],
)
async def test_business_times_outside_2000_to_2100_are_refused(stack: Stack, found_at: str) -> None:
    enterprise_id = await stack.enterprise("371002")
    answer = await stack.client.post(
        "/api/v1/hazards", json=hazard_body(enterprise_id, found_at=found_at), headers=stack.as_(ADMIN_KEY)
    )
    assert_refused(answer, "found_at")
    assert "2000-01-01" in answer.json()["detail"]


async def test_dates_booleans_and_a_future_time_name_their_field(stack: Stack) -> None:
    enterprise_id = await stack.enterprise("371002")
    admin = stack.as_(ADMIN_KEY)
    general = {"level": "general"}
    cases: list[tuple[dict[str, Any], str]] = [
        ({**general, "rectify_immediately": "yes"}, "rectify_immediately"),
        ({**general, "rectify_immediately": "true"}, "rectify_immediately"),
        ({**general, "rectify_immediately": 1}, "rectify_immediately"),
        ({"deadline": "1999-12-31"}, "deadline"),
        ({"deadline": "2200-01-01"}, "deadline"),
        ({"found_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()}, "found_at"),  # rule 9, the service's
    ]
    for overrides, field in cases:
        answer = await stack.client.post("/api/v1/hazards", json=hazard_body(enterprise_id, **overrides), headers=admin)
        assert_refused(answer, field)
    hazard = await stack.report(enterprise_id)
    decision = {"accepted": "yes", "reviewer": "王检查", "decided_at": datetime.now(UTC).isoformat()}
    answer = await stack.client.post(f"/api/v1/hazards/{hazard['id']}/acceptance", json=decision, headers=admin)
    assert_refused(answer, "accepted")
    for name in ("listed", "overdue"):
        assert_refused(await stack.client.get("/api/v1/hazards", params={name: "yes"}, headers=admin), f"query.{name}")
        listed = await stack.client.get("/api/v1/hazards", params={name: "false"}, headers=admin)
        assert listed.status_code == 200, listed.text
    # Bodies checked at the gateway never reach the (absent) enterprise service: 422, not 503.
    inspection = {"department": "应急局", "inspected_on": "1999-12-31"}
    answer = await stack.client.post(f"/api/v1/enterprises/{enterprise_id}/inspections", json=inspection, headers=admin)
    assert_refused(answer, "inspected_on")
    answer = await stack.client.patch(f"/api/v1/enterprises/{enterprise_id}", json={"high_risk": "yes"}, headers=admin)
    assert_refused(answer, "high_risk")


def _path(template: str) -> str:
    return (
        template.replace("{period}", "2026-01")
        .replace("{hazard_id}", "x")
        .replace("{enterprise_id}", "x")
        .replace("{key_id}", "x")
    )


async def test_an_unknown_query_parameter_is_422_on_every_public_route(stack: Stack) -> None:
    document = (await stack.client.get("/openapi.json")).json()
    checked = 0
    for template, operations in document["paths"].items():
        if not template.startswith("/api/v1"):
            continue
        for method, operation in operations.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            assert "stauts" not in declared
            answer = await stack.client.request(
                method.upper(),
                _path(template),
                params={"stauts": "closed", "limit": "1"} if "limit" in declared else {"stauts": "closed"},
                json={} if "requestBody" in operation else None,
                headers=stack.as_(ADMIN_KEY),
            )
            context = f"{method.upper()} {template}"
            assert_refused(answer, "query.stauts")
            assert [e["field"] for e in answer.json()["errors"]] == ["query.stauts"], context  # `limit` is known
            checked += 1
    assert checked >= 31
    declared_ok = await stack.client.get("/api/v1/hazards", params={"limit": "1"}, headers=stack.as_(ADMIN_KEY))
    assert declared_ok.status_code == 200


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


async def test_cursors_the_api_never_issued_are_422_and_the_connection_goes_on(stack: Stack) -> None:
    await stack.enterprise("371002")
    admin = stack.as_(ADMIN_KEY)
    for after in (
        _cursor("v1.99999999999999999999999.0"),  # past uint64: the stream API refused it (a 500, then a 502)
        _cursor(f"v1.{2**63}.0"),
        _cursor("v1.18446744073709551615.18446744073709551615"),
        _cursor("v1.1_000.0"),
        _cursor("v1.+5.0"),
        _cursor("v1.-1.0"),
        _cursor("v1.1"),
        "not base64!",
    ):
        answer = await stack.client.get("/api/v1/events", params={"after": after}, headers=admin)
        assert_refused(answer, "after")
        following = await stack.client.get("/api/v1/events", params={"limit": 1}, headers=admin)
        assert following.status_code == 200, following.text  # the same keep-alive connection
    for cursor in (_cursor("x" * 129), _cursor("a\x00b"), _cursor("01a2' OR 1=1 --"), "%%%", "YQ=x"):
        answer = await stack.client.get("/api/v1/hazards", params={"cursor": cursor}, headers=admin)
        assert_refused(answer, "cursor")
    assert_refused(
        await stack.client.get("/api/v1/api-keys", params={"cursor": "' OR 1=1"}, headers=admin), "query.cursor"
    )
