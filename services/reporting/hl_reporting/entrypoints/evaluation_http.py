"""The reporting service's evaluation routes (internal: the gateway forwards them).

`GET /evaluations/monthly` scores a region's child units for a period (月度评估赋分); `.xlsx` is
the same as a score sheet. The region is scoped like the reports: the caller's own unless it
names one inside it; outside is 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from hl_api.evaluations import EvaluationPublic
from hl_api.reports import PERIOD_PATTERN
from hl_platform.errors import InvalidInput
from hl_platform.identity import CallerDep
from hl_reporting.adapters.evaluation_export import evaluation_xlsx
from hl_reporting.domain.evaluation import Evaluation
from hl_reporting.entrypoints.deps import XLSX, ServiceDep, download, scope
from hl_reporting.entrypoints.evaluation_presenters import evaluation_public

router = APIRouter(prefix="/evaluations", tags=["evaluations"])
Period = Annotated[str, Query(pattern=PERIOD_PATTERN, description="YYYY-MM", examples=["2026-05"])]
RegionParam = Annotated[str | None, Query(description="defaults to the caller's region")]
AsOf = Annotated[datetime | None, Query(description="RFC 3339: as known at this moment (default: now)")]


async def evaluation_of(
    caller: CallerDep,
    service: ServiceDep,
    period: Period,
    region_code: RegionParam = None,
    as_of: AsOf = None,
) -> Evaluation:
    region = scope(caller, region_code)
    if as_of is not None and as_of.tzinfo is None:
        raise InvalidInput("as_of", "must carry its offset (RFC 3339)")
    return await service.evaluation(period=period, region_code=region, as_of=as_of)


EvaluationDep = Annotated[Evaluation, Depends(evaluation_of)]


@router.get("/monthly", summary="The monthly evaluation of a region's units (月度评估赋分)")
async def monthly(evaluation: EvaluationDep) -> EvaluationPublic:
    """Each child unit scored indicator by indicator and ranked; frozen once the region has submitted."""
    return evaluation_public(evaluation)


@router.get(
    "/monthly.xlsx",
    summary="The monthly evaluation as an xlsx score sheet",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def monthly_xlsx(evaluation: EvaluationDep) -> Response:
    name = f"evaluation-{evaluation.region_code}-{evaluation.period}.xlsx"
    return download(evaluation_xlsx(evaluation), XLSX, name)
