"""Rows of the list views: the supervision list (挂牌督办清单) and the hazard ledger (隐患台账)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class ListedHazard:
    """A hazard under listed supervision (挂牌督办): a row of the supervision list (the API's
    `SupervisionItem`), with its time left or overdue as of `today`."""

    hazard_id: str
    title: str
    enterprise_id: str
    enterprise_name: str
    region_code: str
    region_name: str
    industry: str
    level: str
    listing_level: str
    listing_authority: str
    listed_at: datetime
    deadline: date | None
    status: str
    delisted_at: datetime | None
    days_left: int | None
    days_overdue: int | None
    evidence_count: int = 0  # attachments not withdrawn (佐证材料)


@dataclass(frozen=True)
class LedgerItem:
    """One row of the hazard ledger (隐患台账)."""

    hazard_id: str
    title: str
    enterprise_id: str
    enterprise_name: str
    region_code: str
    industry: str
    source: str
    level: str
    status: str
    found_at: datetime
    deadline: date | None
    funds_yuan: Decimal
    rectified_at: datetime | None
    closed_at: datetime | None
    listing_level: str | None
    overdue_recorded: bool
    version: int
    evidence_count: int = 0
    overdue: bool = False  # by the rule, as of the ledger's day (`hazard_timeline.is_overdue`)
