"""From the API's JSON to what a page shows: the same values, as text, with Chinese labels.

A value is shown exactly as the API gives it (a count as an integer, an amount or a rate as its
decimal string, a blank as "—"), so that a reader, or a test, can compare a page with the API
number by number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hl_catalogue import RegionCatalogue

SHANGHAI = ZoneInfo("Asia/Shanghai")
BLANK = "—"
# The figures of the per-region views (breakdown, map, trends): the main ones of the form and extras.
KEY_FIGURES = (
    "major_found",
    "major_rectified",
    "major_rectification_rate",
    "self_inspection_major_found",
    "department_inspection_major_found",
    "listed_major",
    "listed_major_rectified",
    "overdue",
    "general_found",
    "general_rectified",
    "enterprises_inspected",
    "administrative_penalties",
    "administrative_penalty_amount_wan",
)
TREND_FIGURES = ("major_found", "major_rectified", "listed_major", "overdue", "general_found")
STATUS_LABELS = {
    "reported": "已上报",
    "rectifying": "整改中",
    "rectified": "已整改待验收",
    "closed": "已销号",
    "voided": "已作废",
}
LISTING_LABELS = {"county": "县级", "city": "市级", "province": "省级"}
ROLE_LABELS = {
    "admin": "管理员",
    "platform": "省级平台",
    "supervisor": "政府监管",
    "inspector": "部门检查",
    "bureau": "部门订阅",
}


def shown(value: Any) -> str:
    """A figure as the page prints it: the API's value as text, "—" for none, 是/否 for flags."""
    if value is None:
        return BLANK
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def numeric(value: Any) -> float | None:
    """A figure as a number for shading and charts (None when blank)."""
    if value is None or isinstance(value, bool):
        return None
    return float(value)


def current_period(now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).astimezone(SHANGHAI)
    return f"{moment.year:04d}-{moment.month:02d}"


def period_label(period: str) -> str:
    return f"{period[:4]}年{int(period[5:7])}月"


def year_to_date(period: str) -> list[str]:
    """The periods of the year up to this one (the tables count from 1 January)."""
    year, month = period[:4], int(period[5:7])
    return [f"{year}-{m:02d}" for m in range(1, month + 1)]


def figure_labels(table: Mapping[str, Any]) -> dict[str, str]:
    """Each figure's official label, as the API's table carries them."""
    return {
        figure["key"]: figure["label"]
        for section in table["sections"]
        for row in section["rows"]
        for figure in row["figures"]
    }


@dataclass(frozen=True)
class Crumb:
    code: str
    name: str


def breadcrumbs(catalogue: RegionCatalogue, scope: str, region_code: str) -> list[Crumb]:
    """The regions from the caller's own down to this one (the ones it may open)."""
    chain = [*catalogue.ancestors(region_code), catalogue.get(region_code)] if region_code else []
    crumbs = [Crumb(r.code, r.name) for r in chain if r is not None and r.code.startswith(scope)]
    return crumbs or [Crumb(region_code, catalogue.name(region_code) if region_code else "全国")]


def has_children(catalogue: RegionCatalogue, code: str) -> bool:
    return bool(catalogue.children(code))


def local_time(text: str | None) -> str:
    """An RFC 3339 instant as a Shanghai minute: 2024-05-28 09:00."""
    if not text:
        return ""
    return datetime.fromisoformat(text).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def supervision_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """A listed hazard as the list shows it; overdue ones are marked in words, not colour alone."""
    overdue = item.get("days_overdue")
    left = item.get("days_left")
    days = f"逾期{overdue}天" if overdue is not None else (f"剩余{left}天" if left is not None else "")
    return {
        **item,
        "overdue": overdue is not None,
        "days": days,
        "status_label": STATUS_LABELS.get(item["status"], item["status"])
        + ("(已摘牌)" if item.get("delisted_at") else ""),
        "listing_label": LISTING_LABELS.get(item["listing_level"], item["listing_level"]),
        "listed": local_time(item["listed_at"]),
    }
