"""/api/v1/reports: the dispatch table (调度表) of a month, quarter or year, its submissions and who
has reported, the supervision list (挂牌督办清单) and the hazard ledger (隐患台账), forwarded to the
reporting service. The region is a parameter here, so the gateway checks it: omitted is the
caller's own region, outside it is 403. Every report takes `as_of`: the report as known then."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from fastapi import Query

from hl_api.common import Page
from hl_api.reports import (
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
from hl_contracts.vocabulary import HazardLevel, HazardSource, HazardStatus
from hl_gateway.domain.access import Operation
from hl_gateway.entrypoints.docs import CSV, READ, WRITE, XLSX, file_response
from hl_gateway.entrypoints.routes.params import (
    AS_OF,
    INDUSTRY,
    LISTING_LEVEL,
    PERIOD,
    REPORT_REGION,
    SINCE,
    SUBMISSION,
    page,
)
from hl_gateway.entrypoints.routes.spec import Idempotency, Responses, Route, Upstream, query

MONTHLY = (
    query(
        "period",
        Annotated[str | None, Query(pattern=PERIOD_PATTERN, description=f"{PERIOD_TEXT}; default: the current month")],
        None,
    ),
    REPORT_REGION,
    INDUSTRY,
    SINCE,
    query(
        "cutoff_day",
        Annotated[
            int | None, Query(ge=1, le=31, description="monthly: count up to the end of this day (default: the 24th)")
        ],
        None,
    ),
    AS_OF,
)
SUPERVISION = (
    REPORT_REGION,
    LISTING_LEVEL,
    query("status", Annotated[str | None, Query(max_length=20, description="active (default), delisted or all")], None),
    query("overdue", bool | None, None),
    AS_OF,
)
LEDGER = (
    REPORT_REGION,
    query("enterprise_id", Annotated[str | None, Query(max_length=64)], None),
    query("status", HazardStatus | None, None),
    query("level", HazardLevel | None, None),
    query("source", HazardSource | None, None),
    INDUSTRY,
    query("listed", bool | None, None),
    query("overdue", bool | None, None),
    AS_OF,
    *page(400),
)
SUBMISSIONS = "/reports/monthly/{period}/submissions"
ONE_SUBMISSION = SUBMISSIONS + "/{submission_id}"
UNITS = "/reports/monthly/{period}/reporting-units"


def _report(
    name: str,
    path: str,
    summary: str,
    doc: str,
    model: Any = None,
    *,
    responses: Responses = READ,
    filters: tuple[inspect.Parameter, ...] = (),
    path_params: dict[str, Any] | None = None,
) -> Route:
    """A read of the reporting service, its region checked against the caller's."""
    return Route(
        name,
        "GET",
        path,
        "reports",
        summary,
        doc,
        Operation.READ_REPORTS,
        Upstream("reporting", path),
        response_model=model,
        responses=responses,
        path_params=path_params or {},
        query=filters,
        region_checked=True,
    )


ROUTES = (
    _report(
        "monthly_report",
        "/reports/monthly",
        "The dispatch table (调度表)",
        """Cumulative figures up to the cut-off, with a breakdown per child region: a live, unsigned
    draft (`draft`, `computed_at`); `period=2024-Q2` or `2024` for the quarter's or year's table.""",
        DispatchTable,
        filters=MONTHLY,
    ),
    _report(
        "monthly_report_xlsx",
        "/reports/monthly.xlsx",
        "The dispatch table as .xlsx",
        "The dispatch table in the official layout, as an .xlsx workbook, marked as an unsigned draft.",
        responses=file_response(XLSX, "the dispatch table as Excel"),
        filters=MONTHLY,
    ),
    _report(
        "monthly_report_csv",
        "/reports/monthly.csv",
        "The dispatch table as .csv",
        "The dispatch table as CSV (UTF-8), marked as an unsigned draft.",
        responses=file_response(CSV, "the dispatch table as CSV"),
        filters=MONTHLY,
    ),
    Route(
        "submit_monthly_report",
        "POST",
        SUBMISSIONS,
        "reports",
        "Submit (freeze) a period's figures",
        """Freeze the figures as known now with who filled and reviewed them and the section 四 figures;
    409 if done. Before the cut-off (提前上报) the figures stand at the moment of submission.""",
        Operation.SUBMIT_REPORT,
        Upstream("reporting", SUBMISSIONS),
        status=201,
        body=SubmissionCreate,
        response_model=SubmissionPublic,
        responses=WRITE,
        path_params=PERIOD,
        idempotency=Idempotency.FORWARDED,
        region_checked=True,
    ),
    _report(
        "list_submissions",
        SUBMISSIONS,
        "The period's submissions in a region",
        "Every submission of the period in your region: period, region, industry, who, when.",
        Page[SubmissionSummary],
        filters=(REPORT_REGION, INDUSTRY, *page(400)),
        path_params=PERIOD,
    ),
    _report(
        "submission_xlsx",
        ONE_SUBMISSION + ".xlsx",
        "A submission as .xlsx",
        "The frozen table in the official layout with 填表人, 审核人 and when it was submitted.",
        responses=file_response(XLSX, "the submitted table with its signatures"),
        path_params=SUBMISSION,
    ),
    _report(
        "submission_csv",
        ONE_SUBMISSION + ".csv",
        "A submission as .csv",
        "The frozen table as CSV (UTF-8) with its signatures.",
        responses=file_response(CSV, "the submitted table with its signatures"),
        path_params=SUBMISSION,
    ),
    _report(
        "submission",
        ONE_SUBMISSION,
        "A submission beside today's figures",
        """The frozen figures, section 四 and sign-off; each cell that moved since (frozen, live, the
    difference) with the facts recorded after the submission that moved it.""",
        ComparisonPublic,
        path_params=SUBMISSION,
    ),
    _report(
        "reporting_units",
        UNITS,
        "Who has reported (报送情况)",
        """Each reporting unit of the region (county, zone, town, department) with its submission and
    time, or not yet.""",
        ReportingStatusPublic,
        filters=(REPORT_REGION,),
        path_params=PERIOD,
    ),
    _report(
        "reporting_units_xlsx",
        UNITS + ".xlsx",
        "Who has reported, as .xlsx",
        "The reporting units and their submissions, as an .xlsx workbook.",
        responses=file_response(XLSX, "who has reported, as Excel"),
        filters=(REPORT_REGION,),
        path_params=PERIOD,
    ),
    _report(
        "supervision_list",
        "/reports/supervision-list",
        "Listed hazards (挂牌督办清单)",
        "Listed hazards with enterprise, region, level, authority, deadline, days left or overdue.",
        Page[SupervisionItem],
        filters=(*page(400), *SUPERVISION),
    ),
    _report(
        "supervision_list_xlsx",
        "/reports/supervision-list.xlsx",
        "The supervision list as .xlsx",
        "The whole supervision list as an .xlsx workbook.",
        responses=file_response(XLSX, "the supervision list as Excel"),
        filters=SUPERVISION,
    ),
    _report(
        "supervision_list_csv",
        "/reports/supervision-list.csv",
        "The supervision list as .csv",
        "The whole supervision list as CSV (UTF-8).",
        responses=file_response(CSV, "the supervision list as CSV"),
        filters=SUPERVISION,
    ),
    _report(
        "ledger",
        "/reports/ledger",
        "The hazard ledger (隐患台账)",
        """Hazards newest found first with their state; overdue by the same rule as the table and the
    supervision list; as of a moment, the hazards known then, as they stood then.""",
        Page[LedgerItemPublic],
        filters=LEDGER,
    ),
)
