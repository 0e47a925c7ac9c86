"""Enforcement actions: each kind carries the figures its row of the dispatch table counts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from hl_contracts import Actor
from hl_contracts.enterprise import EnterpriseEnforcementRecorded
from hl_contracts.vocabulary import ENFORCEMENT_KINDS
from hl_enterprise.domain.business_time import SHANGHAI
from hl_enterprise.domain.model import Enterprise
from hl_platform.errors import InvalidInput

MAY_1 = date(2024, 5, 1)


def record(enterprise: Enterprise, actor: Actor, now: datetime, kind: str, **figures: Any) -> str:
    return enterprise.record_enforcement(
        kind=kind, department="威海市应急管理局", decided_on=MAY_1, actor=actor, now=now, **figures
    )


VALID: list[tuple[str, dict[str, Any]]] = [
    ("administrative_penalty", {"amount_wan": Decimal("3.5")}),
    ("administrative_penalty", {"amount_wan": Decimal("0")}),
    ("dual_penalty", {}),
    ("dual_penalty", {"amount_wan": Decimal("12")}),
    ("judicial_referral", {"persons": 2}),
    ("accountability", {"persons": 1}),
    ("typical_case", {"dangerous_operation_crime": True}),
    ("typical_case", {}),
    ("assistance_visit", {"key_enterprise": True}),
    ("suspension_order", {}),
    ("exposure", {}),
    ("interview", {}),
    ("joint_punishment", {}),
    ("region_interview", {}),
]


def test_every_kind_has_a_valid_example() -> None:
    assert {kind for kind, _ in VALID} == set(ENFORCEMENT_KINDS)


@pytest.mark.parametrize(("kind", "figures"), VALID)
def test_valid_actions_are_recorded_on_their_day(
    enterprise: Enterprise, actor: Actor, now: datetime, kind: str, figures: dict[str, Any]
) -> None:
    action_id = record(enterprise, actor, now, kind, **figures)
    [change] = enterprise.changes
    assert isinstance(change.data, EnterpriseEnforcementRecorded)
    assert (change.data.action_id, change.data.kind) == (action_id, kind)
    for name, value in figures.items():
        assert getattr(change.data, name) == value
    assert change.time == datetime(2024, 5, 1, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("kind", "figures", "field", "reason"),
    [
        ("fine", {}, "kind", "unknown enforcement kind 'fine'"),
        ("administrative_penalty", {}, "amount_wan", "required for administrative_penalty"),
        ("administrative_penalty", {"amount_wan": Decimal("-1")}, "amount_wan", "must be at least 0"),
        ("administrative_penalty", {"amount_wan": Decimal("NaN")}, "amount_wan", "must be a finite number"),
        ("judicial_referral", {}, "persons", "required for judicial_referral"),
        ("judicial_referral", {"persons": 0}, "persons", "must be at least 1"),
        ("accountability", {"persons": 0}, "persons", "must be at least 1"),
        ("exposure", {"persons": 3}, "persons", "not used for exposure"),
        ("interview", {"amount_wan": Decimal("1")}, "amount_wan", "not used for interview"),
        ("typical_case", {"key_enterprise": True}, "key_enterprise", "only for assistance_visit"),
        ("assistance_visit", {"dangerous_operation_crime": True}, "dangerous_operation_crime", "only for typical_case"),
    ],
)
def test_figures_that_do_not_fit_the_kind_are_refused(
    enterprise: Enterprise, actor: Actor, now: datetime, kind: str, figures: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        record(enterprise, actor, now, kind, **figures)
    assert caught.value.field == field
    assert caught.value.reason.startswith(reason)
    assert enterprise.changes == []


def test_enforcement_is_allowed_after_closure(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    enterprise.close("吊销", MAY_1, actor, now)
    record(enterprise, actor, now, "judicial_referral", persons=1)
    assert [c.data.event_type for c in enterprise.changes][-1] == "enterprise.enforcement_recorded"


def test_action_id_may_be_given(enterprise: Enterprise, actor: Actor, now: datetime) -> None:
    assert record(enterprise, actor, now, "exposure", action_id="a-1") == "a-1"
