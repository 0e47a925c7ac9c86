"""Business days and report windows. Every boundary is computed in Asia/Shanghai (DOMAIN.md rule 9)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hl_platform.errors import InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_CUTOFF_DAY = 24  # reported on the 25th, cumulative to the end of the 24th
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def business_day(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an aware instant."""
    if moment.tzinfo is None:
        raise ValueError("a business time must carry its offset")
    return moment.astimezone(SHANGHAI).date()


def start_of_day(day: date) -> datetime:
    """The instant a Shanghai day begins."""
    return datetime.combine(day, time(), SHANGHAI)


@dataclass(frozen=True)
class ReportWindow:
    """A dispatch period: figures from the start of `since` to the end of `cutoff` (both Shanghai days)."""

    period: str
    since: date
    cutoff: date
    cutoff_day: int

    @property
    def cutoff_at(self) -> datetime:
        """The exclusive end instant: midnight after the cut-off day, Asia/Shanghai."""
        return start_of_day(self.cutoff + timedelta(days=1))


def report_window(period: str, since: date | None = None, cutoff_day: int = DEFAULT_CUTOFF_DAY) -> ReportWindow:
    """The window of `period` ("YYYY-MM"); `since` defaults to 1 January of the period's year.

    A cut-off day past the month's end (31 in April) means the month's last day.
    """
    match = _PERIOD.match(period)
    if match is None:
        raise InvalidInput("period", "must be YYYY-MM")
    if not 1 <= cutoff_day <= 31:
        raise InvalidInput("cutoff_day", "must be between 1 and 31")
    year, month = int(match.group(1)), int(match.group(2))
    cutoff = date(year, month, min(cutoff_day, calendar.monthrange(year, month)[1]))
    since = since or date(year, 1, 1)
    if since > cutoff:
        raise InvalidInput("since", f"must not be after the cut-off {cutoff.isoformat()}")
    return ReportWindow(period=period, since=since, cutoff=cutoff, cutoff_day=cutoff_day)
