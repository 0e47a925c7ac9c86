"""The list views: the supervision list (挂牌督办清单) and the hazard ledger (隐患台账), live or as
known at a moment (`as_of`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.reports import LedgerItemPublic, SupervisionItem
from hl_contracts.vocabulary import HazardLevel, HazardSource, HazardStatus
from hl_platform.identity import CallerDep
from hl_reporting.adapters.exports import supervision_list_csv, supervision_list_xlsx
from hl_reporting.domain.calendar import business_day
from hl_reporting.domain.listings import ListedHazard
from hl_reporting.entrypoints import deps
from hl_reporting.entrypoints.deps import XLSX, AsOf, Industry, RegionParam, ServiceDep
from hl_reporting.entrypoints.presenters import ledger_public, supervision_public

router = APIRouter(prefix="/reports", tags=["reports"])
ListingStatus = Literal["active", "delisted", "all"]
Level = Literal["county", "city", "province"]
Cursor = Annotated[str | None, Query(max_length=400)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@dataclass(frozen=True)
class ListingFilters:
    region: str
    level: Level | None
    status: ListingStatus
    overdue: bool | None
    as_of: datetime | None
    today: date


def listing_filters(
    caller: CallerDep,
    region_code: RegionParam = None,
    level: Level | None = None,
    status: ListingStatus = "active",
    overdue: bool | None = None,
    as_of: AsOf = None,
) -> ListingFilters:
    """The supervision-list filters, the region checked against the caller's, `as_of` against the clock."""
    clock = deps.now()
    moment = deps.as_of_moment(as_of, clock)
    today = business_day(moment or clock)
    return ListingFilters(deps.scope(caller, region_code), level, status, overdue, moment, today)


FiltersDep = Annotated[ListingFilters, Depends(listing_filters)]


@router.get("/supervision-list", summary="Hazards under listed supervision (挂牌督办清单)")
async def supervision_list(
    service: ServiceDep, filters: FiltersDep, cursor: Cursor = None, limit: Limit = 50
) -> Page[SupervisionItem]:
    page = await service.supervision_list(**_listing(filters), cursor=cursor, limit=limit)
    return Page(items=[supervision_public(item) for item in page.items], next_cursor=page.next_cursor)


async def supervision_items_of(service: ServiceDep, filters: FiltersDep) -> tuple[ListingFilters, list[ListedHazard]]:
    """Every listed hazard matching the filters (for the exports)."""
    return filters, await service.supervision_items(**_listing(filters))


def _listing(filters: ListingFilters) -> dict[str, Any]:
    return {
        "region_prefix": filters.region,
        "today": filters.today,
        "level": filters.level,
        "status": filters.status,
        "overdue": filters.overdue,
        "as_of": filters.as_of,
    }


ItemsDep = Annotated[tuple[ListingFilters, list[ListedHazard]], Depends(supervision_items_of)]


@router.get(
    "/supervision-list.xlsx",
    summary="The supervision list as xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def supervision_xlsx(found: ItemsDep) -> Response:
    filters, items = found
    content = supervision_list_xlsx(items, today=filters.today)
    return deps.download(content, XLSX, f"supervision-{filters.region}.xlsx")


@router.get(
    "/supervision-list.csv",
    summary="The supervision list as CSV (UTF-8 with BOM)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def supervision_csv(found: ItemsDep) -> Response:
    filters, items = found
    return deps.download(supervision_list_csv(items), deps.CSV, f"supervision-{filters.region}.csv")


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
    page = await service.hazard_ledger(
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
    return Page(items=[ledger_public(item) for item in page.items], next_cursor=page.next_cursor)
