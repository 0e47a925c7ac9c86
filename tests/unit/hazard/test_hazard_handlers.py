"""The hazard handlers on a fake unit of work (no database): report, commands guarded by If-Match
and the aggregate's rules, Idempotency-Key replays, and the caller's scope."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hl_contracts.vocabulary import HazardLevel, HazardSource
from hl_hazard.application.ports import HazardFilters
from hl_hazard.application.service import HazardService
from hl_platform.errors import Forbidden, InvalidInput, NotFound, PreconditionFailed, RuleViolation
from hl_platform.idempotency import IdempotencyKeyReused, RequestKey, fingerprint
from hl_platform.identity import Caller
from tests.support.callers import ADMIN, INSPECTOR, OTHER_CITY_INSPECTOR
from tests.unit.hazard.builders import ENTERPRISE, NOW, acceptance, general_report, major_report, plan
from tests.unit.hazard.fakes import FakeUnitsOfWork

COMPANY = Caller(id="u-ent", name="安全员", role="enterprise", region_code="371002", enterprise_id=ENTERPRISE.id)
FOUND = general_report(source=HazardSource.DEPARTMENT_INSPECTION)


class World:
    def __init__(self) -> None:
        self.units = FakeUnitsOfWork()
        self.units.tables.enterprises[ENTERPRISE.id] = ENTERPRISE
        self.commits_seen = 0
        self.service = HazardService(self.units, on_commit=self._committed, clock=lambda: NOW)

    def _committed(self) -> None:
        self.commits_seen += 1

    async def reported(self) -> str:
        return str((await self.service.report(INSPECTOR, FOUND)).result["id"])


def key(name: str, body: str = "{}", client: str = INSPECTOR.id) -> RequestKey:
    return RequestKey(client, name, fingerprint("POST", "/hazards", body.encode()))


async def test_report_records_the_hazard_and_its_events_in_one_unit() -> None:
    world = World()
    written = await world.service.report(INSPECTOR, FOUND)
    record = written.result
    assert not written.replayed
    assert record["status"] == "reported" and record["version"] == 1 and record["region_code"] == "371002"
    assert [e.type for e in world.units.tables.events[record["id"]]] == ["hazard.found"]
    assert world.units.commits == 1 and world.commits_seen == 1  # the relay is woken once
    assert [entry.type for entry in await world.service.history(INSPECTOR, record["id"])] == ["hazard.found"]


async def test_report_at_an_enterprise_the_replica_does_not_know_is_409_and_writes_nothing() -> None:
    world = World()
    with pytest.raises(RuleViolation) as refused:
        await world.service.report(INSPECTOR, general_report(enterprise_id="not-yet-replicated"))
    assert refused.value.status == 409 and refused.value.rule == "enterprise-unknown"
    assert world.units.tables.count() == 0 and world.units.commits == 0 and world.commits_seen == 0


async def test_a_stale_if_match_is_412_with_the_current_version() -> None:
    world = World()
    hazard_id = await world.reported()
    with pytest.raises(PreconditionFailed) as stale:
        await world.service.execute(INSPECTOR, hazard_id, plan(), if_match=7)
    assert stale.value.status == 412 and stale.value.current_version == 1
    planned = await world.service.execute(COMPANY, hazard_id, plan(), if_match=1)  # the plan is the enterprise's
    assert planned.result["status"] == "rectifying" and planned.result["version"] == 2


async def test_an_illegal_transition_is_409_with_the_current_state_and_writes_nothing() -> None:
    world = World()
    hazard_id = await world.reported()
    with pytest.raises(RuleViolation) as illegal:  # nothing was rectified: nothing to accept
        await world.service.execute(INSPECTOR, hazard_id, acceptance(), if_match=None)
    assert illegal.value.status == 409
    assert illegal.value.current_state == {"status": "reported", "level": "general", "listed": False, "version": 1}
    assert world.units.tables.count() == 1 and world.units.commits == 1


async def test_a_replayed_key_returns_the_first_result_and_writes_once() -> None:
    world = World()
    first = await world.service.report(INSPECTOR, FOUND, key("k-1"))
    again = await world.service.report(INSPECTOR, FOUND, key("k-1"))
    assert again.replayed and again.result == first.result
    assert world.units.tables.count() == 1 and world.commits_seen == 1  # a replay wakes no relay
    with pytest.raises(IdempotencyKeyReused):
        await world.service.report(INSPECTOR, FOUND, key("k-1", body="another body"))
    theirs = await world.service.report(ADMIN, FOUND, key("k-1", client=ADMIN.id))
    assert not theirs.replayed and theirs.result["id"] != first.result["id"]  # keys are per client


async def test_a_refused_write_leaves_its_key_free() -> None:
    world = World()
    with pytest.raises(RuleViolation):
        await world.service.report(INSPECTOR, general_report(enterprise_id="not-yet-replicated"), key("k-2"))
    written = await world.service.report(INSPECTOR, FOUND, key("k-2", body="now known"))
    assert not written.replayed and world.units.tables.count() == 1


async def test_a_hazard_out_of_the_callers_region_is_not_found() -> None:
    world = World()
    hazard_id = await world.reported()
    with pytest.raises(NotFound):
        await world.service.get(OTHER_CITY_INSPECTOR, hazard_id)
    with pytest.raises(NotFound):
        await world.service.execute(OTHER_CITY_INSPECTOR, hazard_id, plan(), if_match=None)
    with pytest.raises(NotFound):  # nor may it report at an enterprise out of its region
        await world.service.report(OTHER_CITY_INSPECTOR, FOUND)
    assert await world.service.list(OTHER_CITY_INSPECTOR, HazardFilters(region_code="3710"), None, 50) == ([], None)
    assert (await world.service.get(INSPECTOR, hazard_id))["id"] == hazard_id


async def test_an_enterprise_user_sees_and_reports_only_its_own() -> None:
    world = World()
    hazard_id = await world.reported()
    own = (await world.service.report(COMPANY, major_report())).result
    assert own["source"] == "self_inspection" and own["level"] == HazardLevel.MAJOR.value
    with pytest.raises(Forbidden):  # an enterprise reports its own self-inspections only
        await world.service.report(COMPANY, FOUND)
    page = await world.service.list(COMPANY, HazardFilters(), None, 50)
    assert {item["id"] for item in page.items} == {hazard_id, own["id"]}
    assert page.next_cursor is None


async def test_the_clock_is_the_services_and_a_future_report_is_refused() -> None:
    world = World()
    future = general_report(source=HazardSource.DEPARTMENT_INSPECTION, found_at=NOW + timedelta(hours=1))
    with pytest.raises(InvalidInput) as refused:
        await world.service.report(INSPECTOR, future)
    assert refused.value.field == "found_at" and world.units.commits == 0
