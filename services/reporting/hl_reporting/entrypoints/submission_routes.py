"""Submissions of a period's table (报送): submit, list, read one beside the live figures, export
it with its signatures; and who in a region has reported."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.reports import (
    ComparisonPublic,
    ReportingStatusPublic,
    SubmissionCreate,
    SubmissionPublic,
    SubmissionSummary,
)
from hl_platform.identity import Caller, CallerDep
from hl_reporting.adapters.exports import dispatch_table_csv, dispatch_table_xlsx
from hl_reporting.adapters.status_exports import reporting_status_xlsx
from hl_reporting.application.reporting_units import ReportingStatus
from hl_reporting.application.service import ReportingService
from hl_reporting.application.views import Submission
from hl_reporting.entrypoints import deps
from hl_reporting.entrypoints.deps import SUBMITTERS, XLSX, CutoffDay, Industry, PeriodPath, RegionParam, ServiceDep
from hl_reporting.entrypoints.presenters import (
    comparison_public,
    reporting_status_public,
    reporting_status_rows,
    submission_public,
    submission_summary,
)

router = APIRouter(prefix="/reports/monthly/{period}", tags=["reports"])
SubmissionId = Annotated[str, Path(max_length=64)]


@router.post("/submissions", status_code=201, summary="Submit (freeze) a period's report")
async def submit(
    service: ServiceDep, caller: CallerDep, period: PeriodPath, body: SubmissionCreate, cutoff_day: CutoffDay = 24
) -> SubmissionPublic:
    """Freezes the figures as known now, with filled-by, reviewed-by and section 四; 409 if already
    submitted. Before the cut-off's end (提前上报) the figures stand at this moment."""
    region = deps.scope(caller, body.region_code, SUBMITTERS)
    submission = await service.submit(
        period=period,
        region_code=region,
        actor=caller.actor,
        filled_by=body.filled_by,
        reviewed_by=body.reviewed_by,
        section4=body.section_four,
        industry=body.industry,
        since=body.since,
        cutoff_day=cutoff_day,
    )
    return submission_public(submission)


@router.get("/submissions", summary="The period's submissions in a region")
async def submitted(
    service: ServiceDep,
    caller: CallerDep,
    period: PeriodPath,
    region_code: RegionParam = None,
    industry: Industry = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Page[SubmissionSummary]:
    """Every submission of the period in the region's subtree: scope, who, when."""
    region = deps.scope(caller, region_code)
    page = await service.submissions(period=period, region_prefix=region, industry=industry, cursor=cursor, limit=limit)
    return Page(items=[submission_summary(item) for item in page.items], next_cursor=page.next_cursor)


async def _visible(service: ReportingService, caller: Caller, period: str, submission_id: str) -> Submission:
    submission = await service.submission(submission_id, period=period)
    deps.scope(caller, submission.table.region_code)
    return submission


@router.get(
    "/submissions/{submission_id}.xlsx",
    summary="A submission in the official layout, with its signatures",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def submission_xlsx(
    service: ServiceDep, caller: CallerDep, period: PeriodPath, submission_id: SubmissionId
) -> Response:
    found = await _visible(service, caller, period, submission_id)
    content = dispatch_table_xlsx(found.table, found.signoff)
    return deps.download(content, XLSX, f"dispatch-{found.table.region_code}-{period}-{found.id}.xlsx")


@router.get(
    "/submissions/{submission_id}.csv",
    summary="A submission as CSV, with its signatures",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def submission_csv(
    service: ServiceDep, caller: CallerDep, period: PeriodPath, submission_id: SubmissionId
) -> Response:
    found = await _visible(service, caller, period, submission_id)
    content = dispatch_table_csv(found.table, found.signoff)
    return deps.download(content, deps.CSV, f"dispatch-{found.table.region_code}-{period}-{found.id}.csv")


@router.get("/submissions/{submission_id}", summary="A submission beside today's figures")
async def submission(
    service: ServiceDep, caller: CallerDep, period: PeriodPath, submission_id: SubmissionId
) -> ComparisonPublic:
    """The frozen figures, section 四 and sign-off; every cell that moved since, with the facts
    recorded after the submission that moved it."""
    await _visible(service, caller, period, submission_id)
    comparison = await service.compare(submission_id, period=period)
    return comparison_public(comparison)


async def _status(service: ReportingService, caller: Caller, period: str, region_code: str | None) -> ReportingStatus:
    return await service.reporting_status(period=period, region_code=deps.scope(caller, region_code))


@router.get("/reporting-units", summary="Who has reported (报送情况)")
async def reporting_units(
    service: ServiceDep, caller: CallerDep, period: PeriodPath, region_code: RegionParam = None
) -> ReportingStatusPublic:
    """Each reporting unit of the region (its child regions, and departments that report its
    industries) with its submission and time, or not yet."""
    return reporting_status_public(await _status(service, caller, period, region_code))


@router.get(
    "/reporting-units.xlsx",
    summary="Who has reported, as xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def reporting_units_xlsx(
    service: ServiceDep, caller: CallerDep, period: PeriodPath, region_code: RegionParam = None
) -> Response:
    status = await _status(service, caller, period, region_code)
    title, rows = reporting_status_rows(status)
    return deps.download(reporting_status_xlsx(title, rows), XLSX, f"reporting-{status.region_code}-{period}.xlsx")
