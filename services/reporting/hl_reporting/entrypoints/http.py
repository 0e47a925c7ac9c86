"""The reporting service's internal HTTP API: the dispatch table of a month, quarter or year.

The live table and its exports are drafts: computed now (or as known at `as_of`), signed by no one.
Submissions, who has reported, and the list views have their own modules; `routers` are all of them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from hl_api.reports import DispatchTable
from hl_platform.identity import CallerDep
from hl_reporting.adapters.exports import dispatch_table_csv, dispatch_table_xlsx
from hl_reporting.domain.report import ComputedTable
from hl_reporting.entrypoints import deps
from hl_reporting.entrypoints.deps import XLSX, AsOf, CutoffDay, Industry, PeriodQuery, RegionParam, ServiceDep, Since
from hl_reporting.entrypoints.presenters import table_public

router = APIRouter(prefix="/reports", tags=["reports"])


async def live_table(
    caller: CallerDep,
    service: ServiceDep,
    period: PeriodQuery = None,
    region_code: RegionParam = None,
    industry: Industry = None,
    since: Since = None,
    cutoff_day: CutoffDay = 24,
    as_of: AsOf = None,
) -> ComputedTable:
    """The period's table as known now, or at `as_of`: an unsigned draft."""
    region = deps.scope(caller, region_code)
    return await service.dispatch_table(
        period=period, region_code=region, industry=industry, since=since, cutoff_day=cutoff_day, as_of=as_of
    )


TableDep = Annotated[ComputedTable, Depends(live_table)]


@router.get("/monthly", summary="The dispatch table (调度表) of a month, quarter or year")
async def monthly(table: TableDep) -> DispatchTable:
    """Cumulative figures up to the end of the cut-off day (Asia/Shanghai), with one row per child region."""
    return table_public(table)


@router.get(
    "/monthly.xlsx",
    summary="The table as an xlsx in the official layout (a draft)",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def monthly_xlsx(table: TableDep) -> Response:
    return deps.download(dispatch_table_xlsx(table), XLSX, _filename(table, "xlsx"))


@router.get(
    "/monthly.csv",
    summary="The table as CSV (UTF-8 with BOM; a draft)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def monthly_csv(table: TableDep) -> Response:
    return deps.download(dispatch_table_csv(table), deps.CSV, _filename(table, "csv"))


def _filename(table: ComputedTable, suffix: str, label: str = "draft") -> str:
    return f"dispatch-{table.region_code}-{table.period}-{label}.{suffix}"
