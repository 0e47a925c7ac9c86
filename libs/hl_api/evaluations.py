"""Schemas of the monthly evaluation (月度评估赋分): the scheme, and each unit's score explained.

Scores, points, weights and values are decimal strings (like the reports' amounts), so that no
digit is lost and the lines of an explanation add up exactly to the total.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

DecimalText = str  # a decimal number as text, e.g. "87.50"


class BandPublic(BaseModel):
    """A range of values (bounds inclusive; null is open) and the score it earns."""

    at_least: DecimalText | None = None
    at_most: DecimalText | None = None
    score: DecimalText = Field(description="fraction of the indicator's weight, 0 to 1")
    label: str = Field(description="the range as printed, e.g. ≥80")


class IndicatorPublic(BaseModel):
    key: str
    label: str = Field(description="as printed on the score sheet")
    weight: DecimalText = Field(description="points; a scheme's weights sum to 100")
    expression: str = Field(description="the value as a formula of named figures")
    figures: list[str] = Field(description="the named figures the value is computed from")
    if_undefined: DecimalText | None = Field(description="the score when the value is undefined (a ratio over 0)")
    bands: list[BandPublic]


class SchemePublic(BaseModel):
    """The scheme version in force for the period: the region's own or its nearest ancestor's."""

    region_code: str
    version: int
    effective_from: str = Field(description="the first period (YYYY-MM) it applies to")
    title: str
    submission_due_day: int = Field(description="a unit's report is on time when submitted by the end of this day")
    digest: str = Field(description="sha256 of the version as written; a changed file shows as a changed digest")
    indicators: list[IndicatorPublic]


class IndicatorScorePublic(BaseModel):
    """One line of a unit's explanation."""

    key: str
    label: str
    weight: DecimalText
    expression: str
    value: DecimalText | None = Field(description="rounded to two decimals, as scored; null: undefined")
    inputs: dict[str, int | str | None] = Field(description="each named figure's value for this unit")
    band: str = Field(description="the band the value fell in, or 无数据 when it is undefined")
    score: DecimalText = Field(description="fraction of the weight, 0 to 1")
    points: DecimalText = Field(description="weight × score")


class UnitScorePublic(BaseModel):
    rank: int = Field(description="1 for the highest total; equal totals share a rank")
    region_code: str
    region_name: str
    total: DecimalText = Field(description="the sum of the indicators' points, out of 100")
    indicators: list[IndicatorScorePublic]


class EvaluationPublic(BaseModel):
    """A region's child units scored and ranked for one period."""

    period: str
    region_code: str
    region_name: str
    since: date
    cutoff: date = Field(description="figures count up to the end of this day, Asia/Shanghai")
    status: Literal["frozen", "live"] = Field(
        description="frozen: computed from the region's submitted table and never changes; live: today's figures"
    )
    submission_id: str | None = Field(description="the region's submission the evaluation is frozen with")
    as_of: datetime = Field(description="the figures and submissions stand as known at this moment")
    scheme: SchemePublic
    units: list[UnitScorePublic] = Field(description="highest total first")
