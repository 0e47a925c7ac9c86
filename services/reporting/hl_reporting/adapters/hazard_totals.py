"""The `hazard_totals` roll-up: written from the same deltas as `hazard_daily`, read for standard windows.

Why it exists: `hazard_daily` keeps one delta per (cohort day, day), from which any window can be
summed, but a province-wide figure then reads every bucket of the year — O(hazards). Almost every
report is the standard one: from 1 January, to the 24th (`calendar.DEFAULT_CUTOFF_DAY`). So the
roll-up keeps the cohort's year only, and puts each day in its dispatch period — the month whose
table first counts it (25 May–24 June are June's). The figure of period P over cohort years
[year(since), year(P)] is then

    Σ rows with period ≤ P

per region and dimension: at most 12 periods a year, however many hazards. It is exact because a
hazard never steps before its cohort day (`domain.hazard_timeline`), so "cohort ≤ cut-off" follows
from "day ≤ cut-off", and because `since` is a 1 January, "cohort ≥ since" is "cohort year ≥
year(since)". Other windows (another `since` or cut-off day) read the daily buckets.

Every region level a hazard belongs to is kept (its code cut to 2, 4, 6 and 9 characters, as long
as the code is), so a region and each of its children are an index seek each, never a range over
the subtree; a region's own records (a county's, beside its towns) are its total less its
children's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_reporting.adapters.tables import hazard_totals
from hl_reporting.adapters.upserts import add_deltas
from hl_reporting.domain.calendar import DEFAULT_CUTOFF_DAY
from hl_reporting.domain.figures import HazardSums
from hl_reporting.domain.hazard_timeline import BucketKey

DEPTHS = (2, 4, 6, 9)
ALL_INDUSTRIES = "*"
TOTAL_COLUMNS = tuple(column.name for column in hazard_totals.primary_key.columns)
# (depth, industry, cohort year, region, period, source, level, listing level, metric)
TotalKey = tuple[int, str, int, str, date, str, str, str, str]


def dispatch_period(day: date) -> date:
    """The first day of the month whose standard dispatch table first counts `day`."""
    if day.day <= DEFAULT_CUTOFF_DAY:
        return day.replace(day=1)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def total_deltas(deltas: Mapping[BucketKey, int]) -> dict[TotalKey, int]:
    """The roll-up rows that daily `deltas` add to: per delta, each level of its region × 2 industries."""
    totals: defaultdict[TotalKey, int] = defaultdict(int)
    periods: dict[date, date] = {}
    for (day, cohort, region, industry, source, level, listing, metric), delta in deltas.items():
        period = periods.get(day) or periods.setdefault(day, dispatch_period(day))
        for depth in DEPTHS:
            if depth > len(region) and depth > DEPTHS[0]:
                break
            code = region[:depth]
            totals[(depth, industry, cohort.year, code, period, source, level, listing, metric)] += delta
            totals[(depth, ALL_INDUSTRIES, cohort.year, code, period, source, level, listing, metric)] += delta
    return {key: delta for key, delta in totals.items() if delta}


async def add_totals(conn: AsyncConnection, totals: Mapping[TotalKey, int]) -> None:
    await add_deltas(conn, hazard_totals, TOTAL_COLUMNS, totals)


def serves(since: date, cutoff: date) -> bool:
    """Whether the window [since, cutoff] is a standard one the roll-up answers."""
    return (since.month, since.day) == (1, 1) and cutoff.day == DEFAULT_CUTOFF_DAY


async def read_totals(
    conn: AsyncConnection,
    *,
    region_code: str,
    children: Sequence[str],
    since: date,
    cutoff: date,
    industry: str | None,
) -> tuple[HazardSums, dict[str, HazardSums]] | None:
    """The region's sums and each child's; the region's own records under its own code.

    Own records are the region's total less its children's: records on the region itself, or
    under a code the catalogue no longer lists. None when a code length is not a kept level; the
    caller then reads the daily buckets.
    """
    depths = {len(code) for code in children} | ({len(region_code)} if region_code else set())
    if not depths <= set(DEPTHS):
        return None
    window = _Window(industry or ALL_INDUSTRIES, list(range(since.year, cutoff.year + 1)), cutoff.replace(day=1))
    if region_code:
        found = await window.sums(conn, len(region_code), [region_code])
    else:  # the whole country: every province
        found = await window.sums(conn, DEPTHS[0], None)
    total = _merged(found.values())
    by_child: dict[str, HazardSums] = {}
    by_length: defaultdict[int, list[str]] = defaultdict(list)
    for code in children:
        by_length[len(code)].append(code)
    for depth, codes in sorted(by_length.items()):
        by_child |= await window.sums(conn, depth, codes)
    own = _less(total, _merged(by_child.values()))
    if children and own.sums:
        by_child[region_code] = own
    return total, by_child


class _Window:
    def __init__(self, industry: str, years: list[int], period: date) -> None:
        self.industry, self.years, self.period = industry, years, period

    async def sums(self, conn: AsyncConnection, depth: int, codes: list[str] | None) -> dict[str, HazardSums]:
        t = hazard_totals
        dims = [t.c.region_code, t.c.metric, t.c.source, t.c.level, t.c.listing_level]
        query: Any = select(*dims, func.sum(t.c.delta)).where(
            t.c.depth == depth, t.c.industry == self.industry, t.c.cohort_year.in_(self.years)
        )
        if codes is not None:
            query = query.where(t.c.region_code.in_(codes))
        query = query.where(t.c.period <= self.period).group_by(*dims)
        found: defaultdict[str, dict[tuple[str, str, str, str], int]] = defaultdict(dict)
        for code, metric, source, level, listing, value in await conn.execute(query):
            if value:  # buckets whose steps cancel out (a voided hazard's) count for nothing
                found[code][(metric, source, level, listing)] = int(value)
        return {code: HazardSums(sums) for code, sums in found.items()}


def _merged(parts: Iterable[HazardSums]) -> HazardSums:
    """The sum of `parts`, without zero figures."""
    merged: dict[tuple[str, str, str, str], int] = {}
    for part in parts:
        for key, value in part.sums.items():
            merged[key] = merged.get(key, 0) + value
    return HazardSums({key: value for key, value in merged.items() if value})


def _less(whole: HazardSums, part: HazardSums) -> HazardSums:
    """`whole` less `part`, without zero figures."""
    keys = whole.sums.keys() | part.sums.keys()
    return HazardSums({key: left for key in keys if (left := whole.sums.get(key, 0) - part.sums.get(key, 0))})
