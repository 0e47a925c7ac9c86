"""The `hazard_totals` roll-up: written from the same deltas as `hazard_daily`, read for year windows.

Why it exists: `hazard_daily` keeps one delta per (cohort day, day), from which any window can be
summed, but a province-wide figure then reads every bucket of the year — O(hazards). Reports almost
always start on 1 January, so the roll-up keeps the cohort's year only, and each day twice: as its
month and as itself. A figure as of cut-off C (in month M) over cohort years [year(since), year(C)]
is then

    Σ month rows with period < M  +  Σ day rows with M ≤ period ≤ C
    = Σ month rows with period ≤ M  −  Σ day rows with C < period ≤ end of M

per region and dimension (whichever side of M is shorter): at most 12 + 15 periods, however many
hazards. It is exact because a
hazard never steps before its cohort day (`domain.hazard_timeline`), so "cohort ≤ C" follows from
"day ≤ C", and because `since` is a 1 January, "cohort ≥ since" is "cohort year ≥ year(since)".

Every region level a hazard belongs to is kept (its code cut to 2, 4, 6 and 9 characters, as long
as the code is), so a region and each of its children are an index seek each, never a range over
the subtree; a region's own records (a county's, beside its towns) are its total less its
children's.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_reporting.adapters.tables import hazard_totals
from hl_reporting.adapters.upserts import add_deltas
from hl_reporting.domain.figures import HazardSums
from hl_reporting.domain.hazard_timeline import BucketKey

DEPTHS = (2, 4, 6, 9)
ALL_INDUSTRIES = "*"
MONTH, DAY = "m", "d"
TOTAL_COLUMNS = tuple(column.name for column in hazard_totals.primary_key.columns)
# (depth, industry, cohort year, region, grain, period, source, level, listing level, metric)
TotalKey = tuple[int, str, int, str, str, date, str, str, str, str]


def total_deltas(deltas: Mapping[BucketKey, int]) -> dict[TotalKey, int]:
    """The roll-up rows that daily `deltas` add to: per delta, 2 industries × 2 grains × each level."""
    totals: defaultdict[TotalKey, int] = defaultdict(int)
    for (day, cohort, region, industry, source, level, listing, metric), delta in deltas.items():
        month = day.replace(day=1)
        for depth in DEPTHS:
            if depth > len(region) and depth > DEPTHS[0]:
                break
            code = region[:depth]
            for scope_industry in (industry, ALL_INDUSTRIES):
                head = (depth, scope_industry, cohort.year, code)
                tail = (source, level, listing, metric)
                totals[(*head, MONTH, month, *tail)] += delta
                totals[(*head, DAY, day, *tail)] += delta
    return {key: delta for key, delta in totals.items() if delta}


async def add_totals(conn: AsyncConnection, totals: Mapping[TotalKey, int]) -> None:
    await add_deltas(conn, hazard_totals, TOTAL_COLUMNS, totals)


def serves(since: date) -> bool:
    """Whether a window starting on `since` can be read from the roll-up."""
    return (since.month, since.day) == (1, 1)


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
    window = _Window(industry or ALL_INDUSTRIES, list(range(since.year, cutoff.year + 1)), cutoff)
    if region_code:
        found = await window.sums(conn, len(region_code), [region_code])
    else:  # the whole country: every province
        found = await window.sums(conn, DEPTHS[0], None)
    total = _merged(found.values(), 1)
    by_child: dict[str, HazardSums] = {}
    by_length: defaultdict[int, list[str]] = defaultdict(list)
    for code in children:
        by_length[len(code)].append(code)
    for depth, codes in sorted(by_length.items()):
        by_child |= {code: _merged([sums], 1) for code, sums in (await window.sums(conn, depth, codes)).items()}
    own = _merged([total, *(_merged([child], -1) for child in by_child.values())], 1)
    if children and own.sums:
        by_child[region_code] = own
    return total, {code: sums for code, sums in by_child.items() if sums.sums}


class _Window:
    def __init__(self, industry: str, years: list[int], cutoff: date) -> None:
        self.industry, self.years, self.cutoff = industry, years, cutoff

    async def sums(self, conn: AsyncConnection, depth: int, codes: list[str] | None) -> dict[str, HazardSums]:
        t = hazard_totals
        dims = [t.c.region_code, t.c.metric, t.c.source, t.c.level, t.c.listing_level]
        found: dict[str, HazardSums] = {}
        for grain, periods, sign in self._parts():
            query: Any = select(*dims, func.sum(t.c.delta)).where(
                t.c.depth == depth, t.c.industry == self.industry, t.c.cohort_year.in_(self.years), t.c.grain == grain
            )
            if codes is not None:
                query = query.where(t.c.region_code.in_(codes))
            query = query.where(*periods).group_by(*dims)
            for code, metric, source, level, listing, value in await conn.execute(query):
                found.setdefault(code, HazardSums()).add((metric, source, level, listing), sign * int(value or 0))
        return found

    def _parts(self) -> list[tuple[str, tuple[Any, ...], int]]:
        """(grain, period condition, sign): the months before the cut-off's, and its month to the cut-off.

        The cut-off's month is read from the shorter side: its days up to the cut-off, or its month
        row less its days after the cut-off (the 24th: 6 or 7 days rather than 24).
        """
        t = hazard_totals
        month, cutoff = self.cutoff.replace(day=1), self.cutoff
        month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        if cutoff.day * 2 <= month_end.day:
            return [(MONTH, (t.c.period < month,), 1), (DAY, (t.c.period >= month, t.c.period <= cutoff), 1)]
        after = [(DAY, (t.c.period > cutoff, t.c.period <= month_end), -1)] if cutoff < month_end else []
        return [(MONTH, (t.c.period <= month,), 1), *after]


def _merged(parts: Iterable[HazardSums], sign: int) -> HazardSums:
    """The sum of `parts`, times `sign`, without zero figures."""
    merged: dict[tuple[str, str, str, str], int] = {}
    for part in parts:
        for key, value in part.sums.items():
            merged[key] = merged.get(key, 0) + sign * value
    return HazardSums({key: value for key, value in merged.items() if value})
