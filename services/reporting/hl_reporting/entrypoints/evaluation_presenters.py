"""Evaluations as the public REST schemas (`hl_api.evaluations`)."""

from __future__ import annotations

from decimal import Decimal

from hl_api.evaluations import (
    BandPublic,
    EvaluationPublic,
    IndicatorPublic,
    IndicatorScorePublic,
    SchemePublic,
    UnitScorePublic,
)
from hl_reporting.domain.evaluation import Evaluation, IndicatorScore, UnitScore
from hl_reporting.domain.evaluation_scheme import Indicator, Scheme
from hl_reporting.domain.report import FigureValue


def number(value: Decimal) -> str:
    """A decimal as plain text: 87.5 → "87.50" for points, 0.6 → "0.6" for scores (as written)."""
    text = format(value, "f")
    return "0" if text == "-0" else text


def _optional(value: Decimal | None) -> str | None:
    return None if value is None else number(value)


def _input(value: FigureValue) -> int | str | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return number(value)
    return value


def _indicator(indicator: Indicator) -> IndicatorPublic:
    return IndicatorPublic(
        key=indicator.key,
        label=indicator.label,
        weight=number(indicator.weight),
        expression=indicator.expression(),
        figures=list(indicator.figures),
        if_undefined=_optional(indicator.if_undefined),
        bands=[
            BandPublic(
                at_least=_optional(band.at_least),
                at_most=_optional(band.at_most),
                score=number(band.score),
                label=band.label,
            )
            for band in indicator.bands
        ],
    )


def scheme_public(scheme: Scheme) -> SchemePublic:
    return SchemePublic(
        region_code=scheme.region_code,
        version=scheme.version,
        effective_from=scheme.effective_from,
        title=scheme.title,
        submission_due_day=scheme.submission_due_day,
        digest=scheme.digest,
        indicators=[_indicator(indicator) for indicator in scheme.indicators],
    )


def _line(line: IndicatorScore) -> IndicatorScorePublic:
    return IndicatorScorePublic(
        key=line.key,
        label=line.label,
        weight=number(line.weight),
        expression=line.expression,
        value=_optional(line.value),
        inputs={name: _input(value) for name, value in line.inputs.items()},
        band=line.band,
        score=number(line.score),
        points=number(line.points),
    )


def _unit(unit: UnitScore) -> UnitScorePublic:
    return UnitScorePublic(
        rank=unit.rank,
        region_code=unit.region_code,
        region_name=unit.region_name,
        total=number(unit.total),
        indicators=[_line(line) for line in unit.indicators],
    )


def evaluation_public(evaluation: Evaluation) -> EvaluationPublic:
    return EvaluationPublic(
        period=evaluation.period,
        region_code=evaluation.region_code,
        region_name=evaluation.region_name,
        since=evaluation.since,
        cutoff=evaluation.cutoff,
        status="frozen" if evaluation.frozen else "live",
        submission_id=evaluation.submission_id,
        as_of=evaluation.as_of,
        scheme=scheme_public(evaluation.scheme),
        units=[_unit(unit) for unit in evaluation.units],
    )
