"""Contract events of the hazard context (事故隐患). The CloudEvent `subject` is the hazard id.

Version 2 of plan_set, deadline_extended, reclassified and voided carries the decision's business
time (`decided_at`, `approved_at`). Version 1 events have none: they were recorded when decided,
so their envelope `time` is that moment; they are upcast with the field null (see the upcasters
at the end), and readers take the envelope time when it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import Field

from hl_contracts.fields import CLAUSE_MAX, DESCRIPTION_MAX, Name, Text
from hl_contracts.registry import REGISTRY, EventData
from hl_contracts.vocabulary import HazardLevel, HazardSource, ListingLevel, ProductionHalt


@REGISTRY.register
class HazardFound(EventData):
    """A hazard was found and reported (发现并上报事故隐患)."""

    event_type = "hazard.found"
    enterprise_id: str
    enterprise_name: str
    source: HazardSource
    level: HazardLevel
    title: Name
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    found_at: datetime
    found_by: Name
    deadline: date | None = None
    production_halt: ProductionHalt | None = None
    standard_clause: str | None = Field(default=None, max_length=CLAUSE_MAX)


@REGISTRY.register
class HazardPlanSet(EventData):
    """The 五到位 rectification plan was set (责任、措施、资金、时限、预案)."""

    event_type = "hazard.plan_set"
    responsible_person: Name
    measures: Text
    funds_yuan: Decimal = Field(ge=0)
    deadline: date
    emergency_plan: Text
    decided_at: datetime | None = Field(default=None, description="when the plan was decided (null before v2)")

    event_version = 2


@REGISTRY.register
class HazardRectified(EventData):
    """Rectification was reported complete (整改完成); `immediate` for 即查即改."""

    event_type = "hazard.rectified"
    completed_at: datetime
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    immediate: bool = False


@REGISTRY.register
class HazardAccepted(EventData):
    """The rectification passed acceptance and the hazard is closed (验收销号)."""

    event_type = "hazard.accepted"
    reviewer: Name
    opinion: str = Field(default="", max_length=2000)
    decided_at: datetime


@REGISTRY.register
class HazardRejected(EventData):
    """The rectification failed acceptance; the hazard returns to rectifying."""

    event_type = "hazard.rejected"
    reviewer: Name
    opinion: str = Field(default="", max_length=2000)
    decided_at: datetime


@REGISTRY.register
class HazardEscalated(EventData):
    """A government put the major hazard under listed supervision (挂牌督办).

    Version 2 adds the notice's document number (文号) and its signatory; a v1 event has neither.
    """

    event_type = "hazard.escalated"
    event_version = 2
    level: ListingLevel
    authority: Name
    reason: Text
    deadline: date
    escalated_at: datetime
    document_number: str | None = Field(default=None, max_length=100, description="the notice's 文号")
    signatory: str | None = Field(default=None, max_length=200, description="who signed the notice (签发人)")


@REGISTRY.upcaster("hazard.escalated", 1)
def _escalated_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "document_number": None, "signatory": None}


@REGISTRY.register
class HazardDelisted(EventData):
    """The listing was lifted after the hazard was closed (摘牌)."""

    event_type = "hazard.delisted"
    level: ListingLevel
    authority: str = Field(default="", max_length=200)
    delisted_at: datetime
    reason: str = Field(default="", max_length=2000)


@REGISTRY.register
class HazardDeadlineExtended(EventData):
    """An approved extension moved the rectification deadline (延期)."""

    event_type = "hazard.deadline_extended"
    previous_deadline: date | None
    new_deadline: date
    reason: Text
    approved_by: Name
    approved_at: datetime | None = Field(default=None, description="when it was approved (null before v2)")

    event_version = 2


@REGISTRY.register
class HazardOverdue(EventData):
    """The system saw the deadline pass without rectification (逾期); once per deadline."""

    event_type = "hazard.overdue"
    deadline: date
    detected_at: datetime


@REGISTRY.register
class HazardReclassified(EventData):
    """The hazard's level was changed (e.g. general → major after review)."""

    event_type = "hazard.reclassified"
    previous_level: HazardLevel
    level: HazardLevel
    reason: Text
    standard_clause: str | None = Field(default=None, max_length=CLAUSE_MAX)
    production_halt: ProductionHalt | None = None
    decided_at: datetime | None = Field(default=None, description="when it was decided (null before v2)")

    event_version = 2


@REGISTRY.register
class HazardVoided(EventData):
    """The hazard was voided (作废): kept with its history, counted nowhere."""

    event_type = "hazard.voided"
    reason: Text
    decided_at: datetime | None = Field(default=None, description="when it was decided (null before v2)")

    event_version = 2


def _no_business_time(field: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """v1 → v2: the decision's time was not in the data; v1 events were recorded when decided."""

    def upcast(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, field: None}

    return upcast


for _event_type, _field in (
    ("hazard.plan_set", "decided_at"),
    ("hazard.deadline_extended", "approved_at"),
    ("hazard.reclassified", "decided_at"),
    ("hazard.voided", "decided_at"),
):
    REGISTRY.upcaster(_event_type, 1)(_no_business_time(_field))


def decided_at(data: EventData, recorded_time: datetime) -> datetime:
    """The business time of a decision event: its own field, or (v1) the envelope's time."""
    for name in ("decided_at", "approved_at"):
        value = getattr(data, name, None)
        if isinstance(value, datetime):
            return value
    return recorded_time
