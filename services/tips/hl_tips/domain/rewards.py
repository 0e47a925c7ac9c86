"""Reward rules (举报奖励): how much a verified tip earns, by the rule of its region.

The national rule (安全生产领域举报奖励办法, 2018) with local variants, as data: a region's entry
overrides only what it names and inherits the rest from the nearest enclosing region, up to the
national entry (region ""). The computation keeps every input and each step, so the amount can be
checked by hand:
- a major hazard or an illegal act: 15 % of the fines imposed, within 3,000–300,000 yuan;
- a general hazard: the local fixed amount (none nationally: a region must set it);
- a concealed accident: a sum per concealed death by the accident's grade, at most 300,000 yuan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hl_contracts.vocabulary import AccidentGrade, TipFinding
from hl_platform.errors import RuleViolation

CENT = Decimal("0.01")
YUAN_PER_WAN = Decimal(10_000)
FINE_KINDS = ("administrative_penalty", "dual_penalty")  # 行政处罚 (一案双罚 included)


class RulesError(ValueError):
    """A rule set that cannot be used (names the region and the field)."""


@dataclass(frozen=True)
class RewardRule:
    """The rule in force for one region, every field resolved."""

    name: str
    region: str  # the most specific region entry that contributed ("" national)
    fine_share: Decimal
    minimum_yuan: Decimal
    maximum_yuan: Decimal
    general_hazard_yuan: Decimal | None
    per_concealed_death_yuan: Mapping[AccidentGrade, Decimal]
    handling_days: int

    @property
    def label(self) -> str:
        return f"{self.name} ({self.region or '全国'})"


@dataclass(frozen=True)
class Outcome:
    """What the verification found, and the fines imposed because of it."""

    finding: TipFinding
    fines_wan: tuple[Decimal, ...] = ()
    accident_grade: AccidentGrade | None = None
    concealed_deaths: int | None = None


@dataclass(frozen=True)
class Computation:
    amount_yuan: Decimal
    basis: str
    rule: str
    inputs: dict[str, str] = field(default_factory=dict)
    explanation: str = ""


def _yuan(value: Decimal) -> str:
    return f"{value.quantize(CENT):,}"


def compute(rule: RewardRule, outcome: Outcome) -> Computation:
    """The reward for `outcome` under `rule`; `RuleViolation` when the rule sets none for it."""
    if outcome.finding in (TipFinding.MAJOR_HAZARD, TipFinding.ILLEGAL_ACT):
        return _fine_share(rule, outcome)
    if outcome.finding is TipFinding.GENERAL_HAZARD:
        return _general_hazard(rule)
    return _concealed_deaths(rule, outcome)


def _fine_share(rule: RewardRule, outcome: Outcome) -> Computation:
    fines = sum((fine * YUAN_PER_WAN for fine in outcome.fines_wan), Decimal(0))
    share = (fines * rule.fine_share).quantize(CENT, rounding=ROUND_HALF_UP)
    amount = min(max(share, rule.minimum_yuan), rule.maximum_yuan)
    bound = "" if amount == share else f" → {'raised to the minimum' if share < amount else 'capped at the maximum'}"
    explanation = (
        f"{rule.fine_share:%} × fines {_yuan(fines)} = {_yuan(share)} yuan; "
        f"within {_yuan(rule.minimum_yuan)}–{_yuan(rule.maximum_yuan)}{bound}: {_yuan(amount)} yuan"
    )
    inputs = {
        "finding": outcome.finding.value,
        "fines_yuan": str(fines.quantize(CENT)),
        "fines_count": str(len(outcome.fines_wan)),
        "fine_share": str(rule.fine_share),
        "minimum_yuan": str(rule.minimum_yuan),
        "maximum_yuan": str(rule.maximum_yuan),
    }
    return Computation(amount.quantize(CENT), "fine_share", rule.label, inputs, explanation)


def _general_hazard(rule: RewardRule) -> Computation:
    if rule.general_hazard_yuan is None:
        raise RuleViolation(
            "no-general-hazard-amount",
            f"the rule {rule.label} sets no amount for a general hazard; the region must set general_hazard_yuan",
            {"rule": rule.label},
        )
    amount = rule.general_hazard_yuan.quantize(CENT)
    inputs = {"finding": TipFinding.GENERAL_HAZARD.value, "general_hazard_yuan": str(amount)}
    explanation = f"a general hazard earns the fixed local amount: {_yuan(amount)} yuan"
    return Computation(amount, "fixed_general_hazard", rule.label, inputs, explanation)


def _concealed_deaths(rule: RewardRule, outcome: Outcome) -> Computation:
    grade, deaths = outcome.accident_grade, outcome.concealed_deaths
    if grade is None or not deaths:
        raise RuleViolation(
            "accident-details-needed",
            "a concealed accident's reward needs its grade and the number of concealed deaths",
            {"accident_grade": grade, "concealed_deaths": deaths},
        )
    each = rule.per_concealed_death_yuan[grade]
    total = each * deaths
    amount = min(total, rule.maximum_yuan).quantize(CENT)
    capped = " → capped at the maximum" if amount < total else ""
    explanation = f"{deaths} × {_yuan(each)} ({grade.value}) = {_yuan(total)} yuan{capped}: {_yuan(amount)} yuan"
    inputs = {
        "finding": TipFinding.CONCEALED_ACCIDENT.value,
        "accident_grade": grade.value,
        "concealed_deaths": str(deaths),
        "per_death_yuan": str(each),
        "maximum_yuan": str(rule.maximum_yuan),
    }
    return Computation(amount, "concealed_deaths", rule.label, inputs, explanation)


_FIELDS = {f.name for f in fields(RewardRule)} - {"region"}


class RewardRules:
    """Every region's entry; `rule_for` resolves a region's rule through its ancestors."""

    def __init__(self, entries: Iterable[Mapping[str, Any]]) -> None:
        self._entries = {str(entry.get("region", "")): dict(entry) for entry in entries}
        if "" not in self._entries:
            raise RulesError('the rules need a national entry (region: "")')
        for region, entry in self._entries.items():
            unknown = set(entry) - _FIELDS - {"region"}
            if unknown:
                raise RulesError(f"region {region!r}: unknown fields {sorted(unknown)}")
        self._national = _resolve(_first(self._entries[""]), "")
        for region in self._entries:
            self.rule_for(region)  # every entry must resolve: a bad file fails at start, not on a claim

    def rule_for(self, region_code: str) -> RewardRule:
        rule = self._national
        for region in sorted(self._entries, key=len):
            if region and region_code.startswith(region):
                rule = _override(rule, region, self._entries[region])
        return rule

    @property
    def regions(self) -> list[str]:
        return sorted(self._entries)


def _first(entry: Mapping[str, Any]) -> dict[str, Any]:
    missing = {"name", "fine_share", "minimum_yuan", "maximum_yuan", "per_concealed_death_yuan", "handling_days"}
    missing -= set(entry)
    if missing:
        raise RulesError(f"the national entry lacks {sorted(missing)}")
    return {"general_hazard_yuan": None, **entry}


def _resolve(entry: Mapping[str, Any], region: str) -> RewardRule:
    try:
        deaths = {AccidentGrade(grade): _money(value) for grade, value in entry["per_concealed_death_yuan"].items()}
        rule = RewardRule(
            name=str(entry["name"]),
            region=region,
            fine_share=Decimal(str(entry["fine_share"])),
            minimum_yuan=_money(entry["minimum_yuan"]),
            maximum_yuan=_money(entry["maximum_yuan"]),
            general_hazard_yuan=None if entry["general_hazard_yuan"] is None else _money(entry["general_hazard_yuan"]),
            per_concealed_death_yuan=deaths,
            handling_days=int(entry["handling_days"]),
        )
    except (ArithmeticError, KeyError, TypeError, ValueError) as exc:
        raise RulesError(f"region {region!r}: {exc!r}") from exc
    _check(rule)
    return rule


def _override(rule: RewardRule, region: str, entry: Mapping[str, Any]) -> RewardRule:
    values: dict[str, Any] = {
        "name": rule.name,
        "fine_share": rule.fine_share,
        "minimum_yuan": rule.minimum_yuan,
        "maximum_yuan": rule.maximum_yuan,
        "general_hazard_yuan": rule.general_hazard_yuan,
        "per_concealed_death_yuan": {g.value: v for g, v in rule.per_concealed_death_yuan.items()},
        "handling_days": rule.handling_days,
    }
    overrides = {key: value for key, value in entry.items() if key != "region"}
    if "per_concealed_death_yuan" in overrides:
        overrides["per_concealed_death_yuan"] = {
            **values["per_concealed_death_yuan"],
            **overrides["per_concealed_death_yuan"],
        }
    return _resolve({**values, **overrides}, region)


def _money(value: Any) -> Decimal:
    amount = Decimal(str(value))
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{value!r} is not an amount of yuan")
    return amount


def _check(rule: RewardRule) -> None:
    if not Decimal(0) < rule.fine_share <= 1:
        raise RulesError(f"region {rule.region!r}: fine_share must be within (0, 1]")
    if rule.minimum_yuan > rule.maximum_yuan:
        raise RulesError(f"region {rule.region!r}: minimum_yuan is above maximum_yuan")
    if set(rule.per_concealed_death_yuan) != set(AccidentGrade):
        raise RulesError(f"region {rule.region!r}: per_concealed_death_yuan needs every accident grade")
    if rule.handling_days < 1:
        raise RulesError(f"region {rule.region!r}: handling_days must be at least 1")
