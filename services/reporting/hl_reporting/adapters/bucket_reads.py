"""Reading the buckets: one grouped query per table gives a region's sums and its children's.

Cost: the hazard figures of the standard window (from 1 January to the 24th) come from the
`hazard_totals` roll-up (an index seek per region, see `hazard_totals`); other windows, and the section 二/三 tables,
read only bucket rows in the region's code range (an index range: codes nest by prefix, so a
subtree is the range [prefix, successor(prefix))), never hazards. The per-child breakdown is the
same query grouped by the child-length prefix of the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_reporting.adapters.hazard_totals import read_totals, serves
from hl_reporting.adapters.tables import enforcement_daily, enterprise_marks, hazard_daily
from hl_reporting.adapters.tip_rewards import reward_sums
from hl_reporting.domain.figures import Sums


@dataclass(frozen=True)
class Scope:
    """Which buckets a table reads: a region subtree, optionally one industry, a window."""

    region_code: str
    since: date
    cutoff: date
    industry: str | None = None
    children: tuple[str, ...] = ()  # the child regions' codes, for the breakdown

    @property
    def child_length(self) -> int | None:
        """Group range reads by this code prefix length for the breakdown."""
        return min(len(code) for code in self.children) if self.children else None


@dataclass
class ScopeSums:
    total: Sums = field(default_factory=Sums)
    by_child: dict[str, Sums] = field(default_factory=dict)

    def child(self, code: str) -> Sums:
        return self.by_child.setdefault(code, Sums())


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
    if not await _hazard_totals(conn, scope, result):
        await _hazard_sums(conn, scope, result)
    await _enforcement_sums(conn, scope, result)
    await _mark_counts(conn, scope, result)
    total, by_child = await reward_sums(conn, scope.region_code, scope.since, scope.cutoff, scope.child_length)
    result.total.rewards = total
    for code, sums in by_child.items():
        result.child(code).rewards = sums
    return result


async def _hazard_totals(conn: AsyncConnection, scope: Scope, result: ScopeSums) -> bool:
    if not serves(scope.since, scope.cutoff):
        return False
    answer = await read_totals(
        conn,
        region_code=scope.region_code,
        children=scope.children,
        since=scope.since,
        cutoff=scope.cutoff,
        industry=scope.industry,
    )
    if answer is None:
        return False
    result.total.hazards, by_child = answer
    for code, sums in by_child.items():
        result.child(code).hazards = sums
    return True


async def _hazard_sums(conn: AsyncConnection, scope: Scope, result: ScopeSums) -> None:
    t = hazard_daily
    dims = [t.c.metric, t.c.source, t.c.level, t.c.listing_level]
    child = _child(t.c.region_code, scope) if scope.child_length else None
    columns = [*dims, func.sum(t.c.delta)] + ([child] if child is not None else [])
    query = _narrow(select(*columns), t, scope).where(
        t.c.cohort_day >= scope.since, t.c.cohort_day <= scope.cutoff, t.c.day <= scope.cutoff
    )
    query = query.group_by(*dims, *([child] if child is not None else []))
    for row in await conn.execute(query):
        key, value = (row[0], row[1], row[2], row[3]), int(row[4] or 0)
        result.total.hazards.add(key, value)
        if child is not None:
            result.child(row[5]).hazards.add(key, value)


async def _enforcement_sums(conn: AsyncConnection, scope: Scope, result: ScopeSums) -> None:
    t = enforcement_daily
    child = _child(t.c.region_code, scope) if scope.child_length else None
    columns = [t.c.metric, func.sum(t.c.delta)] + ([child] if child is not None else [])
    query = _narrow(select(*columns), t, scope).where(t.c.day >= scope.since, t.c.day <= scope.cutoff)
    query = query.group_by(t.c.metric, *([child] if child is not None else []))
    for row in await conn.execute(query):
        metric, value = row[0], int(row[1] or 0)
        result.total.enforcement[metric] = result.total.enforcement.get(metric, 0) + value
        if child is not None:
            sums = result.child(row[2]).enforcement
            sums[metric] = sums.get(metric, 0) + value


async def _mark_counts(conn: AsyncConnection, scope: Scope, result: ScopeSums) -> None:
    """Distinct enterprises per mark; the total is its own query (an enterprise may sit in two children)."""
    t = enterprise_marks
    distinct = func.count(t.c.enterprise_id.distinct())
    base = _narrow(select(t.c.mark, distinct), t, scope).where(t.c.day >= scope.since, t.c.day <= scope.cutoff)
    for mark, count in await conn.execute(base.group_by(t.c.mark)):
        result.total.marks[mark] = int(count)
    if scope.child_length:
        child = _child(t.c.region_code, scope)
        for mark, count, code in await conn.execute(base.add_columns(child).group_by(t.c.mark, child)):
            result.child(code).marks[mark] = int(count)
