"""The roll-up's rows sum, for every standard window and region level, to what the daily steps sum to."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hl_reporting.adapters.hazard_totals import ALL_INDUSTRIES, dispatch_period, total_deltas
from hl_reporting.domain.calendar import report_window
from hl_reporting.domain.hazard_timeline import BucketKey

REGIONS = ("37", "3710", "371002", "371002100", "371002101", "371003", "3701")
START = date(2023, 11, 20)  # across a year's end and its cut-offs
EDGES = [date(y, m, d) for y, m in ((2023, 12), (2024, 1), (2024, 2), (2024, 3)) for d in (1, 24, 25)] + [
    date(2023, 12, 31)
]


@st.composite
def steps(draw: st.DrawFn) -> dict[BucketKey, int]:
    drawn: dict[BucketKey, int] = {}
    for _ in range(draw(st.integers(1, 40))):
        cohort = draw(st.sampled_from(EDGES) | st.dates(START, START + timedelta(days=100)))
        later = draw(st.sampled_from(EDGES) | st.dates(START, START + timedelta(days=160)))
        day = max(cohort, later)  # a step never comes before its cohort day
        key = (
            day,
            cohort,
            draw(st.sampled_from(REGIONS)),
            draw(st.sampled_from(("construction", "mining"))),
            draw(st.sampled_from(("self_inspection", "department_inspection"))),
            "major",
            "",
            draw(st.sampled_from(("found", "rectified"))),
        )
        drawn[key] = drawn.get(key, 0) + draw(st.sampled_from((1, -1, 2)))
    return drawn


@settings(max_examples=200, deadline=None)
@given(steps(), st.sampled_from(("2023-12", "2024-01", "2024-02", "2024-03")), st.sampled_from(REGIONS[:4]))
def test_a_standard_window_sums_the_same_from_the_roll_up(
    daily: dict[BucketKey, int], period: str, region: str
) -> None:
    window = report_window(period)
    years = range(window.since.year, window.cutoff.year + 1)
    for industry in ("mining", None):
        expected = sum(
            delta
            for (day, cohort, code, ind, *_), delta in daily.items()
            if window.since <= cohort and day <= window.cutoff and code.startswith(region) and industry in (None, ind)
        )
        rolled = sum(
            delta
            for (depth, ind, year, code, at, *_), delta in total_deltas(daily).items()
            if depth == len(region)
            and code == region
            and year in years
            and at <= window.cutoff.replace(day=1)
            and ind == (industry or ALL_INDUSTRIES)
        )
        assert rolled == expected


def test_the_dispatch_period_of_a_day() -> None:
    assert dispatch_period(date(2024, 1, 24)) == date(2024, 1, 1)
    assert dispatch_period(date(2024, 1, 25)) == date(2024, 2, 1)
    assert dispatch_period(date(2023, 12, 25)) == date(2024, 1, 1)
