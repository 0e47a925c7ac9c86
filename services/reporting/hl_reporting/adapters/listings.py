"""The list views over `hazard_state`: the supervision list (挂牌督办清单) and the hazard ledger
(隐患台账), live or as known at a moment (the `Listings` port: `SqlListings` in `unit_of_work.py`).

Overdue is one rule everywhere (`hazard_timeline.is_overdue`): the deadline in force ended before
today and the fix is still owed; the live lists spell it in SQL, the as-of lists apply it to each
hazard as its facts recorded by then say it was (`HazardRecord.as_known_at`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts.vocabulary import HazardStatus
from hl_platform.errors import InvalidInput
from hl_reporting.adapters import hazard_rows
from hl_reporting.adapters.bucket_reads import in_region
from hl_reporting.adapters.tables import hazard_state
from hl_reporting.application.pages import CursorPage, check_limit, decode_cursor, encode_cursor
from hl_reporting.application.ports import LedgerQuery, ListingStatus, SupervisionQuery
from hl_reporting.application.regions import RegionTree
from hl_reporting.domain.calendar import business_day
from hl_reporting.domain.hazard_record import HazardRecord
from hl_reporting.domain.hazard_timeline import is_overdue
from hl_reporting.domain.listings import LedgerItem, ListedHazard

OPEN_STATUSES = (HazardStatus.REPORTED.value, HazardStatus.RECTIFYING.value)
_WALK = 200  # rows read per step of an as-of walk

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
    """`is_overdue` in SQL: past its deadline (the end of its day) and not rectified."""
    t = hazard_state
    if overdue:
        return and_(t.c.deadline < today, t.c.status.in_(OPEN_STATUSES))
    return or_(t.c.deadline.is_(None), t.c.deadline >= today, t.c.status.not_in(OPEN_STATUSES))


def overdue_now(deadline: date | None, status: str, today: date) -> bool:
    return status != HazardStatus.VOIDED and is_overdue(deadline, status not in OPEN_STATUSES, today)


def _days(deadline: date | None, status: str, today: date) -> tuple[int | None, int | None]:
    if deadline is None or status not in OPEN_STATUSES:
        return None, None
    left = (deadline - today).days
    return (left, None) if left >= 0 else (None, -left)


# -- the supervision list ---------------------------------------------------------------------------


async def supervision_list(
    conn: AsyncConnection, asked: SupervisionQuery, catalogue: RegionTree | None = None
) -> CursorPage[ListedHazard]:
    """Listed hazards in a region subtree, oldest listing first; `overdue` is judged against `today`.

    As of a moment: the hazards listed by then, as they stood then, in the order first listed.
    """
    region_prefix, today, level, status = asked.region_prefix, asked.today, asked.level, asked.status
    overdue, as_of, cursor, limit = asked.overdue, asked.as_of, asked.cursor, asked.limit
    if as_of is not None:
        return await _supervision_as_of(conn, region_prefix, as_of, level, status, overdue, cursor, limit, catalogue)
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
        query = query.where(tuple_(t.c.listed_at, t.c.hazard_id) > (_moment(at), hazard_id))  # a seek, not a scan
    rows = await _page(conn, query.order_by(t.c.listed_at, t.c.hazard_id), limit)
    items = [_supervision_item(hazard_rows.record_from(row), today, catalogue) for row in rows[:limit]]
    last = items[-1] if len(rows) > limit else None
    return CursorPage(items, encode_cursor(last.listed_at.isoformat(), last.hazard_id) if last else None)


async def _supervision_as_of(
    conn: AsyncConnection,
    region_prefix: str,
    as_of: datetime,
    level: str | None,
    status: ListingStatus,
    overdue: bool | None,
    cursor: str | None,
    limit: int,
    catalogue: RegionTree | None,
) -> CursorPage[ListedHazard]:
    t = hazard_state
    today = business_day(as_of)
    check_limit(limit)
    query = select(t).where(t.c.listing_level.is_not(None), t.c.first_listed_at <= as_of)
    query = query.where(_in_list_region(region_prefix))
    after = _after(cursor)
    items: list[ListedHazard] = []
    keys: list[tuple[datetime, str]] = []
    async for row in _walk(conn, query, (t.c.first_listed_at, t.c.hazard_id), after, descending=False):
        record = hazard_rows.record_from(row).as_known_at(as_of)
        if record is None or not _listed_as(record, level, status, overdue, today):
            continue
        items.append(_supervision_item(record, today, catalogue))
        keys.append((row["first_listed_at"], row["hazard_id"]))
        if len(items) > limit:
            break
    return _cut(items, keys, limit)


def _listed_as(
    record: HazardRecord, level: str | None, status: ListingStatus, overdue: bool | None, today: date
) -> bool:
    if record.listing_level is None or record.status == HazardStatus.VOIDED:
        return False
    if level is not None and record.listing_level != level:
        return False
    if status != "all" and (record.delisted_at is None) != (status == "active"):
        return False
    return overdue is None or overdue_now(record.deadline, record.status, today) == overdue


def _supervision_item(record: HazardRecord, today: date, catalogue: RegionTree | None) -> ListedHazard:
    days_left, days_overdue = _days(record.deadline, record.status, today)
    assert record.listing_level is not None and record.listed_at is not None
    return ListedHazard(
        hazard_id=record.hazard_id,
        title=record.title,
        enterprise_id=record.enterprise_id,
        enterprise_name=record.enterprise_name,
        region_code=record.region_code,
        region_name=catalogue.name(record.region_code) if catalogue else record.region_code,
        industry=record.industry,
        level=record.level,
        listing_level=record.listing_level,
        listing_authority=record.listing_authority or "",
        listed_at=record.listed_at,
        deadline=record.deadline,
        status=record.status,
        delisted_at=record.delisted_at,
        days_left=days_left,
        days_overdue=days_overdue,
        evidence_count=record.evidence_count,
    )


# -- the hazard ledger ----------------------------------------------------------------------------


async def hazard_ledger(conn: AsyncConnection, asked: LedgerQuery) -> CursorPage[LedgerItem]:
    """The hazard ledger, newest found first. Voided hazards appear only when `status="voided"`.

    `overdue` is judged against `today` (as of a moment: its day); as of a moment the ledger holds
    the hazards known by then, as they stood then.
    """
    region_prefix, status, level, listed, overdue = (
        asked.region_prefix,
        asked.status,
        asked.level,
        asked.listed,
        asked.overdue,
    )
    today, as_of, cursor, limit = asked.today, asked.as_of, asked.cursor, asked.limit
    enterprise_id, source, industry = asked.enterprise_id, asked.source, asked.industry
    t = hazard_state
    if as_of is not None:
        today = business_day(as_of)
    if overdue is not None and today is None:
        raise ValueError("judging overdue needs today")
    query = select(t).where(_in_list_region(region_prefix))
    for column, value in ((t.c.enterprise_id, enterprise_id), (t.c.source, source), (t.c.industry, industry)):
        if value is not None:
            query = query.where(column == value)
    if as_of is not None:
        return await _ledger_as_of(
            conn, query.where(t.c.found_at <= as_of), as_of, cursor, limit, status, level, listed, overdue
        )
    query = query.where(t.c.status == status if status else t.c.status != HazardStatus.VOIDED.value)
    if level is not None:
        query = query.where(t.c.level == level)
    if listed is not None:
        query = query.where(t.c.listing_level.is_not(None) if listed else t.c.listing_level.is_(None))
    if overdue is not None and today is not None:
        query = query.where(_overdue(today, overdue))
    if cursor:
        at, hazard_id = decode_cursor(cursor, 2)
        query = query.where(tuple_(t.c.found_at, t.c.hazard_id) < (_moment(at), hazard_id))
    rows = await _page(conn, query.order_by(t.c.found_at.desc(), t.c.hazard_id.desc()), limit)
    items = [_ledger_item(hazard_rows.record_from(row), today) for row in rows[:limit]]
    last = items[-1] if len(rows) > limit else None
    return CursorPage(items, encode_cursor(last.found_at.isoformat(), last.hazard_id) if last else None)


async def _ledger_as_of(
    conn: AsyncConnection,
    query: Select[Any],
    as_of: datetime,
    cursor: str | None,
    limit: int,
    status: str | None,
    level: str | None,
    listed: bool | None,
    overdue: bool | None,
) -> CursorPage[LedgerItem]:
    t = hazard_state
    today = business_day(as_of)
    check_limit(limit)
    items: list[LedgerItem] = []
    keys: list[tuple[datetime, str]] = []
    async for row in _walk(conn, query, (t.c.found_at, t.c.hazard_id), _after(cursor), descending=True):
        record = hazard_rows.record_from(row).as_known_at(as_of)
        if record is None or (record.status != status if status else record.status == HazardStatus.VOIDED):
            continue
        if (level is not None and record.level != level) or (
            listed is not None and (record.listing_level is not None) != listed
        ):
            continue
        if overdue is not None and overdue_now(record.deadline, record.status, today) != overdue:
            continue
        items.append(_ledger_item(record, today))
        keys.append((row["found_at"], row["hazard_id"]))
        if len(items) > limit:
            break
    return _cut(items, keys, limit)


def _ledger_item(record: HazardRecord, today: date | None) -> LedgerItem:
    return LedgerItem(
        hazard_id=record.hazard_id,
        title=record.title,
        enterprise_id=record.enterprise_id,
        enterprise_name=record.enterprise_name,
        region_code=record.region_code,
        industry=record.industry,
        source=record.source,
        level=record.level,
        status=record.status,
        found_at=record.found_at,
        deadline=record.deadline,
        funds_yuan=Decimal(record.funds_fen) / 100,
        rectified_at=record.rectified_at,
        closed_at=record.closed_at,
        listing_level=record.listing_level,
        overdue_recorded=record.overdue_recorded,
        overdue=overdue_now(record.deadline, record.status, today) if today else record.overdue_recorded,
        version=record.version,
        evidence_count=record.evidence_count,
    )


# -- paging ------------------------------------------------------------------------------------------


async def _page(conn: AsyncConnection, query: Select[Any], limit: int) -> list[RowMapping]:
    return list((await conn.execute(query.limit(check_limit(limit) + 1))).mappings())


async def _walk(
    conn: AsyncConnection,
    query: Select[Any],
    key: tuple[Any, Any],
    after: tuple[datetime, str] | None,
    *,
    descending: bool,
) -> AsyncIterator[RowMapping]:
    """Rows in key order from `after` (exclusive), read a few hundred at a time by seeking."""
    order = (key[0].desc(), key[1].desc()) if descending else key
    while True:
        step = query
        if after is not None:
            step = step.where(tuple_(*key) < after if descending else tuple_(*key) > after)
        rows = list((await conn.execute(step.order_by(*order).limit(_WALK))).mappings())
        for row in rows:
            yield row
        if len(rows) < _WALK:
            return
        after = (rows[-1][key[0].name], rows[-1][key[1].name])


def _after(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    at, hazard_id = decode_cursor(cursor, 2)
    return _moment(at), hazard_id


def _cut(items: list[Any], keys: list[tuple[datetime, str]], limit: int) -> CursorPage[Any]:
    if len(items) <= limit:
        return CursorPage(items, None)
    at, hazard_id = keys[limit - 1]
    return CursorPage(items[:limit], encode_cursor(at.isoformat(), hazard_id))


def _moment(raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput("cursor", "is not a cursor this service issued") from exc
    if moment.tzinfo is None:
        raise InvalidInput("cursor", "is not a cursor this service issued")
    return moment
