"""Contract events of the enterprise context (生产经营单位). The `subject` is the enterprise id."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hl_contracts.fields import ADDRESS_MAX, PHONE_MAX, Name, Text
from hl_contracts.registry import REGISTRY, EventData


class Person(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    phone: str = Field(default="", max_length=PHONE_MAX)


class Profile(BaseModel):
    """The fields of an enterprise's profile: what `enterprise.registered` records, and the one list
    that the enterprise service's validated profile (`hl_enterprise.domain.profile`) extends."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    uscc: str = Field(min_length=18, max_length=18)
    name: Name
    region_code: str
    industry: str
    address: str = Field(default="", max_length=ADDRESS_MAX)
    principal: Person
    safety_director: Person | None = None
    high_risk: bool = False
    major_hazard_source: bool = False
    standardization_grade: str = "none"
    supervising_department: str = Field(default="", max_length=200)


@REGISTRY.register
class EnterpriseRegistered(EventData, Profile):
    """An enterprise was put under supervision."""

    event_type = "enterprise.registered"


@REGISTRY.register
class EnterpriseUpdated(EventData):
    """Some profile fields changed; `changes` holds only the new values of those fields."""

    event_type = "enterprise.updated"
    changes: dict[str, Any]


@REGISTRY.register
class EnterpriseClosed(EventData):
    """The enterprise closed or was deregistered; no new hazards can be reported for it."""

    event_type = "enterprise.closed"
    reason: Text
    closed_on: date


@REGISTRY.register
class EnterpriseBlacklisted(EventData):
    """Put on the credit blacklist (黑名单)."""

    event_type = "enterprise.blacklisted"
    reason: Text
    authority: Name
    decided_on: date


@REGISTRY.register
class EnterpriseBlacklistLifted(EventData):
    """Taken off the credit blacklist."""

    event_type = "enterprise.blacklist_lifted"
    reason: Text
    authority: Name
    decided_on: date


@REGISTRY.register
class EnterpriseInspected(EventData):
    """A department spot-checked the enterprise's self-inspection work (抽查检查)."""

    event_type = "enterprise.inspected"
    inspection_id: str
    department: Name
    inspected_on: date
    inspectors: list[Name] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list)  # keys of vocabulary.DEFICIENCIES
    note: str = Field(default="", max_length=2000)


@REGISTRY.register
class EnterpriseEnforcementRecorded(EventData):
    """An enforcement action against or for the enterprise (dispatch table section 三)."""

    event_type = "enterprise.enforcement_recorded"
    action_id: str
    kind: str  # a key of vocabulary.ENFORCEMENT_KINDS
    department: Name
    decided_on: date
    amount_wan: Decimal | None = Field(default=None, ge=0)
    persons: int | None = Field(default=None, ge=0)
    key_enterprise: bool = False
    dangerous_operation_crime: bool = False
    note: str = Field(default="", max_length=2000)
