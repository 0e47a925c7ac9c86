"""Calendar rules (DOMAIN.md rule 9), one for every context: times are stored in UTC; days and
deadlines are Asia/Shanghai calendar days. Pure: the domains import it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an aware moment."""
    return moment.astimezone(SHANGHAI).date()


def deadline_passed(deadline: date, now: datetime) -> bool:
    """Whether `now` is past the deadline, which means the end of that day in Asia/Shanghai."""
    return local_date(now) > deadline


def utc(now: datetime) -> datetime:
    """The service clock's reading in UTC; a naive clock is a programming error, not bad input."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("the clock must be timezone-aware")
    return now.astimezone(UTC)
