"""The list views: the supervision list (挂牌督办清单) and the hazard ledger (隐患台账), live or as
known at a moment (`as_of`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.reports import LedgerItemPublic, SupervisionItem
from hl_contracts.vocabulary import HazardLevel, HazardSource, HazardStatus
from hl_platform.identity import CallerDep
from hl_reporting.adapters.exports import supervision_list_csv, supervision_list_xlsx
from hl_reporting.application.ports import LedgerQuery, ListingStatus, SupervisionQuery
from hl_reporting.domain.calendar import business_day
from hl_reporting.domain.listings import ListedHazard
from hl_reporting.entrypoints import deps
from hl_reporting.entrypoints.deps import XLSX, AsOf, Industry, RegionParam, ServiceDep
from hl_reporting.entrypoints.presenters import ledger_public, supervision_public

router = APIRouter(prefix="/reports", tags=["reports"])
Level = Literal["county", "city", "province"]
Cursor = Annotated[str | None, Query(max_length=400)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


def listing_filters(
    caller: CallerDep,
    region_code: RegionParam = None,
    level: Level | None = None,
    status: ListingStatus = "active",
    overdue: bool | None = None,
    as_of: AsOf = None,
) -> SupervisionQuery:
    """The supervision-list filters, the region checked against the caller's, `as_of` against the clock."""
    clock = deps.now()
    moment = deps.as_of_moment(as_of, clock)
    today = business_day(moment or clock)
    region = deps.scope(caller, region_code)
    return SupervisionQuery(
        region_prefix=region, today=today, level=level, status=status, overdue=overdue, as_of=moment
    )


FiltersDep = Annotated[SupervisionQuery, Depends(listing_filters)]


@router.get("/supervision-list", summary="Hazards under listed supervision (挂牌督办清单)")
async def supervision_list(
    service: ServiceDep, filters: FiltersDep, cursor: Cursor = None, limit: Limit = 50
) -> Page[SupervisionItem]:
    page = await service.supervision_list(replace(filters, cursor=cursor, limit=limit))
    return Page(items=[supervision_public(item) for item in page.items], next_cursor=page.next_cursor)


async def supervision_items_of(service: ServiceDep, filters: FiltersDep) -> tuple[SupervisionQuery, list[ListedHazard]]:
    """Every listed hazard matching the filters (for the exports)."""
    return filters, await service.supervision_items(filters)


ItemsDep = Annotated[tuple[SupervisionQuery, list[ListedHazard]], Depends(supervision_items_of)]


@router.get(
    "/supervision-list.xlsx",
    summary="The supervision list as xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def supervision_xlsx(found: ItemsDep) -> Response:
    filters, items = found
    content = supervision_list_xlsx(items, today=filters.today)
    return deps.download(content, XLSX, f"supervision-{filters.region_prefix}.xlsx")


@router.get(
    "/supervision-list.csv",
    summary="The supervision list as CSV (UTF-8 with BOM)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def supervision_csv(found: ItemsDep) -> Response:
    filters, items = found
    return deps.download(supervision_list_csv(items), deps.CSV, f"supervision-{filters.region_prefix}.csv")


@router.get("/ledger", summary="The hazard ledger (隐患台账)")
async def ledger(
    service: ServiceDep,
    caller: CallerDep,
    region_code: RegionParam = None,
    enterprise_id: Annotated[str | None, Query(max_length=64)] = None,
    status: HazardStatus | None = None,
    level: HazardLevel | None = None,
    source: HazardSource | None = None,
    industry: Industry = None,
    listed: bool | None = None,
    overdue: bool | None = None,
    as_of: AsOf = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[LedgerItemPublic]:
    """Hazards newest found first, with their state and overdue by the one rule; as of a moment,
    the hazards known then, as they stood then."""
    region = deps.scope(caller, region_code)
    query = LedgerQuery(
        region_prefix=region,
        enterprise_id=enterprise_id,
        status=status.value if status else None,
        level=level.value if level else None,
        source=source.value if source else None,
        industry=industry,
        listed=listed,
        overdue=overdue,
        cursor=cursor,
        limit=limit,
        as_of=deps.as_of_moment(as_of, deps.now()),
    )
    page = await service.hazard_ledger(query)
    return Page(items=[ledger_public(item) for item in page.items], next_cursor=page.next_cursor)
