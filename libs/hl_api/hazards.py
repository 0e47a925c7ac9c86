"""Schemas of the hazard resource (事故隐患)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field

from hl_api.common import ActorPublic, Request
from hl_api.evidence import ListingReceiptPublic
from hl_api.values import Bool, BusinessDate, BusinessTime
from hl_contracts.fields import CLAUSE_MAX, DESCRIPTION_MAX, Name, Text
from hl_contracts.vocabulary import HazardLevel, HazardSource, HazardStatus, ListingLevel, ProductionHalt

DECIDED = (
    "when it was decided (business time, RFC 3339 with offset; not in the future, not before found_at); default: now"
)


class HazardCreate(Request):
    """Report a hazard (上报隐患). Business times are RFC 3339 with an offset; deadlines are dates."""

    enterprise_id: Annotated[str, Field(min_length=1, max_length=64)]
    source: HazardSource
    level: HazardLevel
    title: Name
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    found_at: BusinessTime
    found_by: Name
    rectify_immediately: Bool = Field(default=False, description="即查即改: a general hazard fixed on the spot")
    deadline: BusinessDate | None = Field(
        default=None, description="rectification deadline (end of that day, Asia/Shanghai)"
    )
    production_halt: ProductionHalt | None = Field(default=None, description="required for major hazards")
    standard_clause: str | None = Field(default=None, max_length=CLAUSE_MAX, description="判定标准 clause matched")


class PlanSet(Request):
    """The 五到位 plan: responsible person, measures, funds, deadline, emergency plan."""

    responsible_person: Name
    measures: Text
    funds_yuan: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    deadline: BusinessDate
    emergency_plan: Text
    decided_at: BusinessTime | None = Field(default=None, description=DECIDED)


class RectificationReport(Request):
    completed_at: BusinessTime
    description: str = Field(default="", max_length=DESCRIPTION_MAX)


class AcceptanceDecision(Request):
    accepted: Bool
    reviewer: Name
    opinion: str = Field(default="", max_length=2000)
    decided_at: BusinessTime


class EscalationCreate(Request):
    """挂牌督办 at a level (county/city/province)."""

    level: ListingLevel
    authority: Name
    deadline: BusinessDate
    reason: Text
    escalated_at: BusinessTime
    document_number: str | None = Field(default=None, min_length=1, max_length=100, description="the notice's 文号")
    signatory: str | None = Field(default=None, min_length=1, max_length=200, description="签发人")


class DelistingCreate(Request):
    delisted_at: BusinessTime
    authority: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=2000)


class DeadlineExtensionCreate(Request):
    new_deadline: BusinessDate
    reason: Text
    approved_by: Name
    approved_at: BusinessTime | None = Field(default=None, description=DECIDED.replace("decided", "approved"))


class ReclassificationCreate(Request):
    level: HazardLevel
    reason: Text
    standard_clause: str | None = Field(default=None, max_length=CLAUSE_MAX)
    production_halt: ProductionHalt | None = None
    decided_at: BusinessTime | None = Field(default=None, description=DECIDED)


class VoidCreate(Request):
    reason: Text
    decided_at: BusinessTime | None = Field(default=None, description=DECIDED)


class PlanPublic(BaseModel):
    responsible_person: str
    measures: str
    funds_yuan: Decimal
    deadline: date
    emergency_plan: str
    decided_at: datetime | None = Field(default=None, description="when the plan was decided (null before v2)")


class RectificationPublic(BaseModel):
    """The reported fix (整改完成); `immediate` for 即查即改."""

    completed_at: datetime
    description: str = ""
    immediate: bool = False


class AcceptancePublic(BaseModel):
    """The latest acceptance decision: accepted (验收销号) or rejected back to rectifying."""

    accepted: bool
    reviewer: str
    opinion: str = ""
    decided_at: datetime


class DelistingPublic(BaseModel):
    """The lifting of the latest listing (摘牌)."""

    level: ListingLevel
    authority: str = ""
    delisted_at: datetime
    reason: str = ""


class ListingPublic(BaseModel):
    """A listing for supervision (挂牌督办), as the escalation recorded it."""

    level: ListingLevel
    authority: str = Field(description="the listing authority")
    reason: str
    deadline: date = Field(description="the rectification deadline the listing set")
    listed_at: datetime = Field(description="when it was listed: the escalation's business time")
    document_number: str | None = Field(default=None, description="the notice's 文号")
    signatory: str | None = Field(default=None, description="签发人")


class HazardPublic(BaseModel):
    """A hazard as the ledger knows it now."""

    id: str
    version: int = Field(description="send as If-Match to guard a write against concurrent changes")
    enterprise_id: str
    region_code: str
    industry: str
    source: HazardSource
    level: HazardLevel
    status: HazardStatus
    title: str
    description: str = ""
    found_at: datetime
    found_by: str
    deadline: date | None = None
    production_halt: ProductionHalt | None = None
    standard_clause: str | None = None
    plan: PlanPublic | None = None
    listing: ListingPublic | None = None
    overdue: bool = False
    evidence_count: int = Field(default=0, description="attachments not withdrawn")
    listing_receipt: ListingReceiptPublic | None = Field(default=None, description="签收 of the current listing")
    # Served since the first version, documented since 1.x (optional: older clients ignore them).
    enterprise_name: str = Field(default="", description="the enterprise's name when the hazard was found")
    rectification: RectificationPublic | None = None
    acceptance: AcceptancePublic | None = Field(default=None, description="the latest decision, if any")
    listed: bool = Field(default=False, description="under listed supervision (挂牌督办) now")
    listings: list[ListingPublic] = Field(default_factory=list, description="every listing, oldest first")
    delisting: DelistingPublic | None = None
    overdue_deadline: date | None = Field(default=None, description="the deadline whose passing was recorded")
    penalty_exempt: bool = Field(
        default=False, description="exempt from penalty: a self-reported major hazard under rectification"
    )
    voided: bool = False
    voided_reason: str | None = None


class HistoryEntry(BaseModel):
    """One event of a hazard's audit trail: who did what, when it happened and when it was recorded."""

    version: int
    event_id: str
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: ActorPublic
    data: dict[str, Any]
