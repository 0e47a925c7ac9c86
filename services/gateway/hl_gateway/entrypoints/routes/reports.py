"""/api/v1/reports: the dispatch table (调度表) of a month, quarter or year, its submissions and who
has reported, the supervision list (挂牌督办清单) and the hazard ledger (隐患台账), relayed to the
reporting service. The region is a parameter here, so the gateway checks it: omitted is the
caller's own region, outside it is 403. Every report takes `as_of`: the report as known then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import AwareDatetime

from hl_api.common import MAX_PAGE, Page
from hl_api.reports import (
    AS_OF_TEXT,
    PERIOD_PATTERN,
    PERIOD_TEXT,
    ComparisonPublic,
    DispatchTable,
    LedgerItemPublic,
    ReportingStatusPublic,
    SubmissionCreate,
    SubmissionPublic,
    SubmissionSummary,
    SupervisionItem,
)
from hl_contracts.vocabulary import HazardLevel, HazardSource, HazardStatus, ListingLevel
from hl_gateway.domain.access import Operation, region_for
from hl_gateway.entrypoints.deps import IdempotencyKey, allowed
from hl_gateway.entrypoints.docs import CSV, READ, WRITE, XLSX, file_response
from hl_gateway.entrypoints.relaying import RelayDep, params, segment
from hl_platform.identity import Caller

router = APIRouter(prefix="/reports", tags=["reports"])
Reader = Annotated[Caller, allowed(Operation.READ_REPORTS)]
Region = Annotated[str | None, Query(max_length=12, description="default: your own region; outside it is 403")]
AsOf = Annotated[AwareDatetime | None, Query(description=AS_OF_TEXT)]
Period = Annotated[str, Path(pattern=PERIOD_PATTERN, description=PERIOD_TEXT)]
SubmissionId = Annotated[str, Path(max_length=64)]
Cursor = Annotated[str | None, Query(max_length=400)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@dataclass
class MonthlyQuery:
    period: Annotated[
        str | None, Query(pattern=PERIOD_PATTERN, description=f"{PERIOD_TEXT}; default: the current month")
    ] = None
    region_code: Region = None
    industry: Annotated[str | None, Query(max_length=40)] = None
    since: Annotated[date | None, Query(description="count from this day (default: 1 January)")] = None
    cutoff_day: Annotated[
        int | None, Query(ge=1, le=31, description="monthly: count up to the end of this day (default: the 24th)")
    ] = None
    as_of: AsOf = None

    def relayed(self, caller: Caller) -> dict[str, str]:
        region = region_for(caller, self.region_code) or None
        return params(
            period=self.period,
            region_code=region,
            industry=self.industry,
            since=self.since,
            cutoff_day=self.cutoff_day,
        ) | _moment(self.as_of)


def _moment(as_of: datetime | None) -> dict[str, str]:
    return {"as_of": as_of.isoformat()} if as_of is not None else {}


@dataclass
class SupervisionQuery:
    region_code: Region = None
    level: ListingLevel | None = None
    status: Annotated[str | None, Query(max_length=20, description="active (default), delisted or all")] = None
    overdue: bool | None = None
    as_of: AsOf = None

    def relayed(self, caller: Caller) -> dict[str, str]:
        region = region_for(caller, self.region_code) or None
        relayed = params(region_code=region, level=self.level, status=self.status, overdue=self.overdue)
        return relayed | _moment(self.as_of)


Monthly = Annotated[MonthlyQuery, Depends()]
Supervision = Annotated[SupervisionQuery, Depends()]


@router.get("/monthly", response_model=DispatchTable, responses=READ, summary="The dispatch table (调度表)")
async def monthly_report(caller: Reader, relay: RelayDep, query: Monthly) -> Response:
    """Cumulative figures up to the cut-off, with a breakdown per child region: a live, unsigned
    draft (`draft`, `computed_at`); `period=2024-Q2` or `2024` for the quarter's or year's table."""
    return await relay.get(caller, "reporting", "/reports/monthly", query.relayed(caller))


@router.get(
    "/monthly.xlsx",
    response_class=Response,
    responses=file_response(XLSX, "the dispatch table as Excel"),
    summary="The dispatch table as .xlsx",
)
async def monthly_report_xlsx(caller: Reader, relay: RelayDep, query: Monthly) -> Response:
    """The dispatch table in the official layout, as an .xlsx workbook, marked as an unsigned draft."""
    return await relay.get(caller, "reporting", "/reports/monthly.xlsx", query.relayed(caller))


@router.get(
    "/monthly.csv",
    response_class=Response,
    responses=file_response(CSV, "the dispatch table as CSV"),
    summary="The dispatch table as .csv",
)
async def monthly_report_csv(caller: Reader, relay: RelayDep, query: Monthly) -> Response:
    """The dispatch table as CSV (UTF-8), marked as an unsigned draft."""
    return await relay.get(caller, "reporting", "/reports/monthly.csv", query.relayed(caller))


@router.post(
    "/monthly/{period}/submissions",
    status_code=201,
    response_model=SubmissionPublic,
    responses=WRITE,
    summary="Submit (freeze) a period's figures",
)
async def submit_monthly_report(
    period: Period,
    body: SubmissionCreate,
    caller: Annotated[Caller, allowed(Operation.SUBMIT_REPORT)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Freeze the figures as known now with who filled and reviewed them and the section 四 figures;
    409 if done. Before the cut-off (提前上报) the figures stand at the moment of submission."""
    region_for(caller, body.region_code)
    path = f"/reports/monthly/{segment(period)}/submissions"
    return await relay.write(caller, "reporting", path, body, idempotency_key)


@router.get(
    "/monthly/{period}/submissions",
    response_model=Page[SubmissionSummary],
    responses=READ,
    summary="The period's submissions in a region",
)
async def list_submissions(
    period: Period,
    caller: Reader,
    relay: RelayDep,
    region_code: Region = None,
    industry: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Response:
    """Every submission of the period in your region: period, region, industry, who, when."""
    region = region_for(caller, region_code) or None
    relayed = params(region_code=region, industry=industry, cursor=cursor, limit=limit)
    return await relay.get(caller, "reporting", f"/reports/monthly/{segment(period)}/submissions", relayed)


def _submission_path(period: str, submission_id: str, suffix: str = "") -> str:
    return f"/reports/monthly/{segment(period)}/submissions/{segment(submission_id)}{suffix}"


@router.get(
    "/monthly/{period}/submissions/{submission_id}.xlsx",
    response_class=Response,
    responses=file_response(XLSX, "the submitted table with its signatures"),
    summary="A submission as .xlsx",
)
async def submission_xlsx(period: Period, submission_id: SubmissionId, caller: Reader, relay: RelayDep) -> Response:
    """The frozen table in the official layout with 填表人, 审核人 and when it was submitted."""
    return await relay.get(caller, "reporting", _submission_path(period, submission_id, ".xlsx"))


@router.get(
    "/monthly/{period}/submissions/{submission_id}.csv",
    response_class=Response,
    responses=file_response(CSV, "the submitted table with its signatures"),
    summary="A submission as .csv",
)
async def submission_csv(period: Period, submission_id: SubmissionId, caller: Reader, relay: RelayDep) -> Response:
    """The frozen table as CSV (UTF-8) with its signatures."""
    return await relay.get(caller, "reporting", _submission_path(period, submission_id, ".csv"))


@router.get(
    "/monthly/{period}/submissions/{submission_id}",
    response_model=ComparisonPublic,
    responses=READ,
    summary="A submission beside today's figures",
)
async def submission(period: Period, submission_id: SubmissionId, caller: Reader, relay: RelayDep) -> Response:
    """The frozen figures, section 四 and sign-off; each cell that moved since (frozen, live, the
    difference) with the facts recorded after the submission that moved it."""
    return await relay.get(caller, "reporting", _submission_path(period, submission_id))


@router.get(
    "/monthly/{period}/reporting-units",
    response_model=ReportingStatusPublic,
    responses=READ,
    summary="Who has reported (报送情况)",
)
async def reporting_units(period: Period, caller: Reader, relay: RelayDep, region_code: Region = None) -> Response:
    """Each reporting unit of the region (county, zone, town, department) with its submission and
    time, or not yet."""
    relayed = params(region_code=region_for(caller, region_code) or None)
    return await relay.get(caller, "reporting", f"/reports/monthly/{segment(period)}/reporting-units", relayed)


@router.get(
    "/monthly/{period}/reporting-units.xlsx",
    response_class=Response,
    responses=file_response(XLSX, "who has reported, as Excel"),
    summary="Who has reported, as .xlsx",
)
async def reporting_units_xlsx(period: Period, caller: Reader, relay: RelayDep, region_code: Region = None) -> Response:
    """The reporting units and their submissions, as an .xlsx workbook."""
    relayed = params(region_code=region_for(caller, region_code) or None)
    path = f"/reports/monthly/{segment(period)}/reporting-units.xlsx"
    return await relay.get(caller, "reporting", path, relayed)


@router.get(
    "/supervision-list", response_model=Page[SupervisionItem], responses=READ, summary="Listed hazards (挂牌督办清单)"
)
async def supervision_list(
    caller: Reader, relay: RelayDep, query: Supervision, cursor: Cursor = None, limit: Limit = 50
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


@router.get("/ledger", response_model=Page[LedgerItemPublic], responses=READ, summary="The hazard ledger (隐患台账)")
async def ledger(
    caller: Reader,
    relay: RelayDep,
    region_code: Region = None,
    enterprise_id: Annotated[str | None, Query(max_length=64)] = None,
    status: HazardStatus | None = None,
    level: HazardLevel | None = None,
    source: HazardSource | None = None,
    industry: Annotated[str | None, Query(max_length=40)] = None,
    listed: bool | None = None,
    overdue: bool | None = None,
    as_of: AsOf = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Response:
    """Hazards newest found first with their state; overdue by the same rule as the table and the
    supervision list; as of a moment, the hazards known then, as they stood then."""
    relayed = params(
        region_code=region_for(caller, region_code) or None,
        enterprise_id=enterprise_id,
        status=status,
        level=level,
        source=source,
        industry=industry,
        listed=listed,
        overdue=overdue,
        cursor=cursor,
        limit=limit,
    )
    return await relay.get(caller, "reporting", "/reports/ledger", relayed | _moment(as_of))
