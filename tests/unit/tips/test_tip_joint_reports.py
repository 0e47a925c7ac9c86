"""Joint reports (联名举报, DOMAIN.md "Tip-offs": a joint report pays its first signatory): several
signatories on one named tip, sealed together like a single tipster, never in an event, cleared
from the facts, shown to the handler alone, erased together."""

from __future__ import annotations

import json

import pytest

from hl_api.tips import TipCreate
from hl_contracts.vocabulary import MAX_CO_SIGNATORIES, IdentityPurpose
from hl_platform.errors import InvalidInput
from hl_tips.domain import commands
from hl_tips.domain.identity import REDACTED, Identity, Relationship, Signatory
from hl_tips.entrypoints.http_public import _command
from tests.unit.tips.test_tip_handlers import INSPECTOR, World

FIRST = Signatory(name="刘举报", phone="13912345678")
SECOND = Signatory(name="张联名", phone="13800001111", relationship=Relationship.EMPLOYEE)
THIRD = Signatory(name="王联名", email="wang@example.com")
JOINT = Identity(name=FIRST.name, phone=FIRST.phone, co_signatories=(SECOND, THIRD))


@pytest.fixture
def world() -> World:
    return World()


def test_the_first_signatory_is_the_payee_and_the_others_follow_in_order() -> None:
    assert JOINT.payee == FIRST
    assert JOINT.signatories == (FIRST, SECOND, THIRD)
    assert Identity(name="独自").signatories == (Signatory(name="独自"),)


def test_a_joint_identity_is_sealed_whole_and_an_older_single_one_still_opens() -> None:
    sealed = json.loads(json.dumps(JOINT.to_dict(), ensure_ascii=False))  # what the vault encrypts
    assert Identity.from_dict(sealed) == JOINT
    before_joint_reports = {k: v for k, v in sealed.items() if k != "co_signatories"}
    assert Identity.from_dict(before_joint_reports) == Identity(name=FIRST.name, phone=FIRST.phone)


def test_every_signatory_is_cleared_from_the_facts() -> None:
    needles = set(JOINT.needles())
    assert {"刘举报", "13912345678", "张联名", "13800001111", "王联名", "wang@example.com"} <= needles


def test_a_joint_report_has_at_most_twenty_signatories() -> None:
    many = tuple(Signatory(name=f"联名{n}") for n in range(MAX_CO_SIGNATORIES + 1))
    with pytest.raises(InvalidInput) as refused:
        Identity(name="刘举报", co_signatories=many)
    assert refused.value.field == "identity.co_signatories"
    body = {"category": "hazard", "description": "x", "occurred_on": "2026-05-01", "region_code": "371002"}
    person = {"name": "刘举报", "co_signatories": [{"name": s.name} for s in many]}
    with pytest.raises(ValueError, match="co_signatories"):  # the public schema says so first (422)
        TipCreate.model_validate({**body, "identity": person})


def test_the_public_schema_makes_the_identity_with_its_co_signatories() -> None:
    body = TipCreate.model_validate(
        {
            "category": "hazard",
            "description": "液氨储罐区报警器长期关闭",
            "occurred_on": "2026-05-01",
            "region_code": "371002",
            "identity": {
                "name": "刘举报",
                "phone": "13912345678",
                "co_signatories": [
                    {"name": "张联名", "phone": "13800001111", "relationship": "employee"},
                    {"name": "王联名", "email": "wang@example.com"},
                ],
            },
        }
    )
    assert _command(body).identity == JOINT
    single = TipCreate.model_validate({**body.model_dump(mode="json"), "identity": {"name": "刘举报"}})
    assert _command(single).identity == Identity(name="刘举报")  # the field is optional: nothing changes


async def test_a_joint_report_reaches_the_handler_whole_and_no_event_names_anyone(world: World) -> None:
    facts = "我和张联名（13800001111）一起举报：液氨储罐区报警器长期关闭"
    tip_id, number, secret = await world.file(identity=JOINT, description=facts)
    await world.handling.execute(INSPECTOR, tip_id, commands.TakeUp())
    view = commands.ViewIdentity(purpose=IdentityPurpose.REWARD_PAYMENT)
    shown = await world.handling.view_identity(INSPECTOR, tip_id, view)
    assert (shown.name, shown.phone) == (FIRST.name, FIRST.phone)  # the first signatory: the one paid
    assert [(s.name, s.phone, s.relationship) for s in shown.co_signatories] == [
        ("张联名", "13800001111", "employee"),
        ("王联名", "", "public"),
    ]
    published = json.dumps([event.model_dump(mode="json") for event in world.store.state.published], ensure_ascii=False)
    for needle in JOINT.needles():
        assert needle not in published
    assert f"我和{REDACTED}（{REDACTED}）一起举报" in published  # a co-signatory in the facts is cleared too

    await world.intake.erase(number, secret)  # one key: every signatory is gone at once
    assert tip_id in world.store.state.shredded
