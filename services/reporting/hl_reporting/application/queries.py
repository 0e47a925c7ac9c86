"""The reporting service's read side: the dispatch table, the supervision list, the hazard ledger.

Callers (the HTTP layer) pass an open connection (`Database.read()`), the region catalogue and,
for anything that depends on the clock, `today` as a Shanghai date: these queries never read it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts.vocabulary import INDUSTRIES, HazardStatus
from hl_platform.errors import InvalidInput
from hl_reporting.adapters.bucket_reads import Scope, in_region, read_sums
from hl_reporting.adapters.tables import hazard_state
from hl_reporting.application.pages import Page, check_limit, decode_cursor, encode_cursor
from hl_reporting.application.regions import RegionTree, region_name
from hl_reporting.domain.calendar import DEFAULT_CUTOFF_DAY, report_window
from hl_reporting.domain.figures import Sums, compute_figures
from hl_reporting.domain.listings import LedgerItem, SupervisionItem
from hl_reporting.domain.report import DispatchTable, RegionFigures

__all__ = [
    "LedgerItem",
    "ListingStatus",
    "Page",
    "SupervisionItem",
    "all_supervision_items",
    "dispatch_table",
    "hazard_ledger",
    "supervision_list",
]
OPEN_STATUSES = (HazardStatus.REPORTED.value, HazardStatus.RECTIFYING.value)
ListingStatus = Literal["active", "delisted", "all"]


async def dispatch_table(
    conn: AsyncConnection,
    *,
    period: str,
    region_code: str,
    catalogue: RegionTree,
    industry: str | None = None,
    since: date | None = None,
    cutoff_day: int = DEFAULT_CUTOFF_DAY,
) -> DispatchTable:
    """The dispatch table of `period` for a region subtree (and one industry), with its children's rows."""
    window = report_window(period, since, cutoff_day)
    if industry is not None and industry not in INDUSTRIES:
        raise InvalidInput("industry", "is not an industry of the catalogue")
    name = region_name(catalogue, region_code)
    children = list(catalogue.children(region_code))
    codes = tuple(child.code for child in children)
    sums = await read_sums(conn, Scope(region_code, window.since, window.cutoff, industry, codes))
    breakdown = [RegionFigures(c.code, c.name, compute_figures(sums.by_child.pop(c.code, Sums()))) for c in children]
    for code, rest in sorted(sums.by_child.items()):  # records on the node itself, or under unknown codes
        label = f"{name}(本级)" if code == region_code else catalogue.name(code)
        breakdown.append(RegionFigures(code, label, compute_figures(rest)))
    return DispatchTable(
        period=window.period,
        region_code=region_code,
        region_name=name,
        industry=industry,
        since=window.since,
        cutoff=window.cutoff,
        figures=compute_figures(sums.total),
        breakdown=tuple(breakdown),
    )


# A province or a city holds a large share of all hazards: its list pages are read by walking the
# list-order index and filtering (a page is found after a few hundred rows), never by sorting the
# whole subtree. A county or a town holds few: its rows come from the region index and are sorted.
_BROAD_REGION = 4


def _in_list_region(prefix: str) -> ColumnElement[bool]:
    column = hazard_state.c.region_code
    if len(prefix) <= _BROAD_REGION:  # not a range, so that no planner reads the subtree and sorts it
        return column.is_not(None) if not prefix else func.substr(column, 1, len(prefix)) == prefix
    return in_region(column, prefix)


def _overdue(today: date, overdue: bool) -> Any:
    """Past its deadline and not rectified (the deadline is the end of its day)."""
    t = hazard_state
    if overdue:
        return and_(t.c.deadline < today, t.c.status.in_(OPEN_STATUSES))
    return or_(t.c.deadline.is_(None), t.c.deadline >= today, t.c.status.not_in(OPEN_STATUSES))


def _days(row: RowMapping, today: date) -> tuple[int | None, int | None]:
    deadline = row["deadline"]
    if deadline is None or row["status"] not in OPEN_STATUSES:
        return None, None
    left = (deadline - today).days
    return (left, None) if left >= 0 else (None, -left)


async def supervision_list(
    conn: AsyncConnection,
    *,
    region_prefix: str,
    today: date,
    level: str | None = None,
    status: ListingStatus = "active",
    overdue: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
    catalogue: RegionTree | None = None,
) -> Page[SupervisionItem]:
    """Listed hazards in a region subtree, oldest listing first; `overdue` is judged against `today`."""
    t = hazard_state
    query = select(t).where(t.c.listing_level.is_not(None), t.c.status != HazardStatus.VOIDED.value)
    query = query.where(_in_list_region(region_prefix))
    if level is not None:
        query = query.where(t.c.listing_level == level)
    if status == "active":
        query = query.where(t.c.delisted_at.is_(None))
    elif status == "delisted":
        query = query.where(t.c.delisted_at.is_not(None))
    if overdue is not None:
        query = query.where(_overdue(today, overdue))
    if cursor:
        at, hazard_id = decode_cursor(cursor, 2)
        moment = _moment(at)
        query = query.where(tuple_(t.c.listed_at, t.c.hazard_id) > (moment, hazard_id))  # a seek, not a scan
    rows = await _page(conn, query.order_by(t.c.listed_at, t.c.hazard_id), limit)
    items = [_supervision_item(row, today, catalogue) for row in rows[:limit]]
    last = items[-1] if len(rows) > limit else None
    return Page(items, encode_cursor(last.listed_at.isoformat(), last.hazard_id) if last else None)


async def all_supervision_items(
    conn: AsyncConnection, *, region_prefix: str, today: date, catalogue: RegionTree | None = None, **filters: Any
) -> list[SupervisionItem]:
    """Every page of the supervision list (for exports)."""
    items: list[SupervisionItem] = []
    cursor: str | None = None
    while True:
        page = await supervision_list(
            conn, region_prefix=region_prefix, today=today, cursor=cursor, limit=500, catalogue=catalogue, **filters
        )
        items.extend(page.items)
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


def _supervision_item(row: RowMapping, today: date, catalogue: RegionTree | None) -> SupervisionItem:
    days_left, days_overdue = _days(row, today)
    return SupervisionItem(
        hazard_id=row["hazard_id"],
        title=row["title"],
        enterprise_id=row["enterprise_id"],
        enterprise_name=row["enterprise_name"],
        region_code=row["region_code"],
        region_name=catalogue.name(row["region_code"]) if catalogue else row["region_code"],
        industry=row["industry"],
        level=row["level"],
        listing_level=row["listing_level"],
        listing_authority=row["listing_authority"] or "",
        listed_at=row["listed_at"],
        deadline=row["deadline"],
        status=row["status"],
        delisted_at=row["delisted_at"],
        days_left=days_left,
        days_overdue=days_overdue,
        evidence_count=row["evidence_count"],
    )


async def hazard_ledger(
    conn: AsyncConnection,
    *,
    region_prefix: str,
    enterprise_id: str | None = None,
    status: str | None = None,
    level: str | None = None,
    source: str | None = None,
    industry: str | None = None,
    listed: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[LedgerItem]:
    """The hazard ledger, newest found first. Voided hazards appear only when `status="voided"`."""
    t = hazard_state
    query = select(t).where(_in_list_region(region_prefix))
    query = query.where(t.c.status == status if status else t.c.status != HazardStatus.VOIDED.value)
    for column, value in (
        (t.c.enterprise_id, enterprise_id),
        (t.c.level, level),
        (t.c.source, source),
        (t.c.industry, industry),
    ):
        if value is not None:
            query = query.where(column == value)
    if listed is not None:
        query = query.where(t.c.listing_level.is_not(None) if listed else t.c.listing_level.is_(None))
    if cursor:
        at, hazard_id = decode_cursor(cursor, 2)
        moment = _moment(at)
        query = query.where(tuple_(t.c.found_at, t.c.hazard_id) < (moment, hazard_id))
    rows = await _page(conn, query.order_by(t.c.found_at.desc(), t.c.hazard_id.desc()), limit)
    items = [_ledger_item(row) for row in rows[:limit]]
    last = items[-1] if len(rows) > limit else None
    return Page(items, encode_cursor(last.found_at.isoformat(), last.hazard_id) if last else None)


def _ledger_item(row: RowMapping) -> LedgerItem:
    return LedgerItem(
        **{
            name: row[name]
            for name in (
                "hazard_id",
                "title",
                "enterprise_id",
                "enterprise_name",
                "region_code",
                "industry",
                "source",
                "level",
                "status",
                "found_at",
                "deadline",
                "rectified_at",
                "closed_at",
                "listing_level",
                "overdue_recorded",
                "version",
                "evidence_count",
            )
        },
        funds_yuan=Decimal(row["funds_fen"]) / 100,
    )


async def _page(conn: AsyncConnection, query: Select[Any], limit: int) -> list[RowMapping]:
    return list((await conn.execute(query.limit(check_limit(limit) + 1))).mappings())


def _moment(raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput("cursor", "is not a cursor this service issued") from exc
    if moment.tzinfo is None:
        raise InvalidInput("cursor", "is not a cursor this service issued")
    return moment
