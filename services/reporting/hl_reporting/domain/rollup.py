"""The roll-ups' grains, and how a report window decomposes into a few ranges of them (pure maths).

A step lands on a business day `day` and belongs to a cohort day `cohort` (`hazard_timeline`); a
window [since, through] counts the steps with cohort ≥ since and day ≤ through (cohort ≤ through
follows, since a step never precedes its cohort). `hazard_rollup` keeps every step under its region
at each level (the code cut to 2, 4, 6, 9) and industry (its own and "*"), four times:

    cohort by year  × day by dispatch period (25th–24th)   ("y", "p")   the standard table
    cohort by year  × day by day                           ("y", "d")   another cut-off day
    cohort by month × day by dispatch period               ("m", "p")   another `since` …
    cohort by day   × day by dispatch period               ("d", "p")   … to the day

so a window is at most four ranges of rows per region: the cohort ≥ since as (the rest of since's
month by day) + (the rest of its year by month) + (later years by year), the day ≤ through as
(periods up to the last one ending by `through`) + (the days after it, at most 30). Only "a
`since` other than 1 January *and* days after the last full period" (the current period before
its 24th, a quarter's last days) has no grain: `window_blocks` says so with None, and the reader
sums the daily buckets instead.

`hazard_late_rollup` keeps the steps recorded after the day they land on (back-dated facts, voids)
by the day they became known, by month and by day; `late_blocks` covers "known after day b" with
them, for the as-of reports (see `adapters.bucket_reads`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hl_reporting.domain.calendar import DEFAULT_CUTOFF_DAY

DEPTHS = (2, 4, 6, 9)
ALL_INDUSTRIES = "*"
YEAR, MONTH, DAY, PERIOD = "y", "m", "d", "p"
GRAINS = ((YEAR, PERIOD), (YEAR, DAY), (MONTH, PERIOD), (DAY, PERIOD))
LATE_GRAINS = ((MONTH, PERIOD), (MONTH, DAY), (DAY, PERIOD), (DAY, DAY))
FAR = date(9999, 12, 1)
# (depth, industry, cohort grain, day grain, code, cohort key, day key)
RollupKey = tuple[int, str, str, str, str, date, date]
# (depth, industry, known grain, day grain, cohort year, code, known key, day key)
LateKey = tuple[int, str, str, str, int, str, date, date]


def dispatch_period(day: date) -> date:
    """The first day of the month whose standard dispatch table first counts `day`."""
    if day.day <= DEFAULT_CUTOFF_DAY:
        return day.replace(day=1)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def grain_key(grain: str, day: date) -> date:
    if grain == YEAR:
        return date(day.year, 1, 1)
    if grain == MONTH:
        return day.replace(day=1)
    if grain == PERIOD:
        return dispatch_period(day)
    return day


def region_levels(region: str, industry: str) -> list[tuple[int, str, str]]:
    """(depth, code, industry) of every roll-up row a step of `region` and `industry` adds to."""
    levels = []
    for depth in DEPTHS:
        if depth > len(region) and depth > DEPTHS[0]:
            break
        for ind in (industry, ALL_INDUSTRIES):
            levels.append((depth, region[:depth], ind))
    return levels


def rollup_keys(cohort: date, day: date, region: str, industry: str) -> list[RollupKey]:
    keyed = [(c, d, grain_key(c, cohort), grain_key(d, day)) for c, d in GRAINS]
    levels = region_levels(region, industry)
    return [(depth, ind, c, d, code, ck, dk) for depth, code, ind in levels for c, d, ck, dk in keyed]


def late_keys(cohort: date, day: date, known: date, region: str, industry: str) -> list[LateKey]:
    keyed = [(k, d, grain_key(k, known), grain_key(d, day)) for k, d in LATE_GRAINS]
    return [
        (depth, ind, k, d, cohort.year, code, kk, dk)
        for depth, code, ind in region_levels(region, industry)
        for k, d, kk, dk in keyed
    ]


@dataclass(frozen=True)
class Range:
    grain: str
    first: date  # a key of that grain, inclusive
    last: date  # inclusive


@dataclass(frozen=True)
class Block:
    """Roll-up rows with cohort in one range and day in another."""

    cohort: Range
    day: Range


def _last_of_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _day_ranges(since: date, through: date) -> tuple[Range | None, Range | None]:
    """Day ≤ through: whole dispatch periods up to the last one ending by `through`, then days."""
    last = through.replace(day=1) if through.day >= DEFAULT_CUTOFF_DAY else _month_before(through)
    periods = Range(PERIOD, dispatch_period(since), last) if last >= dispatch_period(since) else None
    after = date(last.year, last.month, DEFAULT_CUTOFF_DAY) + timedelta(days=1)
    days = Range(DAY, max(after, since), through) if max(after, since) <= through else None
    return periods, days


def _month_before(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def _cohort_ranges(since: date, through: date) -> list[Range]:
    """Cohort ≥ since (and ≤ through's year) as day, month and year ranges."""
    if (since.month, since.day) == (1, 1):
        return [Range(YEAR, since, date(through.year, 1, 1))]
    ranges, month = [], since
    if since.day != 1:
        ranges.append(Range(DAY, since, _last_of_month(since)))
        month = _last_of_month(since) + timedelta(days=1)
    if month.year == since.year:
        ranges.append(Range(MONTH, month, date(since.year, 12, 1)))
    if through.year > since.year:
        ranges.append(Range(YEAR, date(since.year + 1, 1, 1), date(through.year, 1, 1)))
    return ranges


def window_blocks(since: date, through: date) -> list[Block] | None:
    """The roll-up ranges that sum to the window [since, through]; None when no grain serves it."""
    periods, days = _day_ranges(since, through)
    blocks = []
    for cohort in _cohort_ranges(since, through):
        if periods is not None:
            blocks.append(Block(cohort, periods))
        if days is not None:
            if cohort.grain != YEAR:
                return None
            blocks.append(Block(cohort, days))
    return blocks


@dataclass(frozen=True)
class LateBlock:
    """Late roll-up rows known in one range, landing in another, of cohort years [first, last]."""

    known: Range
    day: Range
    first_year: int
    last_year: int


def late_blocks(since: date, through: date, known_after: date) -> list[LateBlock]:
    """Late steps of cohorts from `since` (a 1 January), landing ≤ through, known after `known_after`."""
    start = known_after + timedelta(days=1)
    known = [Range(MONTH, start.replace(day=1) if start.day == 1 else _last_of_month(start) + timedelta(days=1), FAR)]
    if start.day != 1:
        known.insert(0, Range(DAY, start, _last_of_month(start)))
    days = [r for r in _day_ranges(since, through) if r is not None]
    return [LateBlock(k, d, since.year, through.year) for k in known for d in days]
