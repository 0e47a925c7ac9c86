"""The console's pages (read-only): dispatch table, map, trends, supervision list, evaluation.

Each page reads through `fetch.Reader` what the API would return for the same query, and renders
it on the server (Jinja2): no script is needed to read a page; the trend page loads the vendored
Chart.js for its chart and keeps the same numbers in a table below it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from hl_api.reports import PERIOD_PATTERN
from hl_catalogue import RegionCatalogue
from hl_gateway.domain.errors import GatewayError, Unauthenticated
from hl_gateway.entrypoints.console import views
from hl_gateway.entrypoints.console.fetch import EVALUATION, EXPORTS, SUPERVISION, Reader
from hl_gateway.entrypoints.console.maps import region_map, shades
from hl_gateway.entrypoints.console.rendering import ConsoleRoute, page, streamed_page
from hl_gateway.entrypoints.console.session import (
    COOKIE,
    PATH,
    ConsoleCaller,
    ConsoleProblem,
    safe_next,
    same_origin,
    sign_in,
)
from hl_gateway.entrypoints.deps import GatewayDep
from hl_gateway.entrypoints.forwarding import params
from hl_platform.identity import Caller

router = APIRouter(prefix=PATH, route_class=ConsoleRoute, include_in_schema=False)
Period = Annotated[str | None, Query(pattern=PERIOD_PATTERN)]
Region = Annotated[str | None, Query(max_length=12, pattern=r"^\d*$")]
Figure = Literal[views.KEY_FIGURES]  # type: ignore[valid-type]


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse(f"{PATH}/dispatch", status_code=303)


@router.get("/login")
async def login_form(request: Request, next: str | None = None, reason: str | None = None) -> Response:
    message = "登录已失效,请重新登录" if reason == "expired" else ""
    return page(request, "login.html", {"next": safe_next(next), "message": message})


@router.post("/login")
async def login(
    request: Request,
    gateway: GatewayDep,
    token: Annotated[str, Form(max_length=4096)],
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the key or JWT as the API would, then keep it in the console's session cookie."""
    if not same_origin(request):
        raise ConsoleProblem(403, "登录请求来自其他站点,已拒绝")
    try:
        await sign_in(gateway, request, token)
    except Unauthenticated:
        context = {"next": safe_next(next), "message": "访问令牌无效、已过期或已吊销"}
        return page(request, "login.html", context, status=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(COOKIE, token.strip(), path=PATH, secure=True, httponly=True, samesite="strict")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    if not same_origin(request):
        raise ConsoleProblem(403, "退出请求来自其他站点,已拒绝")
    response = RedirectResponse(f"{PATH}/login", status_code=303)
    response.delete_cookie(COOKIE, path=PATH, secure=True, httponly=True, samesite="strict")
    return response


def _base(caller: Caller, reader: Reader, period: str | None, region_code: str | None, active: str) -> dict[str, Any]:
    """What every page shows: who is signed in, the period, the region and the way up to it."""
    catalogue = RegionCatalogue.load_default()
    region = reader.region(region_code) or _root(catalogue)
    period = period or views.current_period()
    return {
        "caller": caller,
        "role_label": views.ROLE_LABELS.get(caller.role, caller.role),
        "period": period,
        "period_label": views.period_label(period),
        "region_code": region,
        "region_name": catalogue.name(region),
        "crumbs": views.breadcrumbs(catalogue, caller.region_code, region),
        "active": active,
        "query": params(period=period, region_code=region),
    }


def _root(catalogue: RegionCatalogue) -> str:
    roots = catalogue.children("")
    return roots[0].code if len(roots) == 1 else ""


@router.get("/dispatch")
async def dispatch(
    request: Request, caller: ConsoleCaller, gateway: GatewayDep, period: Period = None, region_code: Region = None
) -> Response:
    """调度表: the month's table of the region, with a row per child region."""
    reader = Reader(gateway, caller)
    context = _base(caller, reader, period, region_code, "dispatch")
    table = await reader.monthly(context["period"], context["region_code"])
    catalogue = RegionCatalogue.load_default()
    drill = {row["region_code"]: views.has_children(catalogue, row["region_code"]) for row in table["breakdown"]}
    labels = views.figure_labels(table)
    columns = [(key, labels[key]) for key in views.KEY_FIGURES]
    return page(request, "dispatch.html", {**context, "table": table, "columns": columns, "drill": drill})


@router.get("/map")
async def region_map_page(
    request: Request,
    caller: ConsoleCaller,
    gateway: GatewayDep,
    period: Period = None,
    region_code: Region = None,
    figure: Figure = "major_found",
) -> Response:
    """分区地图: the region's counties and zones shaded by a figure of the month's table."""
    reader = Reader(gateway, caller)
    context = _base(caller, reader, period, region_code, "map")
    table = await reader.monthly(context["period"], context["region_code"])
    values = {row["region_code"]: row["figures"].get(figure) for row in table["breakdown"]}
    shade_of, legend = shades({code: views.numeric(value) for code, value in values.items()})
    shaped = region_map(context["region_code"])
    mapped = {shape.code for shape in shaped.shapes} if shaped else set()
    labels = views.figure_labels(table)
    context |= {
        "table": table,
        "figure": figure,
        "figure_label": labels[figure],
        "figures": [(key, labels[key]) for key in views.KEY_FIGURES],
        "values": values,
        "map": shaped,
        "shade_of": shade_of,
        "legend": legend,
        "unmapped": [row for row in table["breakdown"] if row["region_code"] not in mapped],
        "names": {row["region_code"]: row["region_name"] for row in table["breakdown"]},
    }
    context["query"] = {**context["query"], "figure": figure}
    return page(request, "map.html", context)


@router.get("/trends")
async def trends(
    request: Request, caller: ConsoleCaller, gateway: GatewayDep, period: Period = None, region_code: Region = None
) -> Response:
    """趋势: the main figures month by month, from January to the chosen period (each cumulative).

    The chosen period's table is read first (a refusal or an outage is the page's status); the
    earlier months are read while the page's header is already on its way."""
    reader = Reader(gateway, caller)
    context = _base(caller, reader, period, region_code, "trends")
    periods = views.year_to_date(context["period"])
    last = await reader.monthly(periods[-1], context["region_code"])

    async def series() -> dict[str, Any]:
        try:
            tables = [*await reader.months(periods[:-1], context["region_code"]), last]
        except (ConsoleProblem, GatewayError) as exc:
            return {"problem": f"部分月份数据暂不可用:{exc}"}
        labels = views.figure_labels(last)
        lines = [
            {"key": key, "label": labels[key], "values": [_figure(table, key) for table in tables]}
            for key in views.TREND_FIGURES
        ]
        return {"series": lines, "chart": {"labels": [views.period_label(p) for p in periods], "series": lines}}

    return streamed_page(request, "trends.html", {**context, "periods": periods, "series": series})


def _figure(table: dict[str, Any], key: str) -> Any:
    for section in table["sections"]:
        for row in section["rows"]:
            for figure in row["figures"]:
                if figure["key"] == key:
                    return figure["value"]
    return None


@router.get("/supervision")
async def supervision(
    request: Request,
    caller: ConsoleCaller,
    gateway: GatewayDep,
    period: Period = None,
    region_code: Region = None,
    overdue: bool | None = None,
    status: Literal["active", "delisted", "all"] = "active",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """挂牌督办: the listed hazards of the region as of today, overdue ones highlighted (the period
    is only carried on to the other pages' links)."""
    reader = Reader(gateway, caller)
    context = _base(caller, reader, period, region_code, "supervision")
    filters = {"region_code": context["region_code"], "overdue": overdue, "status": status}
    listing = await reader.json(SUPERVISION, **filters, cursor=cursor, limit=100)
    rows = [views.supervision_row(item) for item in listing["items"]]
    context |= {"rows": rows, "next_cursor": listing.get("next_cursor"), "overdue": overdue, "status": status}
    context["export_query"] = params(**filters)
    return page(request, "supervision.html", context)


@router.get("/evaluation")
async def evaluation(
    request: Request, caller: ConsoleCaller, gateway: GatewayDep, period: Period = None, region_code: Region = None
) -> Response:
    """月度评估: the units of the region ranked by their scores, each explained indicator by indicator."""
    reader = Reader(gateway, caller)
    context = _base(caller, reader, period, region_code, "evaluation")
    try:
        result = await reader.json(EVALUATION, period=context["period"], region_code=context["region_code"])
    except ConsoleProblem as exc:
        if exc.status != 404:
            raise
        scope = f"{context['region_name']}及其上级"
        raise ConsoleProblem(404, f"{scope}未设置适用于{context['period_label']}的月度评估方案") from exc
    context |= {"evaluation": result, "as_of": views.local_time(result["as_of"])}
    return page(request, "evaluation.html", context)


@router.get("/exports/{name}")
async def export(
    caller: ConsoleCaller,
    gateway: GatewayDep,
    name: Literal[tuple(EXPORTS)],  # type: ignore[valid-type]
    period: Period = None,
    region_code: Region = None,
    overdue: bool | None = None,
    status: Literal["active", "delisted", "all"] | None = None,
) -> Response:
    """A download of the page's data, the same file the API's export of the same query gives."""
    reader = Reader(gateway, caller)
    region = reader.region(region_code) or None
    query = params(region_code=region, overdue=overdue, status=status)
    if not name.startswith("supervision"):
        query = params(period=period or views.current_period(), region_code=region)
    reply = await reader.raw(EXPORTS[name], query)
    if reply.status != 200:
        raise ConsoleProblem(reply.status, "导出失败:" + reply.body.decode("utf-8", "replace")[:200])
    headers = {k: v for k, v in reply.headers.items() if k in ("content-type", "content-disposition")}
    return Response(reply.body, headers={**headers, "Cache-Control": "no-store"})
