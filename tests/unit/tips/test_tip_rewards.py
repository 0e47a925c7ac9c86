"""Reward rules (DOMAIN.md "Tip-offs"): amounts by rule, per region as data, with their inputs shown."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hl_contracts.vocabulary import AccidentGrade, TipFinding
from hl_platform.errors import RuleViolation
from hl_tips.adapters.rules_file import load_rules
from hl_tips.domain.rewards import Outcome, RewardRules, RulesError, compute
from tests.unit.tips.fakes import NATIONAL

RULES = RewardRules([NATIONAL, {"region": "3710", "general_hazard_yuan": 500, "handling_days": 30}])


def _amount(outcome: Outcome, region: str = "371002") -> Decimal:
    return compute(RULES.rule_for(region), outcome).amount_yuan


@pytest.mark.parametrize(
    ("fines_wan", "expected"),
    [
        (("20",), "30000.00"),  # 15 % of 200,000
        (("1",), "3000.00"),  # 1,500 is raised to the minimum
        ((), "3000.00"),  # verified without a fine: the minimum
        (("300",), "300000.00"),  # 450,000 is capped at the maximum
        (("2", "0.5"), "3750.00"),  # fines add up: 15 % of 25,000
    ],
)
def test_a_major_hazard_or_illegal_act_earns_fifteen_percent_of_the_fines_within_bounds(
    fines_wan: tuple[str, ...], expected: str
) -> None:
    fines = tuple(Decimal(fine) for fine in fines_wan)
    for finding in (TipFinding.MAJOR_HAZARD, TipFinding.ILLEGAL_ACT):
        assert _amount(Outcome(finding, fines)) == Decimal(expected)


def test_the_computation_shows_its_inputs_and_each_step() -> None:
    result = compute(RULES.rule_for("371002"), Outcome(TipFinding.MAJOR_HAZARD, (Decimal("300"),)))
    assert result.basis == "fine_share" and result.rule == "全国 (3710)"
    assert result.inputs["fines_yuan"] == "3000000.00" and result.inputs["maximum_yuan"] == "300000"
    assert result.explanation == (
        "15% × fines 3,000,000.00 = 450,000.00 yuan; within 3,000.00–300,000.00 → capped at the maximum: "
        "300,000.00 yuan"
    )


def test_a_general_hazard_earns_the_local_amount_and_nothing_where_none_is_set() -> None:
    assert _amount(Outcome(TipFinding.GENERAL_HAZARD), "371002") == Decimal("500.00")  # inherited from 3710
    with pytest.raises(RuleViolation) as refused:
        _amount(Outcome(TipFinding.GENERAL_HAZARD), "370102")  # 济南: the national rule sets none
    assert refused.value.rule == "no-general-hazard-amount"


def test_a_concealed_accident_earns_per_concealed_death_by_grade_at_most_the_maximum() -> None:
    two_larger = Outcome(TipFinding.CONCEALED_ACCIDENT, accident_grade=AccidentGrade.LARGER, concealed_deaths=2)
    assert _amount(two_larger) == Decimal("80000.00")
    six = Outcome(TipFinding.CONCEALED_ACCIDENT, accident_grade=AccidentGrade.PARTICULARLY_SERIOUS, concealed_deaths=6)
    assert _amount(six) == Decimal("300000.00")
    with pytest.raises(RuleViolation):
        _amount(Outcome(TipFinding.CONCEALED_ACCIDENT))


def test_a_region_overrides_only_what_it_names() -> None:
    county, city, other = RULES.rule_for("371002"), RULES.rule_for("3710"), RULES.rule_for("3701")
    assert county.handling_days == city.handling_days == 30 and other.handling_days == 60
    assert county.fine_share == other.fine_share == Decimal("0.15")
    assert county.region == "3710" and other.region == ""


@pytest.mark.parametrize(
    "entries",
    [
        [{**NATIONAL, "region": "37"}],  # no national entry
        [NATIONAL, {"region": "37", "bonus": 1}],  # an unknown field
        [{**NATIONAL, "minimum_yuan": 400000}],  # minimum above maximum
        [{**NATIONAL, "per_concealed_death_yuan": {"general": 1}}],  # a grade missing
        [NATIONAL, {"region": "3710", "fine_share": "1.5"}],  # a share above one
        [NATIONAL, {"region": "3710", "general_hazard_yuan": "-5"}],  # a negative amount
    ],
)
def test_a_rule_set_that_breaks_a_rule_is_refused_at_start(entries: list[dict[str, object]]) -> None:
    with pytest.raises(RulesError):
        RewardRules(entries)


def test_the_bundled_rules_are_the_national_rule_and_a_file_replaces_them(tmp_path: Path) -> None:
    bundled = load_rules().rule_for("371002")
    assert bundled.fine_share == Decimal("0.15") and bundled.maximum_yuan == Decimal(300000)
    assert bundled.general_hazard_yuan is None and bundled.per_concealed_death_yuan[AccidentGrade.MAJOR] == 50000
    own = tmp_path / "rules.yaml"
    own.write_text(
        "rules:\n"
        "  - {region: '', name: 本省, fine_share: '0.2', minimum_yuan: 1000, maximum_yuan: 500000,\n"
        "     per_concealed_death_yuan: {general: 1, larger: 2, major: 3, particularly_serious: 4},\n"
        "     handling_days: 15}\n"
        "  - {region: '3710', general_hazard_yuan: 300}\n",
        encoding="utf-8",
    )
    rule = load_rules(own).rule_for("371002")
    assert rule.fine_share == Decimal("0.2") and rule.general_hazard_yuan == Decimal(300) and rule.handling_days == 15
    own.write_text("rules: [1, 2", encoding="utf-8")
    with pytest.raises(RulesError):
        load_rules(own)
