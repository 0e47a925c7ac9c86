"""/api/v1/evaluations: the monthly evaluation (月度评估赋分) of a region's units, forwarded to the
reporting service. The region is a parameter, checked like the reports': omitted is the caller's
own region, outside it is 403."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query

from hl_api.evaluations import EvaluationPublic
from hl_api.reports import PERIOD_PATTERN
from hl_gateway.domain.access import Operation
from hl_gateway.entrypoints.docs import READ, XLSX, file_response
from hl_gateway.entrypoints.routes.spec import Route, Upstream, query

EVALUATION = (
    query("period", Annotated[str, Query(pattern=PERIOD_PATTERN, description="YYYY-MM")]),
    query(
        "region_code",
        Annotated[
            str | None, Query(max_length=12, description="the region whose child units are scored; default: your own")
        ],
        None,
    ),
    query(
        "as_of",
        Annotated[
            datetime | None,
            Query(description="RFC 3339: as known at this moment; a submitted period answers from its submission on"),
        ],
        None,
    ),
)

ROUTES = (
    Route(
        "monthly_evaluation",
        "GET",
        "/evaluations/monthly",
        "evaluations",
        "The monthly evaluation of a region's units (月度评估赋分)",
        """Each child unit (county, zone, town) scored by the region's scheme, explained indicator by
    indicator with its inputs, and ranked; frozen with the region's submission of the period.""",
        Operation.READ_REPORTS,
        Upstream("reporting", "/evaluations/monthly"),
        response_model=EvaluationPublic,
        responses=READ,
        query=EVALUATION,
        region_checked=True,
    ),
    Route(
        "monthly_evaluation_xlsx",
        "GET",
        "/evaluations/monthly.xlsx",
        "evaluations",
        "The monthly evaluation as .xlsx",
        "The score sheet (评估赋分表) with the explanation and the scheme, as an .xlsx workbook.",
        Operation.READ_REPORTS,
        Upstream("reporting", "/evaluations/monthly.xlsx"),
        responses=file_response(XLSX, "the evaluation as an Excel score sheet"),
        query=EVALUATION,
        region_checked=True,
    ),
)
