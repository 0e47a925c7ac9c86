"""The monthly evaluation (月度评估赋分): each child unit of a region scored by a scheme, and ranked.

Pure: the application hands in each unit's figures (its row of the dispatch table, frozen or live,
and its submission's timeliness) and the scheme; this module scores them indicator by indicator,
keeping every input, so that a score can be explained line by line, and ranks the units.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from hl_reporting.domain.calendar import business_day
from hl_reporting.domain.dispatch_table import COMPUTED_FIGURES
from hl_reporting.domain.evaluation_scheme import Indicator, Scheme, cents
from hl_reporting.domain.report import FigureValue

# Figures an evaluation adds to the dispatch table's, from the units' own submissions.
SUBMISSION_FIGURES = {
    "submitted": "已报送月度调度表(1是/0否)",
    "submitted_on_time": "按时报送月度调度表(1是/0否)",
}
EVALUATION_FIGURES = (*(figure.key for figure in COMPUTED_FIGURES), *SUBMISSION_FIGURES)
NO_VALUE = "无数据"


@dataclass(frozen=True)
class IndicatorScore:
    """One line of a unit's explanation: the value, its inputs, the band it fell in, the points."""

    key: str
    label: str
    weight: Decimal
    expression: str
    value: Decimal | None
    inputs: Mapping[str, FigureValue]
    band: str  # the band's range (≥80), or 无数据 when the value is undefined
    score: Decimal  # fraction of the weight, 0 to 1
    points: Decimal  # weight × score, to the cent


@dataclass(frozen=True)
class UnitScore:
    region_code: str
    region_name: str
    total: Decimal
    indicators: tuple[IndicatorScore, ...]
    rank: int = 0


@dataclass(frozen=True)
class Evaluation:
    """A region's evaluation for a period: frozen with its submission, or live."""

    period: str
    region_code: str
    region_name: str
    since: date
    cutoff: date
    scheme: Scheme
    as_of: datetime  # the figures stand as known at this moment
    submission_id: str | None  # the region's submission it is frozen with; None: live
    units: tuple[UnitScore, ...]

    @property
    def frozen(self) -> bool:
        return self.submission_id is not None


def due_date(period: str, due_day: int) -> date:
    """The last day a unit's report of `period` is on time (the due day, or the month's last day)."""
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, min(due_day, calendar.monthrange(year, month)[1]))


def submission_figures(submitted_at: datetime | None, due: date) -> dict[str, FigureValue]:
    """Whether a unit submitted its report, and by the due date (a Shanghai day)."""
    if submitted_at is None:
        return {"submitted": 0, "submitted_on_time": 0}
    return {"submitted": 1, "submitted_on_time": int(business_day(submitted_at) <= due)}


def score_indicator(indicator: Indicator, figures: Mapping[str, FigureValue]) -> IndicatorScore:
    measure = indicator.measure(figures)
    if measure.value is None:
        band, score = NO_VALUE, indicator.if_undefined if indicator.if_undefined is not None else Decimal(0)
    else:
        matched = indicator.band_of(measure.value)
        band, score = matched.label, matched.score
    return IndicatorScore(
        key=indicator.key,
        label=indicator.label,
        weight=indicator.weight,
        expression=indicator.expression(),
        value=measure.value,
        inputs=measure.inputs,
        band=band,
        score=score,
        points=cents(indicator.weight * score),
    )


def score_unit(scheme: Scheme, region_code: str, region_name: str, figures: Mapping[str, FigureValue]) -> UnitScore:
    """A unit's score: the sum of its indicators' points (each already rounded, so the lines add up)."""
    lines = tuple(score_indicator(indicator, figures) for indicator in scheme.indicators)
    return UnitScore(region_code, region_name, sum((line.points for line in lines), Decimal(0)), lines)


def ranked(units: Iterable[UnitScore]) -> tuple[UnitScore, ...]:
    """Highest total first; equal totals share a rank (1, 2, 2, 4) and stand in code order."""
    ordered = sorted(units, key=lambda unit: (-unit.total, unit.region_code))
    result: list[UnitScore] = []
    for position, unit in enumerate(ordered, start=1):
        tied = result and result[-1].total == unit.total
        result.append(replace(unit, rank=result[-1].rank if tied else position))
    return tuple(result)
