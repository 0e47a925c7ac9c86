"""Schemas of the reports: the monthly dispatch table (调度表) and the supervision list (挂牌督办清单)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from hl_api.common import ActorPublic, Request

Name = Annotated[str, Field(min_length=1, max_length=200)]
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class FigurePublic(BaseModel):
    key: str
    label: str = Field(description="the official Chinese label")
    value: float | int | bool | str | None = Field(
        description="counts are integers; 万元 amounts and rates are decimal strings"
    )


class RowPublic(BaseModel):
    """One numbered line of the form; a few hold two figures (e.g. 行政处罚(次,万元))."""

    number: int
    label: str
    figures: list[FigurePublic]


class SectionPublic(BaseModel):
    key: str
    number: str = Field(description="一, 二, 三, 四; empty for the extra figures")
    title: str
    official: bool = Field(description="part of the official form (the extras are not)")
    manual: bool = Field(description="entered by hand at submission (section 四)")
    rows: list[RowPublic]


class RegionFigures(BaseModel):
    region_code: str
    region_name: str
    figures: dict[str, float | int | bool | str | None]


class DispatchTable(BaseModel):
    """The dispatch table of one region (and optionally one industry) for one period."""

    period: str
    region_code: str
    region_name: str
    industry: str | None = None
    since: date
    cutoff: date = Field(description="figures count up to the end of this day, Asia/Shanghai")
    sections: list[SectionPublic]
    breakdown: list[RegionFigures] = Field(default_factory=list, description="one entry per child region")


class SubmissionCreate(Request):
    """Freeze a period's figures: who filled and reviewed it, and the hand-entered section 四 figures."""

    region_code: Annotated[str, Field(min_length=2, max_length=12)]
    industry: str | None = None
    since: date | None = None
    filled_by: Name
    reviewed_by: Name
    section_four: dict[str, float | int | bool] = Field(default_factory=dict)


class SubmissionPublic(BaseModel):
    """A frozen report: the figures as they were at submission, never changed afterwards."""

    id: str
    period: str
    region_code: str
    industry: str | None = None
    filled_by: str
    reviewed_by: str
    filled_on: date | None = None
    submitted_at: datetime
    submitted_by: ActorPublic
    table: DispatchTable


class FigureChangePublic(BaseModel):
    key: str
    label: str
    frozen: float | int | bool | str | None
    live: float | int | bool | str | None
    difference: float | int | str | None


class ComparisonPublic(BaseModel):
    """What changed since the report was frozen (late or back-dated events)."""

    submission: SubmissionPublic
    changed: list[FigureChangePublic]


class SupervisionItem(BaseModel):
    """A hazard under listed supervision (挂牌督办), with its days left or overdue as of today."""

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
    delisted_at: datetime | None = None
    days_left: int | None = None
    days_overdue: int | None = None
    evidence_count: int = Field(default=0, description="attachments not withdrawn (佐证材料)")
