"""Cell values for the exports: number and date formats, Chinese labels, and the injection guard.

A spreadsheet treats a cell that starts with = + - @ (or a tab or carriage return) as a formula;
text that came from users (names, titles, authorities) must never run as one. CSV text cells get a
leading single quote (the OWASP advice); xlsx text cells are stored with the string type instead.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from openpyxl.cell.cell import Cell, MergedCell

from hl_contracts.vocabulary import INDUSTRIES
from hl_reporting.domain.calendar import SHANGHAI
from hl_reporting.domain.report import FigureValue

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
STATUS_LABELS = {
    "reported": "已上报",
    "rectifying": "整改中",
    "rectified": "已整改待验收",
    "closed": "已销号",
    "voided": "已作废",
}
LISTING_LABELS = {"county": "县级", "city": "市级", "province": "省级"}


def guard(text: str) -> str:
    """Text safe for a CSV cell: a formula trigger at the start is neutralised with a quote."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def set_text(cell: Cell | MergedCell, text: str) -> None:
    """Write user text to an xlsx cell as a string, never as a formula."""
    cell.value = text
    cell.data_type = "s"


def number_text(value: FigureValue) -> str:
    """A figure as text: 是/否 for flags, no trailing zeros for amounts, "" when blank."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text if text != "-0" else "0"
    return str(value)


def chinese_date(day: date | None) -> str:
    """2024年5月24日; blanks as on the printed form when there is no date."""
    return f"{day.year}年{day.month}月{day.day}日" if day else "    年  月  日"


def local_minute(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def industry_label(industry: str | None) -> str:
    return INDUSTRIES.get(industry, industry) if industry else "全部行业领域"


def days_text(days_left: int | None, days_overdue: int | None) -> str:
    if days_overdue is not None:
        return f"逾期{days_overdue}天"
    if days_left is not None:
        return f"剩余{days_left}天"
    return ""
