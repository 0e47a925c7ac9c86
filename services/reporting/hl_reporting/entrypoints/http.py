"""The reporting service's internal HTTP API: the dispatch table, submissions, the supervision list.

A report is for a region: the caller's own unless it names one inside it. A region outside the
caller's is 403 (the region is a parameter, so refusing it leaks nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.reports import (
    PERIOD_PATTERN,
    ComparisonPublic,
    DispatchTable,
    SubmissionCreate,
    SubmissionPublic,
    SupervisionItem,
)
from hl_catalogue import RegionCatalogue
from hl_platform.db import Database
from hl_platform.errors import Forbidden, InvalidInput, NotFound
from hl_platform.identity import Caller, CallerDep
from hl_reporting.adapters.exports import (
    dispatch_table_csv,
    dispatch_table_xlsx,
    supervision_list_csv,
    supervision_list_xlsx,
)
from hl_reporting.application import queries, submissions
from hl_reporting.domain.calendar import business_day
from hl_reporting.domain.listings import SupervisionItem as SupervisionRow
from hl_reporting.domain.report import DispatchTable as Table
from hl_reporting.domain.report import Signoff
from hl_reporting.entrypoints.presenters import comparison_public, submission_public, supervision_public, table_public

router = APIRouter(prefix="/reports", tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READERS = {"admin", "platform", "supervisor", "inspector", "bureau"}
SUBMITTERS = {"admin", "supervisor"}
Period = Annotated[str, Query(pattern=PERIOD_PATTERN, description="YYYY-MM", examples=["2026-05"])]
RegionParam = Annotated[str | None, Query(description="defaults to the caller's region")]


def _db(request: Request) -> Database:
    db: Database = request.app.state.runtime.db
    return db


def _scope(caller: Caller, region_code: str | None, allowed: set[str] = READERS) -> str:
    if caller.role not in allowed:
        raise Forbidden(f"a {caller.role} may not read regional reports")
    catalogue = RegionCatalogue.load_default()
    region = region_code or caller.region_code or _single_root(catalogue)
    if not catalogue.exists(region):
        raise InvalidInput("region_code", f"unknown region code {region}")
    if not region.startswith(caller.region_code):
        raise Forbidden(f"region {region} is outside your region {caller.region_code or 'scope'}")
    return region


def _single_root(catalogue: RegionCatalogue) -> str:
    roots = catalogue.children("")
    if len(roots) != 1:
        raise InvalidInput("region_code", "required: the catalogue has several top-level regions")
    return roots[0].code


def _today() -> date:
    return business_day(datetime.now(UTC))


def _download(content: bytes, media_type: str, filename: str) -> Response:
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    return Response(content, media_type=media_type, headers=headers)


Industry = Annotated[str | None, Query(description="one industry code")]
Since = Annotated[date | None, Query(description="count from this day (default 1 January)")]
CutoffDay = Annotated[int, Query(ge=1, le=28, description="figures up to the end of this day of the month")]


async def dispatch_table_of(
    request: Request,
    caller: CallerDep,
    period: Period,
    region_code: RegionParam = None,
    industry: Industry = None,
    since: Since = None,
    cutoff_day: CutoffDay = 24,
) -> tuple[Table, Signoff | None]:
    """The live table of the period, with the signoff of its submission if it was submitted."""
    region = _scope(caller, region_code)
    async with _db(request).read() as conn:
        table = await queries.dispatch_table(
            conn,
            period=period,
            region_code=region,
            industry=industry,
            since=since,
            cutoff_day=cutoff_day,
            catalogue=RegionCatalogue.load_default(),
        )
        try:
            submission = await submissions.get_submission(conn, period=period, region_code=region, industry=industry)
        except NotFound:
            submission = None
    return table, (submission.signoff if submission else None)


TableDep = Annotated[tuple[Table, Signoff | None], Depends(dispatch_table_of)]


@router.get("/monthly", summary="The monthly dispatch table (调度表)")
async def monthly(found: TableDep) -> DispatchTable:
    """Cumulative figures up to the end of the cut-off day (Asia/Shanghai), with one row per child region."""
    table, signoff = found
    return table_public(table, dict(signoff.section4) if signoff else None)


@router.get(
    "/monthly.xlsx",
    summary="The dispatch table as an xlsx in the official layout",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def monthly_xlsx(found: TableDep) -> Response:
    table, signoff = found
    return _download(dispatch_table_xlsx(table, signoff), XLSX, f"dispatch-{table.region_code}-{table.period}.xlsx")


@router.get(
    "/monthly.csv",
    summary="The dispatch table as CSV (UTF-8 with BOM)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def monthly_csv(found: TableDep) -> Response:
    table, signoff = found
    return _download(
        dispatch_table_csv(table, signoff),
        "text/csv; charset=utf-8",
        f"dispatch-{table.region_code}-{table.period}.csv",
    )


@router.post("/monthly/{period}/submissions", status_code=201, summary="Submit (freeze) a period's report")
async def submit(
    request: Request,
    caller: CallerDep,
    period: Annotated[str, Path(pattern=PERIOD_PATTERN)],
    body: SubmissionCreate,
    cutoff_day: CutoffDay = 24,
) -> SubmissionPublic:
    """Freezes the figures with filled-by, reviewed-by and section 四; 409 if already submitted."""
    region = _scope(caller, body.region_code, SUBMITTERS)
    async with _db(request).write() as conn:
        submission = await submissions.submit(
            conn,
            period=period,
            region_code=region,
            catalogue=RegionCatalogue.load_default(),
            actor=caller.actor,
            filled_by=body.filled_by,
            reviewed_by=body.reviewed_by,
            section4=body.section_four,
            industry=body.industry,
            since=body.since,
            cutoff_day=cutoff_day,
        )
    return submission_public(submission)


@router.get("/monthly/{period}/submissions", summary="A submitted report beside the live figures")
async def submitted(
    request: Request,
    caller: CallerDep,
    period: Annotated[str, Path(pattern=PERIOD_PATTERN)],
    region_code: RegionParam = None,
    industry: Industry = None,
) -> ComparisonPublic:
    """The frozen figures and what changed since (late or back-dated events)."""
    region = _scope(caller, region_code)
    async with _db(request).read() as conn:
        comparison = await submissions.compare(
            conn, period=period, region_code=region, industry=industry, catalogue=RegionCatalogue.load_default()
        )
    return comparison_public(comparison)


ListingStatus = Literal["active", "delisted", "all"]
Level = Literal["county", "city", "province"]


@dataclass(frozen=True)
class ListingFilters:
    region: str
    level: Level | None
    status: ListingStatus
    overdue: bool | None


def listing_filters(
    caller: CallerDep,
    region_code: RegionParam = None,
    level: Level | None = None,
    status: ListingStatus = "active",
    overdue: bool | None = None,
) -> ListingFilters:
    """The supervision-list filters, the region checked against the caller's."""
    return ListingFilters(_scope(caller, region_code), level, status, overdue)


FiltersDep = Annotated[ListingFilters, Depends(listing_filters)]


@router.get("/supervision-list", summary="Hazards under listed supervision (挂牌督办清单)")
async def supervision_list(
    request: Request,
    filters: FiltersDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Page[SupervisionItem]:
    async with _db(request).read() as conn:
        page = await queries.supervision_list(
            conn,
            region_prefix=filters.region,
            today=_today(),
            level=filters.level,
            status=filters.status,
            overdue=filters.overdue,
            cursor=cursor,
            limit=limit,
            catalogue=RegionCatalogue.load_default(),
        )
    return Page(items=[supervision_public(item) for item in page.items], next_cursor=page.next_cursor)


async def supervision_items_of(request: Request, filters: FiltersDep) -> tuple[str, list[SupervisionRow]]:
    """Every listed hazard matching the filters (for the exports), with the region they cover."""
    async with _db(request).read() as conn:
        items = await queries.all_supervision_items(
            conn,
            region_prefix=filters.region,
            today=_today(),
            level=filters.level,
            status=filters.status,
            overdue=filters.overdue,
            catalogue=RegionCatalogue.load_default(),
        )
    return filters.region, items


ItemsDep = Annotated[tuple[str, list[SupervisionRow]], Depends(supervision_items_of)]


@router.get(
    "/supervision-list.xlsx",
    summary="The supervision list as xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def supervision_xlsx(found: ItemsDep) -> Response:
    region, items = found
    return _download(supervision_list_xlsx(items, today=_today()), XLSX, f"supervision-{region}.xlsx")


@router.get(
    "/supervision-list.csv",
    summary="The supervision list as CSV (UTF-8 with BOM)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def supervision_csv(found: ItemsDep) -> Response:
    region, items = found
    return _download(supervision_list_csv(items), "text/csv; charset=utf-8", f"supervision-{region}.csv")
