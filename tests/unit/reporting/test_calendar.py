"""Report windows and business days, all in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hl_platform.errors import InvalidInput
from hl_reporting.domain.calendar import SHANGHAI, business_day, report_window


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
