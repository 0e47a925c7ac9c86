"""Schemas of the enterprise resource (生产经营单位), its spot inspections and enforcement actions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from hl_api.common import ActorPublic, Request
from hl_api.values import Bool, BusinessDate
from hl_contracts.fields import (
    ADDRESS_MAX,
    PHONE_MAX,
    DeficiencyCode,
    EnforcementKind,
    Industry,
    Name,
    RegionCode,
    StandardizationGrade,
    Text,
    Uscc,
)


class ContactIn(Request):
    name: Name
    phone: str = Field(default="", max_length=PHONE_MAX)


class ContactPublic(BaseModel):
    """A person to call, as registered."""

    name: str
    phone: str = ""


class EnterpriseCreate(Request):
    """Register an enterprise under supervision. `uscc` is the 18-character 统一社会信用代码."""

    uscc: Uscc
    name: Name
    region_code: RegionCode
    industry: Industry = Field(description="industry code, e.g. hazardous_chemicals")
    address: str = Field(default="", max_length=ADDRESS_MAX)
    principal: ContactIn
    safety_director: ContactIn | None = None
    high_risk: Bool = False
    major_hazard_source: Bool = False
    standardization_grade: StandardizationGrade = Field(default="none", description="level1, level2, level3 or none")
    supervising_department: str = Field(default="", max_length=200)


class EnterpriseUpdate(Request):
    """Change some profile fields; `uscc` cannot change."""

    name: Name | None = None
    region_code: RegionCode | None = None
    industry: Industry | None = None
    address: str | None = Field(default=None, max_length=ADDRESS_MAX)
    principal: ContactIn | None = None
    safety_director: ContactIn | None = None
    high_risk: Bool | None = None
    major_hazard_source: Bool | None = None
    standardization_grade: StandardizationGrade | None = None
    supervising_department: str | None = Field(default=None, max_length=200)


class EnterprisePublic(BaseModel):
    id: str
    version: int
    uscc: str
    name: str
    region_code: str
    industry: str
    address: str = ""
    principal: ContactPublic
    safety_director: ContactPublic | None = None
    high_risk: bool = False
    major_hazard_source: bool = False
    standardization_grade: str = "none"
    supervising_department: str = ""
    status: str = Field(description="active or closed")
    blacklisted: bool = False


class InspectionCreate(Request):
    """A spot inspection (抽查检查) of the enterprise's self-inspection work."""

    department: Name
    inspected_on: BusinessDate
    inspectors: list[Name] = Field(default_factory=list, max_length=50)
    findings: list[DeficiencyCode] = Field(
        default_factory=list, max_length=7, description="deficiency codes (dispatch table 二)"
    )
    note: str = Field(default="", max_length=2000)


class EnforcementActionCreate(Request):
    """An enforcement action (dispatch table 三). `amount_wan` in 万元; `persons` where a count of people applies."""

    kind: EnforcementKind = Field(description="the kind of action: a row of dispatch table 三")
    department: Name
    decided_on: BusinessDate
    amount_wan: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=4)
    persons: int | None = Field(default=None, ge=0, le=10_000)
    key_enterprise: Bool = False
    dangerous_operation_crime: Bool = False
    note: str = Field(default="", max_length=2000)


class RecordedAction(BaseModel):
    """The id of a recorded inspection or enforcement action, and the enterprise's new version."""

    id: str
    enterprise_id: str
    version: int


class EnterpriseClosure(Request):
    """The enterprise closed or was deregistered (关闭/注销): why, and on which day."""

    reason: Text
    closed_on: BusinessDate


class BlacklistDecision(Request):
    """A credit blacklist decision (黑名单), putting on or lifting: why, by whom, on which day."""

    reason: Text
    authority: Name
    decided_on: BusinessDate


class InspectionPublic(BaseModel):
    """A recorded spot inspection (抽查检查), as its event carries it, and who recorded it when."""

    id: str
    enterprise_id: str
    department: str
    inspected_on: date
    inspectors: list[str] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list, description="deficiency codes (dispatch table 二)")
    note: str = ""
    recorded_at: datetime
    recorded_by: ActorPublic


class EnforcementActionPublic(BaseModel):
    """A recorded enforcement action (执法, dispatch table section 三), and who recorded it when."""

    id: str
    enterprise_id: str
    kind: str = Field(description="the kind of action: a row of dispatch table 三")
    department: str
    decided_on: date
    amount_wan: Decimal | None = Field(default=None, description="万元: a penalty's amount")
    persons: int | None = Field(default=None, description="people: referred to the judiciary, or held accountable")
    key_enterprise: bool = Field(default=False, description="an assistance visit to a key enterprise (重点企业)")
    dangerous_operation_crime: bool = Field(default=False, description="a typical case of 危险作业罪")
    note: str = ""
    recorded_at: datetime
    recorded_by: ActorPublic
