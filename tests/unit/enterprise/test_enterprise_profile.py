"""The profile input model: every field rule, reported as field + reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hl_catalogue import RegionCatalogue
from hl_enterprise.domain.phone import is_phone_number
from hl_enterprise.domain.profile import EnterpriseProfile, parse_profile
from hl_enterprise.domain.validation import InvalidFields

HUAWEI = "914403001922038216"
ProfileData = Callable[..., dict[str, Any]]


def errors_of(data: dict[str, Any], regions: RegionCatalogue | None = None) -> dict[str, str]:
    with pytest.raises(InvalidFields) as caught:
        parse_profile(data, regions)
    return {error["field"]: error["reason"] for error in caught.value.errors}


def test_valid_profile_with_defaults(profile_data: ProfileData) -> None:
    profile = parse_profile(profile_data(high_risk=False))
    assert profile.uscc == HUAWEI
    assert profile.safety_director is None
    assert not profile.major_hazard_source
    assert profile.standardization_grade == "none"
    assert profile.supervising_department == ""


def test_text_is_trimmed_and_uscc_normalised(profile_data: ProfileData) -> None:
    profile = parse_profile(profile_data(uscc=" 9144030071526726xg ", name="  威海某公司 "))
    assert profile.uscc == "9144030071526726XG"
    assert profile.name == "威海某公司"


def test_profile_is_frozen(profile_data: ProfileData) -> None:
    profile = parse_profile(profile_data())
    with pytest.raises(ValueError):
        profile.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"uscc": "914403001922038217"}, "uscc", "check-character: "),
        ({"uscc": "91440300192203821"}, "uscc", "length: "),
        ({"name": ""}, "name", "at least 1 character"),
        ({"name": "名" * 201}, "name", "at most 200 characters"),
        ({"region_code": "999999"}, "region_code", "unknown region code 999999"),
        ({"industry": "mining"}, "industry", "unknown industry mining"),
        ({"standardization_grade": "level4"}, "standardization_grade", "must be one of level1, level2"),
        ({"principal": {"name": "张三", "phone": "12345"}}, "principal.phone", "not a Chinese mobile or landline"),
        ({"principal": {"phone": "13800138000"}}, "principal.name", "Field required"),
        ({"safety_director": {"name": "李四", "phone": "abc"}}, "safety_director.phone", "not a Chinese"),
        ({"address": "地" * 501}, "address", "at most 500 characters"),
        ({"high_risk": "maybe"}, "high_risk", "valid boolean"),
        ({"owner": "someone"}, "owner", "Extra inputs are not permitted"),
    ],
)
def test_each_field_rule(profile_data: ProfileData, overrides: dict[str, Any], field: str, reason: str) -> None:
    errors = errors_of(profile_data(**overrides))
    assert field in errors
    assert reason in errors[field]


def test_missing_required_fields_are_all_reported() -> None:
    errors = errors_of({})
    assert set(errors) == {"uscc", "name", "region_code", "industry", "principal"}


def test_several_errors_at_once_and_the_problem_shape(profile_data: ProfileData) -> None:
    with pytest.raises(InvalidFields) as caught:
        parse_profile(profile_data(uscc="x", industry="mining", region_code="1"))
    error = caught.value
    assert [e["field"] for e in error.errors] == ["uscc", "region_code", "industry"]
    assert (error.field, error.status) == ("uscc", 422)
    assert error.extensions["errors"] == error.errors
    assert "industry: unknown industry mining" in error.detail


def test_regions_come_from_the_catalogue_given(profile_data: ProfileData, tiny_regions: RegionCatalogue) -> None:
    assert parse_profile(profile_data(region_code="371002"), tiny_regions).region_code == "371002"
    assert "region_code" in errors_of(profile_data(region_code="371003"), tiny_regions)
    assert parse_profile(profile_data(region_code="371003")).region_code == "371003"  # the packaged one


def test_constructing_directly_checks_the_packaged_catalogue(profile_data: ProfileData) -> None:
    with pytest.raises(ValueError, match="unknown region code"):
        EnterpriseProfile.model_validate(profile_data(region_code="999999"))


def test_optional_phone_and_safety_director(profile_data: ProfileData) -> None:
    profile = parse_profile(
        profile_data(principal={"name": "张三"}, safety_director={"name": "李四", "phone": "0631-5812345"})
    )
    assert profile.principal.phone == ""
    assert profile.safety_director is not None
    assert profile.safety_director.phone == "0631-5812345"


@pytest.mark.parametrize(
    "phone",
    [
        "13800138000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "0631-5812345",
        "(0631)5812345",
        "（0631）58123456",
        "5812345",
        "0631-5812345转8001",
        "400-810-8888",
        "+86 631 5812345",
        "13800138000/0631-5812345",
        "13800138000、15906310000",
    ],
)
def test_phone_numbers_accepted(phone: str) -> None:
    assert is_phone_number(phone)


@pytest.mark.parametrize(
    "phone", ["", "abc", "123", "12345678901", "1380013800", "138001380000", "0631-58123", "23800138000", "/"]
)
def test_phone_numbers_refused(phone: str) -> None:
    assert not is_phone_number(phone)
