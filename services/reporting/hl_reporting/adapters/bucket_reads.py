"""Reading the buckets: a region's sums and its children's, live or as known at a moment.

Cost, hazards: a window's live figures are at most four ranges of `hazard_rollup` rows per region
and child (`domain.rollup.window_blocks`): index seeks, whatever the number of hazards. The one
window without a grain (a `since` other than 1 January with days after the last full period) sums
the daily buckets of the region's code range instead (an index range: codes nest by prefix).
As known at a moment `as_of` on day b, the figures are the live ones less the steps recorded
after it: those recorded later on day b (`hazard_changes`, one day's records at most) and those
recorded after day b, which can only be late steps (they land on or before the window's last day,
which is at most b) — read from `hazard_late_rollup` by when they became known, a bounded sum.
With a `since` other than 1 January the late steps come from `hazard_changes` (its late index):
the late facts recorded after the moment.
Sections 二 and 三 read their small tables over the region's range; as of a moment, the marks
recorded later are left out and the actions recorded later taken back (`enforcement_changes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_reporting.adapters.tables import (
    enforcement_changes,
    enforcement_daily,
    enterprise_marks,
    hazard_changes,
    hazard_daily,
    hazard_late_rollup,
    hazard_rollup,
)
from hl_reporting.adapters.tip_rewards import reward_sums
from hl_reporting.application.ports import Scope, ScopeSums
from hl_reporting.domain.calendar import business_day, end_of_day
from hl_reporting.domain.measures import MEASURES, Measures, add, measure_of, sums_of
from hl_reporting.domain.rollup import ALL_INDUSTRIES, DEPTHS, Block, LateBlock, late_blocks, window_blocks


@dataclass
class _Measured:
    """Hazard measures of the region (under "") and of each child code, before they become sums."""

    rows: dict[str, Measures] = field(default_factory=dict)

    def add(self, code: str, measures: Measures, sign: int = 1) -> None:
        add(self.rows.setdefault(code, {}), measures, sign)


def in_region(column: Any, prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix`, as an index-friendly range (codes are ASCII digits)."""
    if not prefix:
        return column.is_not(None)  # type: ignore[no-any-return]
    successor = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < successor)


def _child(column: Any, scope: Scope) -> Any:
    return func.substr(column, 1, scope.child_length or 0).label("child")


def _narrow(query: Select[Any], table: Any, scope: Scope) -> Select[Any]:
    query = query.where(in_region(table.c.region_code, scope.region_code))
    if scope.industry:
        query = query.where(table.c.industry == scope.industry)
    return query


async def read_sums(conn: AsyncConnection, scope: Scope) -> ScopeSums:
    result = ScopeSums()
    measured = _Measured()
    rolled = await _rollup_sums(conn, scope, measured)
    if not rolled:
        await _daily_sums(conn, scope, measured)
    if scope.as_of is not None:
        await _take_back_later_records(conn, scope, measured, rolled)
    if rolled:
        _own_records(scope, measured)
    result.total.hazards = sums_of([measured.rows.get("", {})])
    for code, measures in measured.rows.items():
        if code:
            result.child(code).hazards = sums_of([measures])
    await _enforcement_sums(conn, scope, result)
    await _mark_counts(conn, scope, result)
    total, by_child = await reward_sums(conn, scope.region_code, scope.since, scope.cutoff, scope.child_length)
    result.total.rewards = total
    for code, sums in by_child.items():
        result.child(code).rewards = sums
    return result


def _measures(values: Any) -> Measures:
    return {name: int(value) for name, value in zip(MEASURES, values, strict=True) if value}


# -- live hazard figures --------------------------------------------------------------------------


async def _rollup_sums(conn: AsyncConnection, scope: Scope, into: _Measured) -> bool:
    blocks = window_blocks(scope.since, scope.cutoff)
    codes = [*scope.children, *([scope.region_code] if scope.region_code else [])]
    if blocks is None or any(len(code) not in DEPTHS for code in codes):
        return False
    for block in blocks:
        await _rollup_block(conn, hazard_rollup, scope, into, _block_filter(block))
    return True


def _block_filter(block: Block) -> list[ColumnElement[bool]]:
    t = hazard_rollup
    return [
        t.c.cohort_grain == block.cohort.grain,
        t.c.day_grain == block.day.grain,
        t.c.cohort.between(block.cohort.first, block.cohort.last),
        t.c.day.between(block.day.first, block.day.last),
    ]


async def _rollup_block(
    conn: AsyncConnection, table: Table, scope: Scope, into: _Measured, where: list[ColumnElement[bool]], sign: int = 1
) -> None:
    """One range of roll-up rows, summed for the region (code "") and for each child."""
    t = table
    industry = scope.industry or ALL_INDUSTRIES
    sums = [func.sum(t.c[name]) for name in MEASURES]
    base = select(t.c.region_code, *sums).where(t.c.industry == industry, *where).group_by(t.c.region_code)
    if scope.region_code:
        codes = [scope.region_code, *scope.children]
        query = base.where(t.c.depth.in_(sorted({len(c) for c in codes})), t.c.region_code.in_(codes))
    else:  # the whole country: every province
        query = base.where(t.c.depth == DEPTHS[0])
    for code, *values in await conn.execute(query):
        measures = _measures(values)
        if code == scope.region_code or not scope.region_code:
            into.add("", measures, sign)
        if code in scope.children:
            into.add(code, measures, sign)


def _own_records(scope: Scope, into: _Measured) -> None:
    """A region's own records (on its code itself, or under codes the catalogue no longer lists)
    are its total less its children's."""
    if not scope.children:
        return
    own = dict(into.rows.get("", {}))
    for code in scope.children:
        add(own, into.rows.get(code, {}), -1)
    if any(own.values()):
        into.rows[scope.region_code] = {name: value for name, value in own.items() if value}


async def _daily_sums(conn: AsyncConnection, scope: Scope, into: _Measured) -> None:
    t = hazard_daily
    dims = [t.c.metric, t.c.source, t.c.level, t.c.listing_level]
    child = _child(t.c.region_code, scope) if scope.child_length else None
    columns = [*dims, func.sum(t.c.delta)] + ([child] if child is not None else [])
    query = _narrow(select(*columns), t, scope).where(
        t.c.cohort_day >= scope.since, t.c.cohort_day <= scope.cutoff, t.c.day <= scope.cutoff
    )
    query = query.group_by(*dims, *([child] if child is not None else []))
    for row in await conn.execute(query):
        measures = {measure_of(row[0], row[1], row[2], row[3]): int(row[4] or 0)}
        into.add("", measures)
        if child is not None:
            into.add(row[5], measures)


# -- as known at a moment: take back what was recorded after it ----------------------------------


async def _take_back_later_records(conn: AsyncConnection, scope: Scope, into: _Measured, rolled: bool) -> None:
    """Less the steps recorded after `as_of`; `rolled`: the live figures came from the roll-up, whose
    children are the catalogue's (a region's own records are worked out afterwards)."""
    assert scope.as_of is not None
    day_ends = end_of_day(business_day(scope.as_of))
    later_that_day = hazard_changes.c.recorded_at > scope.as_of
    await _changes(conn, scope, into, later_that_day, day_ends, rolled)
    if not (rolled and scope.from_new_year):
        late = and_(hazard_changes.c.late.is_(True), hazard_changes.c.recorded_at >= day_ends)
        await _changes(conn, scope, into, late, None, rolled)
        return
    blocks = late_blocks(scope.since, scope.cutoff, business_day(scope.as_of))
    for block in blocks:
        await _rollup_block(conn, hazard_late_rollup, scope, into, _late_filter(block), sign=-1)


def _late_filter(block: LateBlock) -> list[ColumnElement[bool]]:
    t = hazard_late_rollup
    return [
        t.c.known_grain == block.known.grain,
        t.c.day_grain == block.day.grain,
        t.c.cohort_year.between(block.first_year, block.last_year),
        t.c.known.between(block.known.first, block.known.last),
        t.c.day.between(block.day.first, block.day.last),
    ]


async def _changes(
    conn: AsyncConnection,
    scope: Scope,
    into: _Measured,
    recorded: ColumnElement[bool],
    before: datetime | None,
    catalogued_only: bool,
) -> None:
    """Take back the logged steps recorded in a span (landing in the window), region and children."""
    t = hazard_changes
    child = _child(t.c.region_code, scope) if scope.child_length else None
    sums = [func.sum(t.c[name]) for name in MEASURES]
    query = _narrow(select(*sums, *([child] if child is not None else [])), t, scope).where(
        recorded, t.c.cohort_day >= scope.since, t.c.day <= scope.cutoff
    )
    if before is not None:
        query = query.where(t.c.recorded_at < before)
    if child is not None:
        query = query.group_by(child)
    for row in await conn.execute(query):
        measures = _measures(row[: len(MEASURES)])
        into.add("", measures, -1)
        code = row[len(MEASURES)] if child is not None else None
        if code is not None and (code in scope.children or not catalogued_only):
            into.add(code, measures, -1)


# -- sections 二 and 三 ------------------------------------------------------------------------------


async def _enforcement_sums(conn: AsyncConnection, scope: Scope, result: ScopeSums) -> None:
    t = enforcement_daily
    child = _child(t.c.region_code, scope) if scope.child_length else None
    columns = [t.c.metric, func.sum(t.c.delta)] + ([child] if child is not None else [])
    query = _narrow(select(*columns), t, scope).where(t.c.day >= scope.since, t.c.day <= scope.cutoff)
    query = query.group_by(t.c.metric, *([child] if child is not None else []))
    _add_enforcement(result, await conn.execute(query), child is not None)
    if scope.as_of is not None:
        c = enforcement_changes
        later_child = _child(c.c.region_code, scope) if scope.child_length else None
        later = [c.c.metric, -func.sum(c.c.delta)] + ([later_child] if later_child is not None else [])
        query = _narrow(select(*later), c, scope).where(
            c.c.recorded_at > scope.as_of, c.c.day >= scope.since, c.c.day <= scope.cutoff
        )
        query = query.group_by(c.c.metric, *([later_child] if later_child is not None else []))
        _add_enforcement(result, await conn.execute(query), later_child is not None)


def _add_enforcement(result: ScopeSums, rows: Any, by_child: bool) -> None:
    for row in rows:
        metric, value = row[0], int(row[1] or 0)
        result.total.enforcement[metric] = result.total.enforcement.get(metric, 0) + value
        if by_child:
            sums = result.child(row[2]).enforcement
            sums[metric] = sums.get(metric, 0) + value


async def _mark_counts(conn: AsyncConnection, scope: Scope, result: ScopeSums) -> None:
    """Distinct enterprises per mark; the total is its own query (an enterprise may sit in two children)."""
    t = enterprise_marks
    distinct = func.count(t.c.enterprise_id.distinct())
    base = _narrow(select(t.c.mark, distinct), t, scope).where(t.c.day >= scope.since, t.c.day <= scope.cutoff)
    if scope.as_of is not None:
        base = base.where(or_(t.c.recorded_at.is_(None), t.c.recorded_at <= scope.as_of))
    for mark, count in await conn.execute(base.group_by(t.c.mark)):
        result.total.marks[mark] = int(count)
    if scope.child_length:
        child = _child(t.c.region_code, scope)
        for mark, count, code in await conn.execute(base.add_columns(child).group_by(t.c.mark, child)):
            result.child(code).marks[mark] = int(count)
