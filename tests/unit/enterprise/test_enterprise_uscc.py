"""统一社会信用代码 validation: real codes pass, and each broken rule is named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from hl_enterprise.domain.uscc import (
    ALPHABET,
    ORG_TYPES,
    InvalidUscc,
    UsccRule,
    organisation_check_character,
    validate_uscc,
)
from hl_platform.errors import InvalidInput

# Codes as the companies publish them (each also checked against python-stdnum below).
PUBLISHED = [
    "91110000600037341L",  # python-stdnum's own example
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 腾讯科技（深圳）有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "91110108558521630L",  # 小米通讯技术有限公司
    "91110000710926094P",  # 中国石油化工股份有限公司
    "91440300708461136T",  # 比亚迪股份有限公司
    "91440300MA5H0HLK5U",  # a post-2015 "MA" organisation code
]


def make(prefix: str, org_body: str, org_check: str | None = None) -> str:
    """A code with the given first 8 characters and organisation body, both checks computed."""
    first17 = prefix + org_body + (org_check or organisation_check_character(org_body))
    return first17 + stdnum_uscc.calc_check_digit(first17)


def rule_of(code: str) -> UsccRule:
    with pytest.raises(InvalidUscc) as caught:
        validate_uscc(code)
    assert caught.value.reason.startswith(f"{caught.value.rule}: ")
    return caught.value.rule


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_pass_and_agree_with_stdnum(code: str) -> None:
    assert stdnum_uscc.is_valid(code)
    assert validate_uscc(code) == code


def test_lower_case_spaces_and_hyphens_are_normalised() -> None:
    assert validate_uscc("9144030071526726xg") == "9144030071526726XG"
    assert validate_uscc(" 9144-0300-7152-6726-XG ") == "9144030071526726XG"


def test_bad_check_character() -> None:
    with pytest.raises(InvalidUscc) as caught:
        validate_uscc("914403001922038217")
    assert caught.value.rule is UsccRule.CHECK
    assert "should be 6" in caught.value.reason


@pytest.mark.parametrize("code", ["91440300192203821", "9144030019220382166", ""])
def test_wrong_length(code: str) -> None:
    assert rule_of(code) is UsccRule.LENGTH


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V", "?"])
def test_forbidden_characters(letter: str) -> None:
    assert rule_of("9144030019220382" + letter + "6") is UsccRule.CHARSET


def test_unknown_registration_authority() -> None:
    assert rule_of(make("B1440300", "19220382")) is UsccRule.AUTHORITY


@pytest.mark.parametrize("prefix", ["94440300", "Y2440300", "N4440300"])
def test_organisation_type_not_allowed_for_the_authority(prefix: str) -> None:
    assert rule_of(make(prefix, "19220382")) is UsccRule.ORG_TYPE


@pytest.mark.parametrize("division", ["990000", "4403A0", "000000"])
def test_administrative_division_shape(division: str) -> None:
    assert rule_of(make("91" + division, "19220382")) is UsccRule.DIVISION


def test_organisation_code_check_character() -> None:
    code = make("91440300", "19220382", org_check="2")  # the right one is 1
    assert stdnum_uscc.is_valid(code)  # stdnum does not look inside: the mod-31 check alone passes
    assert rule_of(code) is UsccRule.ORG_CODE


def test_letter_authorities_that_stdnum_refuses_are_valid() -> None:
    for prefix in ("N2371002", "Y1371002", "A1100000"):
        code = make(prefix, "MA3C5T8K")
        assert not stdnum_uscc.is_valid(code)
        assert validate_uscc(code) == code


def test_the_error_is_an_invalid_input_on_the_uscc_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_uscc("123")
    assert caught.value.field == "uscc"
    assert caught.value.status == 422
    assert caught.value.extensions["errors"] == [{"field": "uscc", "reason": caught.value.reason}]


codes = st.builds(
    make,
    st.sampled_from([a + t for a, types in ORG_TYPES.items() for t in types]).map(lambda at: at + "371002"),
    st.text(alphabet=ALPHABET, min_size=8, max_size=8),
)


@given(codes)
def test_any_well_formed_code_passes(code: str) -> None:
    assert validate_uscc(code.lower()) == code


@given(codes, st.sampled_from(ALPHABET))
def test_any_other_check_character_fails(code: str, replacement: str) -> None:
    if replacement != code[17]:
        assert rule_of(code[:17] + replacement) is UsccRule.CHECK
