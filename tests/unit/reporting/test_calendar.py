"""Report windows and business days, all in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from hl_platform.errors import InvalidInput
from hl_reporting.domain.calendar import (
    SHANGHAI,
    PeriodKind,
    business_day,
    check_moment,
    current_period,
    parse_period,
    report_window,
)

NOW = datetime(2024, 5, 26, 10, 0, tzinfo=UTC)


def test_default_window_is_1_january_to_the_24th() -> None:
    window = report_window("2024-05")
    assert (window.since, window.cutoff) == (date(2024, 1, 1), date(2024, 5, 24))
    assert window.cutoff_at == datetime(2024, 5, 25, tzinfo=SHANGHAI)
    assert window.cutoff_at == datetime(2024, 5, 24, 16, tzinfo=UTC)


def test_cutoff_day_past_the_month_end_is_the_last_day() -> None:
    assert report_window("2024-02", cutoff_day=31).cutoff == date(2024, 2, 29)
    assert report_window("2024-04", since=date(2023, 6, 1), cutoff_day=30).since == date(2023, 6, 1)


@pytest.mark.parametrize(
    ("period", "since", "cutoff_day"),
    [
        ("2024-5", None, 24),
        ("2024-13", None, 24),
        ("24-05", None, 24),
        ("2024-05", date(2024, 5, 25), 24),
        ("2024-05", None, 0),
        ("2024-05", None, 32),
    ],
)
def test_bad_windows_are_refused(period: str, since: date | None, cutoff_day: int) -> None:
    with pytest.raises(InvalidInput):
        report_window(period, since, cutoff_day)


def test_business_day_is_the_shanghai_date() -> None:
    assert business_day(datetime(2024, 5, 24, 16, 10, tzinfo=UTC)) == date(2024, 5, 25)  # 00:10 in Shanghai
    assert business_day(datetime(2024, 5, 24, 15, 30, tzinfo=UTC)) == date(2024, 5, 24)  # 23:30 in Shanghai
    with pytest.raises(ValueError):
        business_day(datetime(2024, 5, 24))


def test_quarters_and_years_count_to_their_last_day_from_1_january() -> None:
    quarter = report_window("2024-Q2")
    assert (quarter.period, quarter.kind, quarter.since, quarter.cutoff) == (
        "2024-Q2",
        PeriodKind.QUARTER,
        date(2024, 1, 1),
        date(2024, 6, 30),
    )
    year = report_window("2023")
    assert (year.kind, year.since, year.cutoff) == (PeriodKind.YEAR, date(2023, 1, 1), date(2023, 12, 31))
    assert report_window("2024-Q1", since=date(2023, 10, 1)).since == date(2023, 10, 1)
    with pytest.raises(InvalidInput) as refused:
        report_window("2024-Q2", cutoff_day=20)
    assert refused.value.field == "cutoff_day"


@pytest.mark.parametrize(
    ("period", "today", "allowed"),
    [
        ("0000-01", date(2024, 5, 20), False),  # was a 500: year 0 has no date
        ("1999-12", date(2024, 5, 20), False),
        ("2000-01", date(2024, 5, 20), True),
        ("2024-05", date(2024, 5, 20), True),
        ("2024-06", date(2024, 5, 20), False),  # after the current period
        ("2024-06", date(2024, 5, 25), True),  # after the 24th, June's window holds today
        ("2024-07", date(2024, 5, 25), False),
        ("2024-Q2", date(2024, 5, 20), True),
        ("2024-Q3", date(2024, 5, 20), False),
        ("2024", date(2024, 5, 20), True),
        ("2025", date(2024, 12, 31), False),
        ("2024-Q5", date(2024, 5, 20), False),
        ("2024-00", date(2024, 5, 20), False),
    ],
)
def test_periods_run_from_2000_01_to_the_current_one(period: str, today: date, allowed: bool) -> None:
    if allowed:
        assert report_window(period, today=today).period == period
    else:
        with pytest.raises(InvalidInput) as refused:
            report_window(period, today=today)
        assert refused.value.field == "period"


def test_a_since_before_2000_is_refused_and_the_current_periods() -> None:
    with pytest.raises(InvalidInput) as refused:
        report_window("2024-05", since=date(1999, 12, 31))
    assert refused.value.field == "since"
    assert current_period(PeriodKind.MONTH, date(2024, 12, 25)).label == "2025-01"
    assert current_period(PeriodKind.QUARTER, date(2024, 12, 25)).label == "2024-Q4"
    assert parse_period("2024").label == "2024"


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2024, 5, 26, 10, 0),  # no offset
        datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14))),  # was a 500 elsewhere
        datetime(1999, 12, 31, 23, 0, tzinfo=UTC),
        datetime(2024, 5, 26, 10, 1, tzinfo=UTC),  # after now
    ],
)
def test_an_as_of_moment_has_its_offset_and_lies_between_2000_and_now(moment: datetime) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_moment("as_of", moment, NOW)
    assert refused.value.field == "as_of"
    assert check_moment("as_of", NOW, NOW) == NOW


def test_a_window_counts_to_the_cutoff_or_the_day_it_is_read_if_earlier() -> None:
    window = report_window("2024-05")
    assert window.through(datetime(2024, 5, 20, 7, tzinfo=UTC)) == date(2024, 5, 20)
    assert window.through(datetime(2024, 5, 24, 16, tzinfo=UTC)) == date(2024, 5, 24)  # midnight after the 24th
    assert window.through(datetime(2024, 6, 3, tzinfo=UTC)) == date(2024, 5, 24)
