"""/api/v1/evaluations: the monthly evaluation (月度评估赋分) of a region's units, relayed to the
reporting service. The region is a parameter, checked like the reports': omitted is the caller's
own region, outside it is 403."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from hl_api.evaluations import EvaluationPublic
from hl_api.reports import PERIOD_PATTERN
from hl_gateway.domain.access import Operation, region_for
from hl_gateway.entrypoints.deps import allowed
from hl_gateway.entrypoints.docs import READ, XLSX, file_response
from hl_gateway.entrypoints.relaying import RelayDep, params
from hl_platform.identity import Caller

router = APIRouter(prefix="/evaluations", tags=["evaluations"])
Reader = Annotated[Caller, allowed(Operation.READ_REPORTS)]


@dataclass
class EvaluationQuery:
    period: Annotated[str, Query(pattern=PERIOD_PATTERN, description="YYYY-MM")]
    region_code: Annotated[
        str | None, Query(max_length=12, description="the region whose child units are scored; default: your own")
    ] = None
    as_of: Annotated[
        datetime | None,
        Query(description="RFC 3339: as known at this moment; a submitted period answers from its submission on"),
    ] = None

    def relayed(self, caller: Caller) -> dict[str, str]:
        region = region_for(caller, self.region_code) or None
        as_of = self.as_of.isoformat() if self.as_of else None
        return params(period=self.period, region_code=region, as_of=as_of)


Evaluation = Annotated[EvaluationQuery, Depends()]


@router.get(
    "/monthly",
    response_model=EvaluationPublic,
    responses=READ,
    summary="The monthly evaluation of a region's units (月度评估赋分)",
)
async def monthly_evaluation(caller: Reader, relay: RelayDep, query: Evaluation) -> Response:
    """Each child unit (county, zone, town) scored by the region's scheme, explained indicator by
    indicator with its inputs, and ranked; frozen with the region's submission of the period."""
    return await relay.get(caller, "reporting", "/evaluations/monthly", query.relayed(caller))


@router.get(
    "/monthly.xlsx",
    response_class=Response,
    responses=file_response(XLSX, "the evaluation as an Excel score sheet"),
    summary="The monthly evaluation as .xlsx",
)
async def monthly_evaluation_xlsx(caller: Reader, relay: RelayDep, query: Evaluation) -> Response:
    """The score sheet (评估赋分表) with the explanation and the scheme, as an .xlsx workbook."""
    return await relay.get(caller, "reporting", "/evaluations/monthly.xlsx", query.relayed(caller))
