"""The facts recorded after a moment that moved a table's figures: what a comparison names.

A submitted table stands at its submission; the live one has moved since. The facts are read by
the unit of work's `late_facts` (`adapters/late_fact_reads.py`: the logged steps recorded after
the submission that land in the window); each fact carries what it changed in each figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from hl_reporting.domain.dispatch_table import COMPUTED_FIGURES, Kind
from hl_reporting.domain.report import FigureValue

MAX_FACTS = 200  # per comparison; the count of all of them is given beside
# The rates move with the counts they are made of.
RATE_INPUTS = {
    "rectification_rate": ("general_found", "general_rectified", "major_found", "major_rectified"),
    "major_rectification_rate": ("major_found", "major_rectified"),
}
COUNTABLE = {figure.key for figure in COMPUTED_FIGURES if figure.kind is not Kind.RATE}


@dataclass(frozen=True)
class LateFact:
    """One recorded fact and what it changed in each figure (counts, amounts)."""

    subject: str  # the hazard id, or the enterprise id
    event_type: str
    version: int | None
    occurred_at: datetime  # its business time
    recorded_at: datetime
    changes: dict[str, FigureValue] = field(default_factory=dict)

    def moved(self, key: str) -> bool:
        inputs = RATE_INPUTS.get(key, (key,))
        return any(self.changes.get(name) for name in inputs)


@dataclass(frozen=True)
class Window:
    region_code: str
    industry: str | None
    since: date
    through: date


def facts_for(key: str, facts: Iterable[LateFact]) -> list[LateFact]:
    return [fact for fact in facts if fact.moved(key)]
