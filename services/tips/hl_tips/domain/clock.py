"""Calendar rules: times are stored in UTC; days and deadlines are Asia/Shanghai days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an aware moment."""
    return moment.astimezone(SHANGHAI).date()


def deadline_passed(deadline: date, now: datetime) -> bool:
    """Whether `now` is past the deadline, which means the end of that day in Asia/Shanghai."""
    return local_date(now) > deadline


def handling_deadline(filed_at: datetime, days: int) -> date:
    """The day a tip filed at `filed_at` must be handled by."""
    return local_date(filed_at) + timedelta(days=days)


def utc(now: datetime) -> datetime:
    """The service clock's reading in UTC; a naive clock is a programming error, not bad input."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("the clock must be timezone-aware")
    return now.astimezone(UTC)
