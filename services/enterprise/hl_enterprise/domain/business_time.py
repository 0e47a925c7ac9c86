"""Business time in the enterprise context: dates are Chinese calendar days (Asia/Shanghai).

A `*_on` date becomes the instant 00:00 of that day in Asia/Shanghai, so the reporting service,
which buckets by Shanghai day, counts the fact on the day it names.
"""

from __future__ import annotations

from datetime import date, datetime, time

from hl_platform.clock import SHANGHAI
from hl_platform.errors import InvalidInput


def start_of_day(day: date) -> datetime:
    """00:00 of `day` in Asia/Shanghai."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def today(now: datetime) -> date:
    """The Shanghai calendar day of an aware instant."""
    return require_aware(now).astimezone(SHANGHAI).date()


def require_aware(now: datetime) -> datetime:
    # A naive datetime is a programming error upstream, not bad input: fail loudly.
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("business times must be timezone-aware")
    return now


def ensure_not_future(field: str, day: date, now: datetime) -> None:
    """Refuse a date after today (Asia/Shanghai), as DOMAIN.md rule 9 asks."""
    current = today(now)
    if day > current:
        raise InvalidInput(field, f"in the future: {day.isoformat()} is after today ({current.isoformat()})")
