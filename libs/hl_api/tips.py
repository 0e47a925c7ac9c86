"""Schemas of the tip resource (有奖举报): the public intake and tracking, and the officers' side.

The public schemas never echo an identity back; the officers' `TipPublic` never holds one either:
only `IdentityPublic`, answered to the tip's handler alone, does.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from hl_api.common import Request
from hl_contracts.fields import CLAUSE_MAX, DESCRIPTION_MAX, OPTIONAL_REGION_PATTERN, Name, Text
from hl_contracts.vocabulary import (
    MAX_CO_SIGNATORIES,
    AccidentGrade,
    HazardLevel,
    IdentityPurpose,
    ProductionHalt,
    RewardStatus,
    TipCategory,
    TipFinding,
    TipStatus,
)

SECRET_HEADER = "Tip-Secret"
TRACKING_PATTERN = r"^[A-Za-z0-9-]{4,40}$"


class SignatoryIn(Request):
    """One person who signs a named tip."""

    name: Name
    phone: str = Field(default="", max_length=40)
    id_number: str = Field(default="", max_length=40, description="身份证号, if the tipster gives it")
    email: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500, description="the tipster's own contact address")
    relationship: Literal["public", "employee"] = Field(default="public", description="employee: 吹哨人")


class IdentityIn(SignatoryIn):
    """Who files a named tip: its first signatory, and for a joint report (联名举报) the others who
    sign it. Sealed (encrypted) on arrival; only the tip's handler can read it. A joint report's
    reward is paid to its first signatory alone."""

    co_signatories: list[SignatoryIn] = Field(
        default_factory=list,
        max_length=MAX_CO_SIGNATORIES,
        description="a joint report's other signatories, in order (sealed with the first; not rewarded)",
    )


class TipCreate(Request):
    """File a tip (举报) without an account. Omit `identity` to stay anonymous (匿名举报)."""

    category: TipCategory = Field(
        description="hazard 事故隐患, illegal_act 非法违法行为, concealed_accident 瞒报谎报事故"
    )
    description: str = Field(min_length=1, max_length=DESCRIPTION_MAX, description="what you saw, in your own words")
    occurred_on: date = Field(description="when (YYYY-MM-DD), not in the future")
    region_code: str = Field(
        default="",
        max_length=12,
        pattern=OPTIONAL_REGION_PATTERN,
        description="where: a region code; optional with a known uscc",
    )
    enterprise_name: str = Field(default="", max_length=200, description="the enterprise, by name, if known")
    uscc: str = Field(default="", max_length=18, description="its 统一社会信用代码, if known")
    address: str = Field(default="", max_length=500, description="where, as an address")
    identity: IdentityIn | None = None


class TipReceipt(BaseModel):
    """The answer to a filed tip. The secret is shown once: keep it with the number."""

    tracking_number: str = Field(description="举报编号")
    secret: str = Field(description=f"查询密码: send it as the {SECRET_HEADER} header to follow the tip")
    status: TipStatus
    filed_at: datetime
    deadline: date = Field(description="the tip is handled by the end of this day (Asia/Shanghai)")
    anonymous: bool


class RewardPublic(BaseModel):
    status: RewardStatus
    amount_yuan: Decimal


class TipStatusPublic(BaseModel):
    """What the tipster sees of their tip: its progress and its reward, nothing of the officers."""

    tracking_number: str
    status: TipStatus
    category: TipCategory
    filed_at: datetime
    deadline: date
    anonymous: bool
    photos: int
    outcome: str = Field(default="", description="the finding or the reason a tip was not verified")
    reward: RewardPublic | None = Field(default=None, description="once the reward is approved")
    claimable: bool = Field(description="an approved reward not yet claimed")
    identity_erased: bool


class PhotoPublic(BaseModel):
    photo_id: str
    sha256: str
    size_bytes: int
    content_type: str


class VerificationPublic(BaseModel):
    finding: TipFinding
    enterprise_id: str | None
    enterprise_name: str
    decided_at: datetime
    note: str = ""
    accident_grade: AccidentGrade | None = None
    concealed_deaths: int | None = None


class EnforcementPublic(BaseModel):
    action_id: str
    kind: str
    amount_wan: Decimal | None
    decided_on: date


class RewardDetail(BaseModel):
    status: RewardStatus
    amount_yuan: Decimal
    rule: str
    basis: str
    inputs: dict[str, str]
    explanation: str
    approved_by: str | None = None
    approved_at: datetime | None = None
    claimed_at: datetime | None = None
    paid_at: datetime | None = None
    method: str | None = None


class TipPublic(BaseModel):
    """A tip as its officers see it: the facts and their handling, never the tipster."""

    id: str
    version: int = Field(description="send as If-Match to guard a write against concurrent changes")
    tracking_number: str
    region_code: str
    industry: str
    category: TipCategory
    description: str
    enterprise_id: str | None
    enterprise_name: str
    uscc: str
    address: str
    occurred_on: date
    anonymous: bool
    status: TipStatus
    filed_at: datetime
    deadline: date
    overdue: bool
    duplicate_of: str | None = Field(default=None, description="the original tip's id")
    handler: str | None = Field(default=None, description="the inspector handling it")
    identity_sealed: bool = Field(description="an identity is held and can be read by the handler")
    identity_erased: bool
    identity_views: int
    photos: list[PhotoPublic]
    verification: VerificationPublic | None = None
    hazard_id: str | None = None
    enforcement: list[EnforcementPublic] = Field(default_factory=list)
    closed_reason: str | None = None
    reward: RewardDetail | None = None


class IdentityViewCreate(Request):
    """Why you open the tipster's identity; the audit records the purpose and you, never the identity."""

    purpose: IdentityPurpose


class SignatoryPublic(BaseModel):
    """One signatory of a tip, for the tip's handler only."""

    name: str
    phone: str
    id_number: str
    email: str
    address: str
    relationship: str


class IdentityPublic(SignatoryPublic):
    """The tipster — the first signatory, to whom a reward is paid — for the tip's handler only, with
    a joint report's other signatories. Do not copy any of it into notes: those are published."""

    tip_id: str
    co_signatories: list[SignatoryPublic] = Field(
        default_factory=list, description="a joint report's other signatories (联名举报), in order; not rewarded"
    )


class HazardDetails(Request):
    """The hazard to record for a verified hazard finding (source public_report, the tip's enterprise)."""

    title: Name
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    found_at: AwareDatetime | None = Field(default=None, description="default: the verification's decided_at")
    found_by: Name
    deadline: date | None = None
    production_halt: ProductionHalt | None = Field(default=None, description="required for a major hazard")
    standard_clause: str | None = Field(default=None, max_length=CLAUSE_MAX)


class TipVerification(Request):
    """The tip is true (查实), and what it turned out to be; a concealed accident with its details."""

    finding: TipFinding
    decided_at: AwareDatetime
    enterprise_id: str | None = Field(default=None, max_length=64, description="default: the enterprise the tip named")
    note: str = Field(default="", max_length=2000, description="published to the bureaus: never name the tipster")
    accident_grade: AccidentGrade | None = None
    concealed_deaths: int | None = Field(default=None, ge=1, le=1000)


class VerificationCreate(TipVerification):
    """The tip is true (查实). A hazard finding records the hazard too (source public_report)."""

    hazard: HazardDetails | None = Field(default=None, description="required for major_hazard and general_hazard")


class HazardLink(Request):
    """Internal: the hazard the gateway recorded for a verified tip."""

    hazard_id: str = Field(min_length=1, max_length=64)
    level: HazardLevel


class EnforcementLink(Request):
    """Internal: the enforcement action the gateway recorded for a tip."""

    action_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(max_length=40)
    decided_on: date
    amount_wan: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=4)


class ClosureCreate(Request):
    """Close the tip as not verified (不予查实); the reason is shown to the tipster."""

    reason: Text
    decided_at: AwareDatetime


class DuplicateLinkCreate(Request):
    """Mark the tip as repeating an earlier one: only the first reporter of a fact is rewarded."""

    original_id: str = Field(min_length=1, max_length=64)
    reason: Text


class Empty(Request):
    """No fields."""


class RewardApprovalCreate(Request):
    approved_by: Name
    approved_at: AwareDatetime


class RewardPaymentCreate(Request):
    paid_at: AwareDatetime
    method: Literal["bank_transfer", "cash", "other"]
    reference: str = Field(default="", max_length=200, description="a voucher or transfer number, never a person")


class RewardRulePublic(BaseModel):
    """The reward rule in force for a region (data, per region, overriding the national rule)."""

    region_code: str
    rule: str
    fine_share: Decimal
    minimum_yuan: Decimal
    maximum_yuan: Decimal
    general_hazard_yuan: Decimal | None
    per_concealed_death_yuan: dict[str, Decimal]
    handling_days: int
