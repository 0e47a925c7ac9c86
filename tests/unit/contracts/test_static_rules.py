"""Static rules in the schema say what the domain enforces: read from the request schemas' JSON
Schema (what `/openapi.json` shows), a pattern never refuses a value the domain accepts, and an
enum lists exactly the values the domain knows, each accepted by it, anything else refused by both.
(For the hazard and the other writes, `test_field_lists.py` checks that each request schema states
every rule of the event the domain validates through.)"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel
from stdnum.cn import uscc as stdnum_uscc

from hl_api.enterprises import EnforcementActionCreate, EnterpriseCreate, InspectionCreate
from hl_api.tips import TipCreate
from hl_catalogue import RegionCatalogue
from hl_contracts.vocabulary import DEFICIENCIES, ENFORCEMENT_KINDS, INDUSTRIES, STANDARDIZATION_GRADES
from hl_enterprise.domain.enforcement import check_enforcement
from hl_enterprise.domain.model import Enterprise
from hl_enterprise.domain.profile import parse_profile
from hl_enterprise.domain.uscc import ALPHABET, ORG_TYPES, organisation_check_character
from hl_platform.errors import InvalidInput
from tests.unit.contracts.samples import ACTOR, NOW, PROFILE


def documented(model: type[BaseModel], name: str) -> Callable[[Any], bool]:
    """Whether a value keeps the field's rules as the model's JSON Schema documents them."""
    schema = model.model_json_schema()
    validator = Draft202012Validator({**schema["properties"][name], "$defs": schema.get("$defs", {})})
    return validator.is_valid


def accepted(check: Callable[[], object]) -> bool:
    try:
        check()
    except InvalidInput:
        return False
    return True


def _uscc(rng: random.Random) -> str:
    """A valid code of any authority and organisation type, its organisation code of any characters."""
    authority = rng.choice(sorted(ORG_TYPES))
    body = "".join(rng.choice(ALPHABET) for _ in range(8))
    partial = f"{authority}{rng.choice(ORG_TYPES[authority])}{rng.choice(['371002', '440300', '110105'])}"
    partial += body + organisation_check_character(body)
    return partial + stdnum_uscc.calc_check_digit(partial)


def test_the_documented_uscc_pattern_never_refuses_a_code_the_domain_accepts() -> None:
    schema_ok = documented(EnterpriseCreate, "uscc")
    rng = random.Random(14)
    codes = [_uscc(rng) for _ in range(40)]
    domain_ok = {code: accepted(lambda code=code: parse_profile({**PROFILE, "uscc": code})) for code in codes}
    assert all(domain_ok.values())  # the generator is right
    candidates = ALPHABET + ALPHABET.lower() + "IOZSVioszv-_ 中Ａ"
    refused_by_schema = 0
    for code in codes[:8]:
        for position in range(18):
            for char in candidates:
                mutated = code[:position] + char + code[position + 1 :]
                if not schema_ok(mutated):
                    refused_by_schema += 1
                    assert not accepted(lambda m=mutated: parse_profile({**PROFILE, "uscc": m})), mutated
    assert refused_by_schema > 100  # the pattern refuses, and only what the domain refuses too
    assert all(schema_ok(code) and schema_ok(code.lower()) for code in codes)  # either case, as the domain


@pytest.mark.parametrize("model", [EnterpriseCreate, TipCreate])
def test_every_catalogued_region_keeps_the_documented_region_code(model: type[BaseModel]) -> None:
    schema_ok = documented(model, "region_code")
    codes = [region.code for region in RegionCatalogue.load_default()]
    assert len(codes) > 200 and all(schema_ok(code) for code in codes)
    assert not schema_ok("37A002") and not schema_ok("３７１００２")  # digits only (no full-width ones)
    bad = accepted(lambda: parse_profile({**PROFILE, "region_code": "37A002"}))
    assert not bad


def test_a_tip_may_leave_its_region_out() -> None:
    assert documented(TipCreate, "region_code")("")


def _enterprise() -> Enterprise:
    enterprise = Enterprise.register("ent-1", parse_profile(PROFILE), ACTOR, NOW)
    enterprise.changes.clear()
    return enterprise


def _kind_accepted(kind: str) -> bool:
    """Whether the domain knows the kind (its figures are checked apart: give each kind its own)."""
    figures = {"amount_wan": Decimal(1)} if "penalty" in kind else {"persons": 1}
    try:
        check_enforcement(kind, figures)
    except InvalidInput as refused:
        return refused.field != "kind"
    return True


def _finding_accepted(code: str) -> bool:
    record = _enterprise().record_inspection
    return accepted(
        lambda: record(department="威海市应急管理局", inspected_on=NOW.date(), actor=ACTOR, now=NOW, findings=[code])
    )


VOCABULARIES = {
    "industry": (
        EnterpriseCreate,
        "industry",
        INDUSTRIES,
        lambda v: accepted(lambda: parse_profile({**PROFILE, "industry": v})),
    ),
    "grade": (
        EnterpriseCreate,
        "standardization_grade",
        STANDARDIZATION_GRADES,
        lambda v: accepted(lambda: parse_profile({**PROFILE, "standardization_grade": v})),
    ),
    "enforcement kind": (EnforcementActionCreate, "kind", ENFORCEMENT_KINDS, _kind_accepted),
    "deficiency code": (InspectionCreate, "findings", DEFICIENCIES, _finding_accepted),
}


@pytest.mark.parametrize("vocabulary", VOCABULARIES)
def test_a_documented_enum_is_the_vocabulary_the_domain_knows(vocabulary: str) -> None:
    model, name, values, domain_ok = VOCABULARIES[vocabulary]
    schema = model.model_json_schema()["properties"][name]
    enum = schema.get("items", schema)["enum"]
    assert enum == list(values)
    assert all(domain_ok(value) for value in enum)
    assert not domain_ok("no_such_value")
    schema_ok = documented(model, name)
    value = ["no_such_value"] if name == "findings" else "no_such_value"
    assert not schema_ok(value)
