"""The enterprise profile as it enters the service: one validated shape for the API and bulk import.

Region codes are checked against a `RegionCatalogue`: the packaged one unless the validation
context names another (`context={"regions": catalogue}`), which is how tests pass a small one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from hl_catalogue import RegionCatalogue, is_industry
from hl_contracts.enterprise import Person, Profile
from hl_contracts.text import reject_nul
from hl_contracts.vocabulary import STANDARDIZATION_GRADES
from hl_enterprise.domain.phone import is_phone_number
from hl_enterprise.domain.uscc import InvalidUscc, validate_uscc
from hl_enterprise.domain.validation import build

REGIONS_CONTEXT = "regions"


class _Input(BaseModel):
    """Input as people type it: surrounding spaces dropped, no NUL character anywhere."""

    model_config = ConfigDict(str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return reject_nul(value)


class Contact(_Input, Person):
    """A person to call: the principal (主要负责人) or the safety director."""

    @field_validator("phone")
    @classmethod
    def _looks_like_a_phone(cls, phone: str) -> str:
        if phone and not is_phone_number(phone):
            raise PydanticCustomError("phone", "not a Chinese mobile or landline number: {phone}", {"phone": phone})
        return phone


class EnterpriseProfile(_Input, Profile):
    """What is known about an enterprise under supervision, validated: the fields of
    `enterprise.registered` (`hl_contracts.enterprise.Profile`), each checked."""

    # The contract's fields, but for these: any spelling of the code comes in (the check normalises
    # spaces, hyphens and case to its 18 characters), and contacts are checked as phone numbers.
    uscc: str
    principal: Contact
    safety_director: Contact | None = None

    @field_validator("uscc")
    @classmethod
    def _valid_uscc(cls, uscc: str) -> str:
        try:
            return validate_uscc(uscc)
        except InvalidUscc as exc:
            raise PydanticCustomError(exc.rule.value, exc.reason) from None

    @field_validator("region_code")
    @classmethod
    def _known_region(cls, code: str, info: ValidationInfo) -> str:
        if not _regions(info).exists(code):
            raise PydanticCustomError("region", "unknown region code {code}", {"code": code})
        return code

    @field_validator("industry")
    @classmethod
    def _known_industry(cls, industry: str) -> str:
        if not is_industry(industry):
            raise PydanticCustomError("industry", "unknown industry {industry}", {"industry": industry})
        return industry

    @field_validator("standardization_grade")
    @classmethod
    def _known_grade(cls, grade: str) -> str:
        if grade not in STANDARDIZATION_GRADES:
            allowed = ", ".join(STANDARDIZATION_GRADES)
            raise PydanticCustomError("grade", "must be one of {allowed}", {"allowed": allowed})
        return grade


def parse_profile(data: Mapping[str, Any], regions: RegionCatalogue | None = None) -> EnterpriseProfile:
    """Validate raw input into a profile, or raise `InvalidFields` listing every broken field."""
    return build(EnterpriseProfile, dict(data), context=profile_context(regions))


def profile_context(regions: RegionCatalogue | None) -> dict[str, Any]:
    """The pydantic validation context that makes a profile check against `regions`."""
    return {REGIONS_CONTEXT: regions} if regions is not None else {}


def _regions(info: ValidationInfo) -> RegionCatalogue:
    context = info.context if isinstance(info.context, dict) else {}
    regions = context.get(REGIONS_CONTEXT)
    return regions if isinstance(regions, RegionCatalogue) else RegionCatalogue.load_default()
