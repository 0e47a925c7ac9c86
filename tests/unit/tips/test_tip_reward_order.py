"""The reward's order, enforced by the `Tip` itself (DOMAIN.md "Tip-offs"): computed (again while
not approved) → approved → claimed → paid; a named tipster may be paid unclaimed, an anonymous one
or one whose identity was erased only against the claim; paid is final. Every step out of order is
refused with a `RuleViolation` (409) carrying the tip's current state, and records nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from hl_contracts import Actor
from hl_contracts.vocabulary import TipCategory, TipFinding
from hl_platform.errors import RuleViolation
from hl_tips.domain import commands
from hl_tips.domain.identity import Identity
from hl_tips.domain.model import EnterpriseFacts, Place, Redaction, Tip
from hl_tips.domain.policies import Principal
from hl_tips.domain.rewards import RewardRules
from tests.unit.tips.fakes import NATIONAL, NOW

RULES = RewardRules([NATIONAL, {"region": "3710", "general_hazard_yuan": 500}])
INSPECTOR = Principal(actor=Actor(id="u-insp", name="王检查", role="inspector"), region_code="3710")
SUPERVISOR = Principal(actor=Actor(id="u-sup", name="市安委办", role="supervisor"), region_code="3710")
TIPSTER = Principal.tipster()
LATER = NOW + timedelta(hours=1)

Step = Callable[[Tip], None]


def compute(tip: Tip) -> None:
    tip.compute_reward(RULES.rule_for(tip.region_code), INSPECTOR, LATER)


def approve(tip: Tip) -> None:
    tip.approve_reward(commands.ApproveReward(approved_by="局长", approved_at=LATER), SUPERVISOR, LATER)


def claim(tip: Tip) -> None:
    tip.claim_reward(TIPSTER, LATER)


def pay(tip: Tip) -> None:
    tip.pay_reward(commands.PayReward(paid_at=LATER, method="bank_transfer"), INSPECTOR, LATER)


def erase(tip: Tip) -> None:
    tip.erase_identity(commands.EraseIdentity(requested_by="tipster"), TIPSTER, LATER)


STEPS: dict[str, Step] = {"compute": compute, "approve": approve, "claim": claim, "pay": pay}


def verified_tip(*, named: bool = False, finding: TipFinding = TipFinding.GENERAL_HAZARD) -> Tip:
    filing = commands.FileTip(
        category=TipCategory.HAZARD,
        description="液氨储罐区报警器长期关闭",
        occurred_on=NOW.date() - timedelta(days=1),
        region_code="371002",
        identity=Identity(name="刘举报", phone="13912345678") if named else None,
    )
    place = Place(region_code="371002", industry="metallurgy_industry_trade")
    tip = Tip.file("tip-1", filing, place, "JB20260520-ABCDEF", RULES.rule_for("371002"), NOW)
    verify = commands.Verify(finding=finding, decided_at=LATER, enterprise_id="ent-1")
    tip.verify(verify, EnterpriseFacts("ent-1", "威海某冷库"), Redaction(), INSPECTOR, LATER)
    return tip


def run(tip: Tip, *names: str) -> Tip:
    for name in names:
        STEPS[name](tip)
    return tip


# (steps already taken, named?) → the steps that may come next; every other one is refused.
LEGAL: list[tuple[tuple[str, ...], bool, set[str]]] = [
    ((), False, {"compute"}),
    (("compute",), False, {"compute", "approve"}),
    (("compute", "approve"), False, {"claim"}),  # anonymous: paid only against the claim
    (("compute", "approve"), True, {"claim", "pay"}),  # named: paid with or without a claim
    (("compute", "approve", "claim"), False, {"pay"}),
    (("compute", "approve", "claim"), True, {"pay"}),
    (("compute", "approve", "pay"), True, set()),  # paid is final
    (("compute", "approve", "claim", "pay"), False, set()),
]


@pytest.mark.parametrize(("done", "named", "allowed"), LEGAL)
@pytest.mark.parametrize("step", list(STEPS))
def test_each_reward_step_is_taken_only_in_its_order(
    done: tuple[str, ...], named: bool, allowed: set[str], step: str
) -> None:
    tip = run(verified_tip(named=named), *done)
    tip.changes.clear()
    before = (tip.version, tip.reward_status, tip.current_state())
    if step in allowed:
        STEPS[step](tip)
        assert len(tip.changes) == 1
        return
    with pytest.raises(RuleViolation) as refused:
        STEPS[step](tip)
    assert refused.value.status == 409
    assert refused.value.current_state == before[2], "the refusal says where the tip stands"
    assert (tip.version, tip.reward_status, tip.changes) == (before[0], before[1], []), "nothing recorded"


def test_the_reward_status_follows_the_steps_and_the_amount_is_the_approved_one() -> None:
    tip = verified_tip()
    seen = []
    for name in ("compute", "approve", "claim", "pay"):
        STEPS[name](tip)
        seen.append(tip.reward_status.value if tip.reward_status else None)
    assert seen == ["computed", "approved", "claimed", "paid"]
    assert tip.payment is not None and tip.approval is not None and tip.payment.amount_yuan == 500


def test_a_reward_is_computed_only_for_a_verified_tip_and_refused_with_its_state() -> None:
    filing = commands.FileTip(
        category=TipCategory.HAZARD, description="消防通道堵塞", occurred_on=NOW.date(), region_code="371002"
    )
    place = Place(region_code="371002", industry="other")
    tip = Tip.file("tip-2", filing, place, "JB20260520-GHJKLM", RULES.rule_for("371002"), NOW)
    with pytest.raises(RuleViolation) as refused:
        compute(tip)
    assert refused.value.rule == "not-verified"
    assert refused.value.current_state == {"status": "filed", "reward": None, "version": 1}


def test_a_rule_that_sets_no_amount_is_refused_with_the_tips_state_and_the_rules_inputs() -> None:
    tip = verified_tip()
    national_only = RewardRules([NATIONAL]).rule_for(tip.region_code)  # no general-hazard amount
    with pytest.raises(RuleViolation) as refused:
        tip.compute_reward(national_only, INSPECTOR, LATER)
    assert refused.value.rule == "no-general-hazard-amount"
    state = refused.value.current_state
    assert isinstance(state, dict) and state["status"] == "verified" and state["reward"] is None
    assert state["rule"] == national_only.label  # what the rule lacked, as before


def test_once_a_named_identity_is_erased_the_reward_is_paid_only_against_the_claim() -> None:
    tip = run(verified_tip(named=True), "compute", "approve")
    erase(tip)
    with pytest.raises(RuleViolation) as refused:
        pay(tip)
    assert refused.value.rule == "erased-identity-reward-needs-claim"
    assert isinstance(refused.value.current_state, dict) and refused.value.current_state["reward"] == "approved"
    claim(tip)
    pay(tip)
    assert tip.reward_status is not None and tip.reward_status.value == "paid"
