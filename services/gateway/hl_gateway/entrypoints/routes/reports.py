"""/api/v1/reports: the monthly dispatch table (调度表), its submissions, and the supervision list
(挂牌督办清单), relayed to the reporting service. The region is a parameter here, so the gateway
checks it: omitted is the caller's own region, outside it is 403."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.reports import PERIOD_PATTERN, DispatchTable, SubmissionCreate, SubmissionPublic, SupervisionItem
from hl_contracts.vocabulary import ListingLevel
from hl_gateway.domain.access import Operation, region_for
from hl_gateway.entrypoints.deps import IdempotencyKey, allowed
from hl_gateway.entrypoints.docs import CSV, READ, WRITE, XLSX, file_response
from hl_gateway.entrypoints.relaying import RelayDep, params, segment
from hl_platform.identity import Caller

router = APIRouter(prefix="/reports", tags=["reports"])
Reader = Annotated[Caller, allowed(Operation.READ_REPORTS)]
Region = Annotated[str | None, Query(max_length=12, description="default: your own region; outside it is 403")]


@dataclass
class MonthlyQuery:
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="YYYY-MM; default: the current")] = None
    region_code: Region = None
    industry: Annotated[str | None, Query(max_length=40)] = None
    since: Annotated[date | None, Query(description="count from this day (default: 1 January)")] = None

    def relayed(self, caller: Caller) -> dict[str, str]:
        region = region_for(caller, self.region_code) or None
        return params(period=self.period, region_code=region, industry=self.industry, since=self.since)


@dataclass
class SupervisionQuery:
    region_code: Region = None
    level: ListingLevel | None = None
    status: Annotated[str | None, Query(max_length=20, description="the hazards' status, e.g. rectifying")] = None
    overdue: bool | None = None

    def relayed(self, caller: Caller) -> dict[str, str]:
        region = region_for(caller, self.region_code) or None
        return params(region_code=region, level=self.level, status=self.status, overdue=self.overdue)


Monthly = Annotated[MonthlyQuery, Depends()]
Supervision = Annotated[SupervisionQuery, Depends()]


@router.get("/monthly", response_model=DispatchTable, responses=READ, summary="The monthly dispatch table (调度表)")
async def monthly_report(caller: Reader, relay: RelayDep, query: Monthly) -> Response:
    """Cumulative figures up to the cut-off, with a breakdown per child region."""
    return await relay.get(caller, "reporting", "/reports/monthly", query.relayed(caller))


@router.get(
    "/monthly.xlsx",
    response_class=Response,
    responses=file_response(XLSX, "the dispatch table as Excel"),
    summary="The dispatch table as .xlsx",
)
async def monthly_report_xlsx(caller: Reader, relay: RelayDep, query: Monthly) -> Response:
    """The dispatch table in the official layout, as an .xlsx workbook."""
    return await relay.get(caller, "reporting", "/reports/monthly.xlsx", query.relayed(caller))


@router.get(
    "/monthly.csv",
    response_class=Response,
    responses=file_response(CSV, "the dispatch table as CSV"),
    summary="The dispatch table as .csv",
)
async def monthly_report_csv(caller: Reader, relay: RelayDep, query: Monthly) -> Response:
    """The dispatch table as CSV (UTF-8)."""
    return await relay.get(caller, "reporting", "/reports/monthly.csv", query.relayed(caller))


@router.post(
    "/monthly/{period}/submissions",
    status_code=201,
    response_model=SubmissionPublic,
    responses=WRITE,
    summary="Submit (freeze) a period's figures",
)
async def submit_monthly_report(
    period: Annotated[str, Path(pattern=PERIOD_PATTERN, description="YYYY-MM")],
    body: SubmissionCreate,
    caller: Annotated[Caller, allowed(Operation.SUBMIT_REPORT)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Freeze the figures with who filled and reviewed them and the section 四 figures; 409 if done."""
    region_for(caller, body.region_code)
    path = f"/reports/monthly/{segment(period)}/submissions"
    return await relay.write(caller, "reporting", path, body, idempotency_key)


@router.get(
    "/supervision-list", response_model=Page[SupervisionItem], responses=READ, summary="Listed hazards (挂牌督办清单)"
)
async def supervision_list(
    caller: Reader,
    relay: RelayDep,
    query: Supervision,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Response:
    """Listed hazards with enterprise, region, level, authority, deadline, days left or overdue."""
    relayed = query.relayed(caller) | params(cursor=cursor, limit=limit)
    return await relay.get(caller, "reporting", "/reports/supervision-list", relayed)


@router.get(
    "/supervision-list.xlsx",
    response_class=Response,
    responses=file_response(XLSX, "the supervision list as Excel"),
    summary="The supervision list as .xlsx",
)
async def supervision_list_xlsx(caller: Reader, relay: RelayDep, query: Supervision) -> Response:
    """The whole supervision list as an .xlsx workbook."""
    return await relay.get(caller, "reporting", "/reports/supervision-list.xlsx", query.relayed(caller))


@router.get(
    "/supervision-list.csv",
    response_class=Response,
    responses=file_response(CSV, "the supervision list as CSV"),
    summary="The supervision list as .csv",
)
async def supervision_list_csv(caller: Reader, relay: RelayDep, query: Supervision) -> Response:
    """The whole supervision list as CSV (UTF-8)."""
    return await relay.get(caller, "reporting", "/reports/supervision-list.csv", query.relayed(caller))
