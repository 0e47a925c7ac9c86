"""A computed dispatch table: its scope, its window and one value per figure, plus per-region rows.

Values are typed by the figure's kind (see `dispatch_table.Kind`); `encode`/`decode` turn them into
JSON-safe values and back, so that a submitted (frozen) table reads exactly as it was computed.
A table stands at a moment: `as_of`, the facts recorded by then; its figures count business days
up to `through`, the cut-off or, when `as_of` comes first, the day of `as_of` (figures of a period
still running, or of an early submission, stand at that moment). A live table is a draft: nobody
signed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hl_reporting.domain.calendar import business_day, start_of_day
from hl_reporting.domain.dispatch_table import FIGURES, Kind

FigureValue = int | Decimal | bool | None


@dataclass(frozen=True)
class BreakdownRow:
    """One row of the per-region breakdown (a child region, or the parent's own direct records);
    the API's `RegionFigures` presents it."""

    region_code: str
    region_name: str
    figures: Mapping[str, FigureValue]


@dataclass(frozen=True)
class ComputedTable:
    """A dispatch table as computed (or frozen): typed values per figure. The API's `DispatchTable`
    is its presentation (`entrypoints/presenters.table_public`): sections, labels, JSON-safe values."""

    period: str
    region_code: str
    region_name: str
    industry: str | None
    since: date
    cutoff: date
    figures: Mapping[str, FigureValue]
    breakdown: tuple[BreakdownRow, ...] = field(default=())
    as_of: datetime | None = None  # the facts recorded by then (a live table: when it was computed)
    computed_at: datetime | None = None
    kind: str = "monthly"
    draft: bool = True

    @property
    def cutoff_at(self) -> datetime:
        """The exclusive end of the window: midnight after the cut-off day, Asia/Shanghai."""
        return start_of_day(self.cutoff + timedelta(days=1))

    @property
    def stands_at(self) -> datetime:
        """The moment the figures stand at: the end of the cut-off day, or `as_of` if earlier."""
        return min(self.cutoff_at, self.as_of) if self.as_of else self.cutoff_at

    @property
    def early(self) -> bool:
        """Whether the figures stand before the end of the cut-off day (a period still running)."""
        return self.stands_at < self.cutoff_at

    @property
    def through(self) -> date:
        """The last business day counted."""
        return min(self.cutoff, business_day(self.stands_at))

    def value(self, key: str) -> FigureValue:
        return self.figures.get(key)


def encode(figures: Mapping[str, FigureValue]) -> dict[str, Any]:
    """JSON-safe values: amounts and rates as strings, so no digit is lost."""
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in figures.items()}


def decode(raw: Mapping[str, Any]) -> dict[str, FigureValue]:
    return {key: _decode_one(key, value) for key, value in raw.items()}


def _decode_one(key: str, value: Any) -> FigureValue:
    if value is None:
        return None
    kind = FIGURES[key].kind if key in FIGURES else Kind.COUNT
    if kind in (Kind.AMOUNT, Kind.RATE):
        return Decimal(str(value))
    if kind is Kind.FLAG:
        return bool(value)
    return int(value)


def encode_table(table: ComputedTable) -> dict[str, Any]:
    return {
        "figures": encode(table.figures),
        "breakdown": [
            {"region_code": row.region_code, "region_name": row.region_name, "figures": encode(row.figures)}
            for row in table.breakdown
        ],
    }


def decode_breakdown(raw: list[dict[str, Any]]) -> tuple[BreakdownRow, ...]:
    return tuple(BreakdownRow(row["region_code"], row["region_name"], decode(row["figures"])) for row in raw)


@dataclass(frozen=True)
class Signoff:
    """What the people filing a report add to it: section 四 and the footer (填表人, 审核人, 填表时间)."""

    filled_by: str = ""
    reviewed_by: str = ""
    filled_on: date | None = None
    section4: Mapping[str, FigureValue] = field(default_factory=dict)
