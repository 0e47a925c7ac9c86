"""The console over HTTP with the services faked: it asks the reporting service exactly what the API
asks for the same query, keeps its pages safe (CSP, same-origin forms, no open redirect), turns
failures into pages with honest statuses, and draws its maps from the kept boundary files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from hl_catalogue import RegionCatalogue
from hl_gateway.entrypoints.console.maps import region_map, shades
from hl_gateway.entrypoints.console.session import COOKIE, safe_next
from tests.unit.gateway.test_gateway_http import Harness, _harness, auth, gw
from tests.unit.gateway.test_gateway_jwt import ISSUER, SECRET, token

__all__ = ["gw"]
EVALUATION = {
    "period": "2026-05",
    "region_code": "3710",
    "region_name": "威海市",
    "since": "2026-01-01",
    "cutoff": "2026-05-24",
    "status": "live",
    "submission_id": None,
    "as_of": "2026-05-26T02:00:00Z",
    "scheme": {
        "region_code": "3710",
        "version": 1,
        "effective_from": "2024-01",
        "title": "测试办法",
        "submission_due_day": 25,
        "digest": "0" * 64,
        "indicators": [],
    },
    "units": [],
}


async def _signed_in(gw: Harness, **identity: Any) -> str:
    key = await gw.key(**identity)
    answer = await gw.client.post("/console/login", data={"token": key, "next": "/console/evaluation"})
    assert answer.status_code == 303 and answer.headers["location"] == "/console/evaluation"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    return key


async def test_a_page_asks_the_service_what_the_api_asks_for_the_same_query(gw: Harness) -> None:
    async def evaluation(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=EVALUATION)

    gw.services.answer = evaluation
    key = await _signed_in(gw, role="supervisor", name="市安委办", region_code="3710", level="city")
    by_api = await gw.client.get("/api/v1/evaluations/monthly", params={"period": "2026-05"}, headers=auth(key))
    by_console = await gw.client.get("/console/evaluation", params={"period": "2026-05"}, cookies={COOKIE: key})
    assert by_api.status_code == by_console.status_code == 200
    api_call, console_call = gw.services.seen[-2:]
    assert (api_call.url.path, dict(api_call.url.params)) == (console_call.url.path, dict(console_call.url.params))
    assert dict(api_call.url.params) == {"period": "2026-05", "region_code": "3710"}
    assert gw.services.caller(-1) == gw.services.caller(-2)
    assert "default-src 'self'" in by_console.headers["content-security-policy"]
    assert by_console.headers["cache-control"] == "no-store"
    assert "测试办法" in by_console.text


async def test_a_region_outside_the_callers_is_a_403_page_without_calling_the_service(gw: Harness) -> None:
    key = await _signed_in(gw, role="inspector", name="环翠检查员", region_code="371002", department="应急局")
    before = len(gw.services.seen)
    page = await gw.client.get("/console/dispatch", params={"region_code": "371003"}, cookies={COOKIE: key})
    assert page.status_code == 403 and "不在您的管辖范围内" in page.text
    assert page.headers["content-type"].startswith("text/html")
    assert len(gw.services.seen) == before


async def test_a_service_that_is_down_is_a_503_page(gw: Harness) -> None:
    async def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    gw.services.answer = down
    key = await _signed_in(gw, role="supervisor", name="市安委办", region_code="3710", level="city")
    page = await gw.client.get("/console/supervision", cookies={COOKIE: key})
    assert page.status_code == 503 and "服务暂不可用" in page.text


async def test_sign_in_refuses_a_foreign_origin_and_keeps_the_next_page_inside_the_console(gw: Harness) -> None:
    key = await gw.key(role="supervisor", name="市安委办", region_code="3710", level="city")
    foreign = await gw.client.post("/console/login", data={"token": key}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and "set-cookie" not in foreign.headers
    bad = await gw.client.post("/console/login", data={"token": "hl_wrong_key_000000000000"})
    assert bad.status_code == 401 and "set-cookie" not in bad.headers
    assert safe_next("https://evil.example/") == safe_next("//evil.example") == "/console/"
    assert safe_next("/console/map?figure=overdue") == "/console/map?figure=overdue"
    unsigned = await gw.client.get("/console/map", params={"figure": "overdue"})
    assert (
        unsigned.status_code == 303
        and unsigned.headers["location"] == "/console/login?next=%2Fconsole%2Fmap%3Ffigure%3Doverdue"
    )


async def test_a_jwt_signs_in_too_and_an_expired_one_sends_the_browser_back_to_sign_in(tmp_path: Path) -> None:
    async def evaluation(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=EVALUATION)

    async for sso in _harness(tmp_path, jwt_issuer=ISSUER, jwt_secret=SECRET, jwt_leeway_s=0):
        sso.services.answer = evaluation
        signed = await sso.client.post("/console/login", data={"token": token(), "next": "/console/evaluation"})
        assert signed.status_code == 303 and COOKIE in signed.headers["set-cookie"]
        page = await sso.client.get("/console/evaluation", cookies={COOKIE: token()})
        assert page.status_code == 200 and sso.services.caller().id == "sso-42"
        expired = token(exp=int(time.time()) - 5)
        again = await sso.client.get("/console/evaluation", cookies={COOKIE: expired})
        assert again.status_code == 303 and again.headers["location"].endswith("&reason=expired")
        assert f'{COOKIE}=""' in again.headers["set-cookie"] and "Max-Age=0" in again.headers["set-cookie"]


async def test_a_bad_parameter_is_a_422_page(gw: Harness) -> None:
    key = await _signed_in(gw, role="supervisor", name="市安委办", region_code="3710", level="city")
    page = await gw.client.get("/console/dispatch", params={"period": "2026-13"}, cookies={COOKIE: key})
    assert page.status_code == 422 and "period" in page.text


async def test_the_evaluations_are_in_the_openapi_document_and_the_console_is_not(gw: Harness) -> None:
    paths = (await gw.client.get("/openapi.json")).json()["paths"]
    assert {"/api/v1/evaluations/monthly", "/api/v1/evaluations/monthly.xlsx"} <= set(paths)
    assert "as_of" in {p["name"] for p in paths["/api/v1/evaluations/monthly"]["get"]["parameters"]}
    assert not any(path.startswith("/console") for path in paths)


def test_the_kept_boundaries_shape_every_county_and_city_of_the_catalogue() -> None:
    catalogue = RegionCatalogue.load_default()
    weihai, shandong = region_map("3710"), region_map("37")
    assert weihai is not None and shandong is not None and region_map("371002") is None
    counties = {r.code for r in catalogue.children("3710") if r.level == "county"}
    assert {shape.code for shape in weihai.shapes} == counties  # zones have no boundary in the data
    assert {shape.code for shape in shandong.shapes} == {r.code for r in catalogue.children("37")}
    assert all(shape.path.startswith("M") and shape.path.endswith("Z") for shape in shandong.shapes)


def test_shades_step_through_whole_numbers_and_mark_blanks() -> None:
    by_code, legend = shades({"a": 4, "b": 0, "c": None})
    assert [shade.legend for shade in legend] == ["0", "1", "2", "3", "4"]
    assert by_code["a"] == legend[-1] and by_code["b"] == legend[0] and by_code["c"].legend == "无数据"
    by_code, legend = shades({"a": 33.33, "b": 100.0})
    assert legend[0].legend == "0–20" and by_code["b"] == legend[-1] and by_code["a"] == legend[1]
