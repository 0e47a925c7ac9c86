"""The enterprise handlers on a fake unit of work (no database): registration and its duplicate
uscc (also when a concurrent registration wins the race), updates, inspections, Idempotency-Key
replays, roles and the caller's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hl_enterprise.application.ports import EnterpriseFilters
from hl_enterprise.application.service import EnterpriseService
from hl_enterprise.domain.commands import (
    CloseEnterprise,
    DecideBlacklisting,
    RecordInspection,
    RegisterEnterprise,
    UpdateEnterprise,
)
from hl_enterprise.domain.profile import parse_profile
from hl_platform.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from hl_platform.idempotency import RequestKey, fingerprint
from hl_platform.identity import Caller
from tests.support.callers import ADMIN, INSPECTOR, OTHER_CITY_INSPECTOR
from tests.support.uscc import random_uscc
from tests.unit.enterprise.conftest import NOW
from tests.unit.enterprise.fakes import FakeUnitsOfWork

COMPANY = Caller(id="u-ent", name="安全员", role="enterprise", region_code="371002", enterprise_id="ent-x")


def profile(**overrides: Any) -> dict[str, Any]:
    return {
        "uscc": random_uscc(),
        "name": "威海市某某化工有限公司",
        "region_code": "371002",
        "industry": "hazardous_chemicals",
        "principal": {"name": "赵总", "phone": "13806310000"},
        "high_risk": True,
        **overrides,
    }


class World:
    def __init__(self) -> None:
        self.units = FakeUnitsOfWork()
        self.service = EnterpriseService(self.units, clock=lambda: NOW)

    async def registered(self, **overrides: Any) -> dict[str, Any]:
        return (await self.service.register(INSPECTOR, RegisterEnterprise(profile=profile(**overrides)))).result


def key(name: str, body: str = "{}") -> RequestKey:
    return RequestKey(INSPECTOR.id, name, fingerprint("POST", "/enterprises", body.encode()))


async def test_register_records_the_enterprise_and_its_directory_row() -> None:
    world = World()
    record = await world.registered(name="威海某机械厂")
    assert record["version"] == 1 and record["status"] == "active" and record["name"] == "威海某机械厂"
    assert world.units.tables.directory[record["uscc"]] == record["id"]
    assert [e.type for e in world.units.tables.events[record["id"]]] == ["enterprise.registered"]
    assert await world.service.get(INSPECTOR, record["id"]) == record


async def test_a_duplicate_uscc_is_409_with_the_existing_id() -> None:
    world = World()
    first = await world.registered()
    with pytest.raises(Conflict) as duplicate:
        await world.registered(uscc=first["uscc"], name="另一家")
    assert duplicate.value.status == 409 and duplicate.value.extensions["existing_id"] == first["id"]
    assert world.units.tables.count() == 1


async def test_a_concurrent_registration_of_the_uscc_wins_and_ours_is_409() -> None:
    world = World()
    uscc = random_uscc()
    world.units.racing[uscc] = "ent-rival"
    with pytest.raises(Conflict) as duplicate:
        await world.registered(uscc=uscc)
    assert duplicate.value.extensions["existing_id"] == "ent-rival" and world.units.tables.count() == 0


async def test_invalid_profiles_are_422_naming_the_field() -> None:
    world = World()
    with pytest.raises(InvalidInput) as invalid:
        await world.registered(uscc="91371002MA3C4XYZ0X")
    assert invalid.value.status == 422 and invalid.value.field == "uscc"


async def test_update_changes_the_fields_and_keeps_the_uscc() -> None:
    world = World()
    record = await world.registered()
    updated = (await world.service.update(INSPECTOR, record["id"], UpdateEnterprise(changes={"name": "新名称"}))).result
    assert updated["name"] == "新名称" and updated["version"] == 2 and updated["uscc"] == record["uscc"]
    with pytest.raises(InvalidInput):
        await world.service.update(INSPECTOR, record["id"], UpdateEnterprise(changes={"uscc": random_uscc()}))
    with pytest.raises(Forbidden):  # moved out of the caller's region
        await world.service.update(INSPECTOR, record["id"], UpdateEnterprise(changes={"region_code": "370102"}))
    assert (await world.service.get(INSPECTOR, record["id"]))["version"] == 2


async def test_roles_and_scope() -> None:
    world = World()
    record = await world.registered()
    with pytest.raises(Forbidden):
        await world.service.register(COMPANY, RegisterEnterprise(profile=profile()))
    with pytest.raises(Forbidden):  # a registrar registers in its own region only
        await world.service.register(OTHER_CITY_INSPECTOR, RegisterEnterprise(profile=profile()))
    with pytest.raises(NotFound):
        await world.service.get(OTHER_CITY_INSPECTOR, record["id"])
    assert await world.service.list(OTHER_CITY_INSPECTOR, EnterpriseFilters(region_code="3710"), None, 50) == (
        [],
        None,
    )
    assert [r["id"] for r in (await world.service.list(ADMIN, EnterpriseFilters(), None, 50)).items] == [record["id"]]


async def test_inspections_replay_by_key_and_closed_enterprises_refuse_them() -> None:
    world = World()
    record = await world.registered()
    inspection = RecordInspection(department="应急局", inspected_on=NOW.date(), findings=["no_emergency_drill"])
    first = await world.service.inspect(INSPECTOR, record["id"], inspection, key("insp-1"))
    again = await world.service.inspect(INSPECTOR, record["id"], inspection, key("insp-1"))
    assert again.replayed and again.result == first.result and first.result["version"] == 2
    assert world.units.tables.count() == 2
    await world.service.close(INSPECTOR, record["id"], CloseEnterprise(reason="注销", closed_on=NOW.date()))
    with pytest.raises(RuleViolation) as closed:
        await world.service.inspect(INSPECTOR, record["id"], inspection)
    assert closed.value.status == 409 and closed.value.current_state["closed_on"] == NOW.date().isoformat()


async def test_blacklisting_twice_is_409_and_lifting_returns_the_record() -> None:
    world = World()
    record = await world.registered()
    decided = DecideBlacklisting(reason="失信", authority="市应急局", decided_on=date(2024, 5, 1))
    assert (await world.service.blacklist(INSPECTOR, record["id"], decided))["blacklisted"] is True
    with pytest.raises(RuleViolation):
        await world.service.blacklist(INSPECTOR, record["id"], decided)
    lifted = DecideBlacklisting(reason="修复", authority="市应急局", decided_on=date(2024, 5, 10), lift=True)
    assert (await world.service.blacklist(INSPECTOR, record["id"], lifted))["blacklisted"] is False


def test_a_profile_is_the_register_commands_validated_shape() -> None:
    data = profile()
    assert parse_profile(RegisterEnterprise(profile=data).profile).uscc == data["uscc"]
