"""The use cases on fakes (no database): intake, handling and rewards in the order the rules demand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hl_contracts.vocabulary import HazardLevel, IdentityPurpose, TipCategory, TipFinding
from hl_platform.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from hl_platform.identity import Caller
from hl_tips.application.handling import Handling
from hl_tips.application.idempotency import KeyReused, Once
from hl_tips.application.intake import Intake
from hl_tips.application.overdue import OverdueWatch
from hl_tips.application.ports import EnterpriseRecord, Filters
from hl_tips.domain import commands
from hl_tips.domain.identity import Identity
from hl_tips.domain.policies import Principal
from tests.unit.tips.fakes import NOW, Clock, FakeStore, fake_deps

INSPECTOR = Caller(id="u-insp", name="王检查", role="inspector", region_code="3710")
SUPERVISOR = Caller(id="u-sup", name="市安委办", role="supervisor", region_code="3710", level="city")
ADMIN = Caller(id="u-admin", name="管理员", role="admin")
ELSEWHERE = Caller(id="u-jn", name="济南检查员", role="inspector", region_code="3701")
COMPANY = Caller(id="u-ent", name="安全员", role="enterprise", region_code="371002", enterprise_id="ent-1")
ENTERPRISE = EnterpriseRecord("ent-1", "91371000MA3C4XYZ0J", "威海某冷库", "371002", "metallurgy_industry_trade")


class World:
    def __init__(self) -> None:
        self.store = FakeStore()
        self.store.state.enterprises[ENTERPRISE.id] = ENTERPRISE
        self.clock = Clock(NOW)
        self.deps = fake_deps(self.store, self.clock)
        self.intake, self.handling = Intake(self.deps), Handling(self.deps)

    async def file(self, identity: Identity | None = None, **changes: object) -> tuple[str, str, str]:
        values: dict[str, object] = {
            "category": TipCategory.HAZARD,
            "description": "液氨储罐区报警器长期关闭",
            "occurred_on": NOW.date() - timedelta(days=1),
            "uscc": ENTERPRISE.uscc,
            **changes,
        }
        filed = await self.intake.file(commands.FileTip(**values, identity=identity))  # type: ignore[arg-type]
        number = filed.receipt.tracking_number
        tip_id = self.store.state.credentials[number].tip_id
        return tip_id, number, filed.receipt.secret

    def later(self, **delta: float) -> None:
        self.clock.now += timedelta(**delta)


@pytest.fixture
def world() -> World:
    return World()


PERSON = Identity(name="刘举报", phone="13912345678")


async def test_a_tip_naming_a_known_uscc_lies_where_the_enterprise_does(world: World) -> None:
    tip_id, _, _ = await world.file(region_code="")
    tip = await world.handling.get(INSPECTOR, tip_id)
    assert (tip.enterprise_id, tip.region_code, tip.industry) == ("ent-1", "371002", "metallurgy_industry_trade")
    assert tip.deadline == NOW.date() + timedelta(days=60)
    with pytest.raises(InvalidInput) as refused:
        await world.file(uscc="", enterprise_name="不知名小作坊", region_code="")
    assert refused.value.field == "region_code"


async def test_an_enterprise_never_sees_a_tip_about_it_and_other_regions_do_not_either(world: World) -> None:
    tip_id, _, _ = await world.file()
    for outsider in (COMPANY, ELSEWHERE):
        with pytest.raises(NotFound):
            await world.handling.get(outsider, tip_id)
        assert await world.handling.list(outsider, Filters(), None, 50) == ([], None)


async def test_the_identity_is_read_by_the_handler_only_and_erasure_ends_it(world: World) -> None:
    tip_id, number, secret = await world.file(identity=PERSON)
    view = commands.ViewIdentity(purpose=IdentityPurpose.CONTACT_FOR_DETAILS)
    with pytest.raises(Forbidden):
        await world.handling.view_identity(INSPECTOR, tip_id, view)
    await world.handling.execute(INSPECTOR, tip_id, commands.TakeUp())
    assert (await world.handling.view_identity(INSPECTOR, tip_id, view)).name == "刘举报"
    await world.intake.erase(number, secret)
    with pytest.raises(RuleViolation) as erased:
        await world.handling.view_identity(INSPECTOR, tip_id, view)
    assert erased.value.rule == "identity-erased" and tip_id in world.store.state.shredded
    types = [event.type for event in world.store.state.published]
    assert types == ["tip.filed", "tip.taken_up", "tip.identity_viewed", "tip.identity_erased"]


async def test_a_refused_command_writes_nothing(world: World) -> None:
    tip_id, _, _ = await world.file()
    commits = world.store.commits
    with pytest.raises(RuleViolation):
        await world.handling.execute(INSPECTOR, tip_id, commands.ComputeReward())
    with pytest.raises(InvalidInput):
        future = commands.Verify(finding=TipFinding.MAJOR_HAZARD, decided_at=NOW + timedelta(days=1))
        await world.handling.execute(INSPECTOR, tip_id, future)
    assert world.store.commits == commits and len(world.store.state.published) == 1


async def test_only_the_first_reporter_earns(world: World) -> None:
    first, _, _ = await world.file()
    world.later(hours=2)
    second, _, _ = await world.file(description="液氨储罐区的报警器一直关闭")
    tip = await world.handling.get(INSPECTOR, second)
    assert tip.status == "duplicate" and tip.duplicate_of == first
    with pytest.raises(RuleViolation):
        await world.handling.execute(
            INSPECTOR, second, commands.Verify(finding=TipFinding.MAJOR_HAZARD, decided_at=NOW)
        )
    world.later(days=31)  # outside the window the same facts are a new tip
    third, _, _ = await world.file()
    assert (await world.handling.get(INSPECTOR, third)).status == "filed"


async def test_a_named_reward_is_paid_without_a_claim_an_anonymous_one_only_with_it(world: World) -> None:
    named, _, _ = await world.file(identity=PERSON)
    anonymous, number, secret = await world.file(category=TipCategory.ILLEGAL_ACT, description="无证动火作业")
    world.later(hours=1)
    for tip_id, finding in ((named, TipFinding.MAJOR_HAZARD), (anonymous, TipFinding.ILLEGAL_ACT)):
        await world.handling.execute(INSPECTOR, tip_id, commands.Verify(finding=finding, decided_at=world.clock.now))
        await world.handling.execute(INSPECTOR, tip_id, commands.ComputeReward())
        with pytest.raises(Forbidden):
            approve = commands.ApproveReward(approved_by="局长", approved_at=world.clock.now)
            await world.handling.execute(INSPECTOR, tip_id, approve)
        await world.handling.execute(
            SUPERVISOR, tip_id, commands.ApproveReward(approved_by="局长", approved_at=world.clock.now)
        )
    pay = commands.PayReward(paid_at=world.clock.now, method="bank_transfer")
    assert (await world.handling.execute(INSPECTOR, named, pay)).reward.status == "paid"  # type: ignore[union-attr]
    with pytest.raises(RuleViolation):
        await world.handling.execute(INSPECTOR, anonymous, pay)
    await world.intake.claim(number, secret)
    paid = await world.handling.execute(INSPECTOR, anonymous, pay)
    assert paid.reward is not None and paid.reward.status == "paid" and paid.reward.amount_yuan == 3000
    published = [e for e in world.store.state.published if e.type == "tip.reward_paid"]
    assert [e.data["anonymous"] for e in published] == [False, True]


async def test_hazard_links_follow_the_finding(world: World) -> None:
    tip_id, _, _ = await world.file()
    await world.handling.execute(INSPECTOR, tip_id, commands.Verify(finding=TipFinding.GENERAL_HAZARD, decided_at=NOW))
    with pytest.raises(RuleViolation):
        await world.handling.execute(INSPECTOR, tip_id, commands.LinkHazard(hazard_id="h", level=HazardLevel.MAJOR))
    linked = await world.handling.execute(
        INSPECTOR, tip_id, commands.LinkHazard(hazard_id="h", level=HazardLevel.GENERAL)
    )
    again = await world.handling.execute(
        INSPECTOR, tip_id, commands.LinkHazard(hazard_id="h", level=HazardLevel.GENERAL)
    )
    assert linked.hazard_id == "h" and again.version == linked.version  # the same link twice is one


async def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_body(world: World) -> None:
    tip_id, _, _ = await world.file()
    once = Once(INSPECTOR.id, "key-1", "fingerprint-a")
    first = await world.handling.execute(INSPECTOR, tip_id, commands.TakeUp(), once=once)
    second = await world.handling.execute(INSPECTOR, tip_id, commands.TakeUp(), once=once)
    assert first == second and len(world.store.state.published) == 2
    with pytest.raises(KeyReused):
        await world.handling.execute(INSPECTOR, tip_id, commands.TakeUp(), once=Once(INSPECTOR.id, "key-1", "other"))


async def test_overdue_is_recorded_once_per_deadline_by_the_system(world: World) -> None:
    tip_id, _, _ = await world.file()
    watch = OverdueWatch(world.deps, db=None, interval=3600)  # type: ignore[arg-type]  # the lease is not used by scan
    assert await watch.scan() == 0
    world.later(days=62)
    assert await watch.scan() == 1 and await watch.scan() == 0
    assert (await world.handling.get(INSPECTOR, tip_id)).overdue is True
    async with world.store(write=False) as uow:
        tip = await uow.tips.get(tip_id)
    assert tip is not None
    with pytest.raises(Forbidden):  # rule 7's counterpart: the system records it, not whoever opens the tip
        tip.mark_overdue(world.clock.now + timedelta(days=1), Principal(actor=INSPECTOR.actor))
