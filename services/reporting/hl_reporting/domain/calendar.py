"""Business days, report periods and windows. Every boundary is computed in Asia/Shanghai (rule 9).

A period is a month (`2024-05`, the dispatch table: reported on the 25th, cumulative to the end of
the 24th), a quarter (`2024-Q2`, to the quarter's last day) or a year (`2024`, to 31 December),
each counted by default from 1 January of its year. Periods run from 2000-01 to the current one:
the month whose dispatch window holds today (after the 24th that is next month), the current
quarter, the current year.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from hl_platform.errors import InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_CUTOFF_DAY = 24  # reported on the 25th, cumulative to the end of the 24th
FIRST_YEAR = 2000  # the first period any report may ask for
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>0[1-9]|1[0-2])|Q(?P<quarter>[1-4])))?$")
PERIOD_FORMS = "YYYY-MM (month), YYYY-Qn (quarter) or YYYY (year)"


def business_day(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an aware instant."""
    if moment.tzinfo is None:
        raise ValueError("a business time must carry its offset")
    return moment.astimezone(SHANGHAI).date()


def start_of_day(day: date) -> datetime:
    """The instant a Shanghai day begins."""
    return datetime.combine(day, time(), SHANGHAI)


def end_of_day(day: date) -> datetime:
    """The instant a Shanghai day ends (the next one begins): a cut-off day counts up to here."""
    return start_of_day(day + timedelta(days=1))


class PeriodKind(StrEnum):
    MONTH = "monthly"  # 月度调度表
    QUARTER = "quarterly"  # 季度
    YEAR = "annual"  # 年度


@dataclass(frozen=True)
class Period:
    """A report period: a month, a quarter or a year."""

    kind: PeriodKind
    year: int
    number: int = 0  # the month (1–12) or the quarter (1–4); 0 for a year

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}"

    @property
    def last_month(self) -> int:
        return {PeriodKind.MONTH: self.number, PeriodKind.QUARTER: 3 * self.number}.get(self.kind, 12)

    def cutoff(self, cutoff_day: int = DEFAULT_CUTOFF_DAY) -> date:
        """The last day the period counts: the cut-off day of its month, or its last calendar day."""
        last = calendar.monthrange(self.year, self.last_month)[1]
        day = min(cutoff_day, last) if self.kind is PeriodKind.MONTH else last
        return date(self.year, self.last_month, day)


def parse_period(text: str) -> Period:
    """`2024-05`, `2024-Q2` or `2024`; anything else is `InvalidInput` naming `period`."""
    match = _PERIOD.match(text)
    if match is None:
        raise InvalidInput("period", f"must be {PERIOD_FORMS}")
    year = int(match["year"])
    if match["month"]:
        return Period(PeriodKind.MONTH, year, int(match["month"]))
    if match["quarter"]:
        return Period(PeriodKind.QUARTER, year, int(match["quarter"]))
    return Period(PeriodKind.YEAR, year)


def current_period(kind: PeriodKind, today: date) -> Period:
    """The period of `kind` that holds `today` (a month's window ends on the 24th)."""
    if kind is PeriodKind.MONTH:
        month_after = today.replace(day=1) + timedelta(days=32)
        holder = today if today.day <= DEFAULT_CUTOFF_DAY else month_after
        return Period(kind, holder.year, holder.month)
    if kind is PeriodKind.QUARTER:
        return Period(kind, today.year, (today.month - 1) // 3 + 1)
    return Period(kind, today.year)


def check_period(period: Period, today: date) -> Period:
    """Refuse a period before 2000-01 or after the current one (a report of the future)."""
    if period.year < FIRST_YEAR:
        raise InvalidInput("period", f"must not be before {FIRST_YEAR}-01")
    current = current_period(period.kind, today)
    if (period.year, period.number) > (current.year, current.number):
        raise InvalidInput("period", f"must not be after the current period {current.label}")
    return period


def check_moment(field: str, moment: datetime, now: datetime) -> datetime:
    """An instant a report may be asked as of: with its offset, from 2000 on, not in the future."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(field, "must carry a UTC offset (RFC 3339)")
    if moment.year < FIRST_YEAR or moment.year > now.year + 1:  # checked before any arithmetic
        raise InvalidInput(field, f"must be from {FIRST_YEAR} to now")
    if moment > now:
        raise InvalidInput(field, f"is in the future: {moment.isoformat()} is after {now.isoformat()}")
    return moment


@dataclass(frozen=True)
class ReportWindow:
    """A report's window: figures from the start of `since` to the end of `cutoff` (Shanghai days)."""

    period: str
    since: date
    cutoff: date
    cutoff_day: int
    kind: PeriodKind = PeriodKind.MONTH

    @property
    def cutoff_at(self) -> datetime:
        """The exclusive end instant: midnight after the cut-off day, Asia/Shanghai."""
        return end_of_day(self.cutoff)

    def through(self, as_of: datetime) -> date:
        """The last business day the figures count when they stand at `as_of`: the cut-off day, or
        the day of `as_of` if that comes first (a deadline that ends later has not passed yet)."""
        return min(self.cutoff, business_day(as_of))


def report_window(
    period: str, since: date | None = None, cutoff_day: int = DEFAULT_CUTOFF_DAY, *, today: date | None = None
) -> ReportWindow:
    """The window of `period`; `since` defaults to 1 January of the period's year.

    A cut-off day past the month's end (31 in April) means the month's last day; quarters and years
    end on their last day and take no cut-off day. With `today`, a period after the current one is
    refused.
    """
    parsed = parse_period(period)
    if parsed.year < FIRST_YEAR:
        raise InvalidInput("period", f"must not be before {FIRST_YEAR}-01")
    if today is not None:
        check_period(parsed, today)
    if not 1 <= cutoff_day <= 31:
        raise InvalidInput("cutoff_day", "must be between 1 and 31")
    if parsed.kind is not PeriodKind.MONTH and cutoff_day != DEFAULT_CUTOFF_DAY:
        raise InvalidInput("cutoff_day", "applies to monthly periods only: a quarter or a year ends on its last day")
    cutoff = parsed.cutoff(cutoff_day)
    since = since or date(parsed.year, 1, 1)
    if since.year < FIRST_YEAR:
        raise InvalidInput("since", f"must not be before {FIRST_YEAR}-01-01")
    if since > cutoff:
        raise InvalidInput("since", f"must not be after the cut-off {cutoff.isoformat()}")
    return ReportWindow(period=parsed.label, since=since, cutoff=cutoff, cutoff_day=cutoff_day, kind=parsed.kind)
