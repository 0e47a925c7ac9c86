"""From summed buckets to the dispatch table's figures (pure; the queries feed it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import product

from hl_contracts.vocabulary import HazardLevel, HazardSource, ListingLevel
from hl_reporting.domain.dispatch_table import COMPUTED_FIGURES
from hl_reporting.domain.enterprise_figures import FEN_PER_WAN, MARKS, PENALTY_AMOUNT_FEN
from hl_reporting.domain.hazard_timeline import FOUND, FUNDS, LISTED, LISTED_RECTIFIED, OVERDUE, RECTIFIED
from hl_reporting.domain.report import FigureValue

MAJOR, GENERAL = HazardLevel.MAJOR.value, HazardLevel.GENERAL.value
SELF, DEPARTMENT = HazardSource.SELF_INSPECTION.value, HazardSource.DEPARTMENT_INSPECTION.value


@dataclass
class HazardSums:
    """Summed hazard buckets keyed by (metric, source, level, listing level)."""

    sums: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    # every total a figure asks for, by (metric, source, level, listing) with None for "any":
    # built once per region on first use, so a table is O(buckets), not O(figures × buckets)
    _totals: dict[tuple[str, str | None, str | None, str | None], int] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def add(self, key: tuple[str, str, str, str], value: int) -> None:
        self.sums[key] = self.sums.get(key, 0) + value
        self._totals = None

    def total(
        self, metric: str, *, source: str | None = None, level: str | None = None, listing: str | None = None
    ) -> int:
        if self._totals is None:
            totals: dict[tuple[str, str | None, str | None, str | None], int] = {}
            for (m, s, lv, ls), value in self.sums.items():
                for key in product((m,), (s, None), (lv, None), (ls, None)):
                    totals[key] = totals.get(key, 0) + value
            self._totals = totals
        return self._totals.get((metric, source, level, listing), 0)


@dataclass
class Sums:
    """Everything one region's figures are computed from."""

    hazards: HazardSums = field(default_factory=HazardSums)
    enforcement: dict[str, int] = field(default_factory=dict)
    marks: dict[str, int] = field(default_factory=dict)
    rewards: dict[str, int] = field(default_factory=dict)  # tip rewards paid, fen (section 四 row 5)


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage with two decimals; None when there is nothing to rate."""
    if whole == 0:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def wan(fen: int) -> Decimal:
    """Fen as 万元, exact to the yuan."""
    return (Decimal(fen) / FEN_PER_WAN).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def compute_figures(sums: Sums) -> dict[str, FigureValue]:
    """Every computed figure of the table (sections 一–三 and the extras), in the table's order."""
    h = sums.hazards
    values: dict[str, FigureValue] = {
        "self_inspection_major_found": h.total(FOUND, source=SELF, level=MAJOR),
        "self_inspection_major_rectified": h.total(RECTIFIED, source=SELF, level=MAJOR),
        "department_inspection_major_found": h.total(FOUND, source=DEPARTMENT, level=MAJOR),
        "department_inspection_major_rectified": h.total(RECTIFIED, source=DEPARTMENT, level=MAJOR),
        "listed_major": h.total(LISTED, level=MAJOR),
        "listed_major_rectified": h.total(LISTED_RECTIFIED, level=MAJOR),
        "general_found": h.total(FOUND, level=GENERAL),
        "general_rectified": h.total(RECTIFIED, level=GENERAL),
        "major_found": h.total(FOUND, level=MAJOR),
        "major_rectified": h.total(RECTIFIED, level=MAJOR),
        "rectification_rate": rate(h.total(RECTIFIED), h.total(FOUND)),
        "major_rectification_rate": rate(h.total(RECTIFIED, level=MAJOR), h.total(FOUND, level=MAJOR)),
        "overdue": h.total(OVERDUE),
        "funds_committed_wan": wan(h.total(FUNDS)),
        "administrative_penalty_amount_wan": wan(sums.enforcement.get(PENALTY_AMOUNT_FEN, 0)),
        "report_rewards_wan": wan(sums.rewards.get("report_rewards_fen", 0)),
        "anonymous_report_rewards_wan": wan(sums.rewards.get("anonymous_report_rewards_fen", 0)),
    }
    for listing in ListingLevel:
        values[f"listed_{listing.value}"] = h.total(LISTED, listing=listing.value)
    for mark in MARKS:
        values[mark] = sums.marks.get(mark, 0)
    for figure in COMPUTED_FIGURES:
        if figure.key not in values:
            values[figure.key] = sums.enforcement.get(figure.key, 0)
    return {figure.key: values[figure.key] for figure in COMPUTED_FIGURES}
