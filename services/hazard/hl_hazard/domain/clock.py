"""Calendar rules (rule 9): times are stored in UTC; days and deadlines are Asia/Shanghai days."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an aware moment."""
    return moment.astimezone(SHANGHAI).date()


def deadline_passed(deadline: date, now: datetime) -> bool:
    """Whether `now` is past the deadline, which means the end of that day in Asia/Shanghai."""
    return local_date(now) > deadline
