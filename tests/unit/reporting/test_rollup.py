"""The roll-ups' rows sum, for any window they serve, at every region level and industry, to what
the daily steps sum to; and the late roll-up, for any moment, to the late steps known after it."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hl_reporting.adapters.rollup_writes import rollup_rows
from hl_reporting.domain.hazard_timeline import BucketKey
from hl_reporting.domain.measures import measure_of
from hl_reporting.domain.rollup import (
    ALL_INDUSTRIES,
    Block,
    LateBlock,
    dispatch_period,
    grain_key,
    late_blocks,
    late_keys,
    window_blocks,
)

REGIONS = ("37", "3710", "371002", "371002100", "371002101", "371003", "3701")
START = date(2023, 11, 20)  # across a year's end, cut-offs and month ends
EDGES = [date(y, m, d) for y, m in ((2023, 12), (2024, 1), (2024, 2), (2024, 3)) for d in (1, 24, 25)] + [
    date(2023, 12, 31),
    date(2024, 2, 29),
]
DAYS = st.sampled_from(EDGES) | st.dates(START, START + timedelta(days=160))


@st.composite
def steps(draw: st.DrawFn) -> dict[BucketKey, int]:
    drawn: dict[BucketKey, int] = {}
    for _ in range(draw(st.integers(1, 40))):
        cohort, later = draw(DAYS), draw(DAYS)
        key = (
            max(cohort, later),  # a step never comes before its cohort day
            cohort,
            draw(st.sampled_from(REGIONS)),
            draw(st.sampled_from(("construction", "mining"))),
            draw(st.sampled_from(("self_inspection", "department_inspection"))),
            "major",
            "",
            draw(st.sampled_from(("found", "rectified", "overdue"))),
        )
        drawn[key] = drawn.get(key, 0) + draw(st.sampled_from((1, -1, 2)))
    return drawn


def _in(block_range: object, key: date) -> bool:
    return block_range.first <= key <= block_range.last  # type: ignore[attr-defined]


def _rolled(rows: dict[tuple[object, ...], dict[str, int]], blocks: list[Block], region: str, industry: str) -> int:
    total = 0
    for (depth, ind, cohort_grain, day_grain, code, cohort, day), measures in rows.items():
        if depth != len(region) or code != region or ind != industry:
            continue
        for block in blocks:
            grains = (block.cohort.grain, block.day.grain) == (cohort_grain, day_grain)
            if grains and _in(block.cohort, cohort) and _in(block.day, day):  # type: ignore[arg-type]
                total += sum(measures.values())
    return total


@settings(max_examples=150, deadline=None)
@given(steps(), DAYS, DAYS, st.sampled_from(REGIONS[:4]), st.sampled_from(("mining", None)))
def test_every_served_window_sums_the_same_from_the_roll_up(
    daily: dict[BucketKey, int], a: date, b: date, region: str, industry: str | None
) -> None:
    since, through = min(a, b), max(a, b)
    blocks = window_blocks(since, through)
    if blocks is None:  # a `since` other than 1 January with days after the last full period
        assert (since.month, since.day) != (1, 1)
        return
    expected = sum(
        delta
        for (day, cohort, code, ind, *_), delta in daily.items()
        if since <= cohort and day <= through and code.startswith(region) and industry in (None, ind)
    )
    assert _rolled(rollup_rows(daily), blocks, region, industry or ALL_INDUSTRIES) == expected


def test_the_windows_a_report_asks_for_are_served() -> None:
    assert window_blocks(date(2024, 1, 1), date(2024, 5, 24)) is not None  # the standard table
    assert window_blocks(date(2024, 1, 1), date(2024, 6, 30)) is not None  # a quarter
    assert window_blocks(date(2024, 1, 1), date(2024, 5, 20)) is not None  # the current period, or cutoff_day
    assert window_blocks(date(2024, 3, 15), date(2024, 5, 24)) is not None  # a campaign's start
    assert window_blocks(date(2023, 12, 10), date(2024, 8, 24)) is not None  # … in the year before
    assert window_blocks(date(2024, 3, 15), date(2024, 5, 20)) is None  # both: the daily buckets answer
    (standard,) = window_blocks(date(2024, 1, 1), date(2024, 5, 24)) or []
    assert (standard.cohort.grain, standard.day.grain, standard.day.last) == ("y", "p", date(2024, 5, 1))


@st.composite
def late_steps(draw: st.DrawFn) -> list[tuple[BucketKey, int, date]]:
    """Steps with the day each became known (late ones: known after the day they land on)."""
    drawn = []
    for key, delta in draw(steps()).items():
        known = key[0] + timedelta(days=draw(st.integers(0, 90)))
        drawn.append((key, delta, known))
    return drawn


@settings(max_examples=150, deadline=None)
@given(late_steps(), DAYS, DAYS, st.sampled_from(REGIONS[:4]))
def test_the_late_roll_up_sums_the_steps_known_after_a_day(
    known_steps: list[tuple[BucketKey, int, date]], a: date, b: date, region: str
) -> None:
    through, known_after = min(a, b), max(a, b)
    since = date(through.year, 1, 1)
    rows: dict[tuple[object, ...], int] = {}
    for (day, cohort, code, industry, source, level, listing, metric), delta, known in known_steps:
        if day < known:
            for key in late_keys(cohort, day, known, code, industry):
                rows[key] = rows.get(key, 0) + delta
        assert measure_of(metric, source, level, listing)
    expected = sum(
        delta
        for (day, cohort, code, *_), delta, known in known_steps
        if day < known and known > known_after and since <= cohort and day <= through and code.startswith(region)
    )
    blocks = late_blocks(since, through, known_after)
    assert _late_sum(rows, blocks, region) == expected


def _late_sum(rows: dict[tuple[object, ...], int], blocks: list[LateBlock], region: str) -> int:
    total = 0
    for (depth, industry, known_grain, day_grain, year, code, known, day), delta in rows.items():
        if depth != len(region) or code != region or industry != ALL_INDUSTRIES:
            continue
        for block in blocks:
            grains = (block.known.grain, block.day.grain) == (known_grain, day_grain)
            in_years = block.first_year <= year <= block.last_year  # type: ignore[operator]
            if grains and in_years and _in(block.known, known) and _in(block.day, day):  # type: ignore[arg-type]
                total += delta
    return total


def test_grain_keys_and_the_dispatch_period_of_a_day() -> None:
    assert dispatch_period(date(2024, 1, 24)) == date(2024, 1, 1)
    assert dispatch_period(date(2024, 1, 25)) == date(2024, 2, 1)
    assert dispatch_period(date(2023, 12, 25)) == date(2024, 1, 1)
    day = date(2024, 5, 25)
    assert [grain_key(grain, day) for grain in "ymdp"] == [date(2024, 1, 1), date(2024, 5, 1), day, date(2024, 6, 1)]
