"""Schemas of the reports: the dispatch table (调度表) of a month, quarter or year, its submissions,
who has reported, the supervision list (挂牌督办清单) and the hazard ledger (隐患台账)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from hl_api.common import ActorPublic, Request

Name = Annotated[str, Field(min_length=1, max_length=200)]
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$"
PERIOD_TEXT = "YYYY-MM (a month), YYYY-Qn (a quarter) or YYYY (a year); from 2000-01 to the current period"
AS_OF_TEXT = (
    "RFC 3339 instant with offset (encode + as %2B): the report as known then, from the facts recorded by "
    "that moment; default: now"
)


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
    kind: str = Field(default="monthly", description="monthly, quarterly or annual")
    region_code: str
    region_name: str
    industry: str | None = None
    since: date
    cutoff: date = Field(description="figures count up to the end of this day, Asia/Shanghai")
    as_of: datetime | None = Field(default=None, description="only facts recorded by this moment count")
    through: date | None = Field(
        default=None, description="the last day counted: the cut-off, or the as-of day when the period still runs"
    )
    early: bool = Field(default=False, description="the figures stand at `as_of`, before the end of the cut-off")
    computed_at: datetime | None = None
    draft: bool = Field(
        default=True, description="a live table is an unsigned draft; a submission's frozen table is not"
    )
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


class SubmissionSummary(BaseModel):
    """A submitted report: its scope, who filled, reviewed and submitted it, and when."""

    id: str
    period: str
    region_code: str
    region_name: str = ""
    industry: str | None = None
    filled_by: str
    reviewed_by: str
    filled_on: date | None = None
    submitted_at: datetime
    submitted_by: ActorPublic
    early: bool = Field(default=False, description="submitted before the end of the cut-off day (提前上报)")


class SubmissionPublic(SubmissionSummary):
    """A frozen report: the figures as they were at submission, never changed afterwards."""

    table: DispatchTable


class FactPublic(BaseModel):
    """A fact recorded after the submission that moved a cell."""

    subject: str = Field(description="the hazard id, or the enterprise id for sections 二 and 三")
    event_type: str
    version: int | None = Field(default=None, description="the event's sequence in its aggregate")
    occurred_at: datetime = Field(description="its business time")
    recorded_at: datetime
    change: float | int | str | None = Field(description="what it changed in this cell")


class FigureChangePublic(BaseModel):
    key: str
    label: str
    frozen: float | int | bool | str | None
    live: float | int | bool | str | None
    difference: float | int | str | None
    facts: list[FactPublic] = Field(default_factory=list)


class ComparisonPublic(BaseModel):
    """A submission beside today's figures: every cell that moved since, and the facts that moved it."""

    submission: SubmissionPublic
    live_computed_at: datetime | None = None
    changed: list[FigureChangePublic]
    facts_count: int = Field(default=0, description="facts recorded since that moved a cell (lists hold 200 at most)")


class ReportingUnitPublic(BaseModel):
    code: str
    name: str
    kind: str = Field(description="county, zone, town, unit; department: the region's table of one industry")
    industry: str | None = None
    status: Literal["submitted", "not_yet"]
    submission_id: str | None = None
    submitted_at: datetime | None = None
    submitted_by: str | None = None
    early: bool = False


class ReportingStatusPublic(BaseModel):
    """Who has reported (报送情况): each reporting unit of a region with its submission, or not yet."""

    period: str
    region_code: str
    region_name: str
    due: date = Field(description="the day the reports are due (the day after the cut-off)")
    reported: int
    not_yet: int
    units: list[ReportingUnitPublic]


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


class LedgerItemPublic(BaseModel):
    """One row of the hazard ledger (隐患台账), as known at the ledger's moment."""

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
    deadline: date | None = None
    funds_yuan: str = Field(description="yuan, as a decimal string")
    rectified_at: datetime | None = None
    closed_at: datetime | None = None
    listing_level: str | None = None
    overdue: bool = Field(description="past its deadline in force, the fix still owed, on the ledger's day")
    version: int
    evidence_count: int = Field(default=0, description="attachments not withdrawn (佐证材料)")
