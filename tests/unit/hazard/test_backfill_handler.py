"""The backfill handler on a fake unit of work: each item decided by the aggregate's own rules,
a result per item, the valid ones written in one unit, nothing of an invalid one, and a re-sent
key answered with the hazard it created."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from hl_contracts.vocabulary import HazardLevel, HazardSource, ListingLevel
from hl_hazard.application.backfill import Backfill, KeysTaken, TakenKey
from hl_hazard.domain.backfill import BackfillHazard, HistoricalActor, Step
from hl_hazard.domain.commands import Command, ReportHazard
from hl_platform.errors import Conflict
from hl_platform.identity import Caller
from tests.support.callers import ADMIN, INSPECTOR
from tests.unit.hazard.backfill_fakes import FakeBackfillKeys, FakeBackfillUnits
from tests.unit.hazard.builders import (
    ENTERPRISE,
    FOUND_AT,
    NOW,
    acceptance,
    delisting,
    escalation,
    general_report,
    major_report,
    plan,
    rectification,
)

PLATFORM = Caller(id="platform-1", name="省平台", role="platform", region_code="37")
COMPANY = HistoricalActor(role="enterprise", name="安全员")
DEPARTMENT = HistoricalActor(role="inspector", name="王检查", organisation="威海市应急管理局")
CITY = HistoricalActor(role="supervisor", name="市安委办", level=ListingLevel.CITY)


def item(
    key: str, report: ReportHazard | None = None, *steps: Step, actor: HistoricalActor | None = None
) -> BackfillHazard:
    return BackfillHazard(key=key, fingerprint=f"fp-{key}", report=report or major_report(), actor=actor, steps=steps)


def step(command: Command, actor: HistoricalActor | None = None) -> Step:
    return Step(command=command, actor=actor)


def closed_listed_major(key: str) -> BackfillHazard:
    """A self-reported major hazard through its whole life: plan, listing, fix, acceptance, delisting."""
    return item(
        key,
        major_report(),
        step(plan(decided_at=FOUND_AT + timedelta(hours=1)), COMPANY),
        step(escalation(ListingLevel.CITY), CITY),
        step(rectification(), COMPANY),
        step(acceptance(), CITY),
        step(delisting(delisted_at=NOW - timedelta(hours=1)), CITY),
        actor=COMPANY,
    )


class World:
    def __init__(self) -> None:
        self.units = FakeBackfillUnits()
        self.units.tables.hazards.enterprises[ENTERPRISE.id] = ENTERPRISE
        self.woken = 0
        self.handler = Backfill(self.units, lambda: NOW, on_commit=self._wake)

    def _wake(self) -> None:
        self.woken += 1

    def types(self, hazard_id: str) -> list[str]:
        return [event.type for event in self.units.tables.hazards.events[hazard_id]]


async def test_a_whole_history_is_recorded_with_each_step_at_its_business_time_and_actor() -> None:
    world = World()
    (result,) = await world.handler.run(PLATFORM, [closed_listed_major("old-1")])
    assert result.outcome == "created" and result.version == 6 and result.hazard_id
    events = world.units.tables.hazards.events[result.hazard_id]
    assert [e.type for e in events] == [
        "hazard.found",
        "hazard.plan_set",
        "hazard.escalated",
        "hazard.rectified",
        "hazard.accepted",
        "hazard.delisted",
    ]
    assert events[0].time == FOUND_AT and events[-1].time == NOW - timedelta(hours=1)
    assert [(e.actorrole, e.actorname) for e in events[:3]] == [
        ("enterprise", "安全员"),
        ("enterprise", "安全员"),
        ("supervisor", "市安委办"),
    ]
    assert {e.actorid for e in events} == {PLATFORM.id}  # the identity that vouched for the records
    assert world.units.commits == 1 and world.woken == 1


async def test_rule_5_holds_in_a_backfill_a_major_is_never_accepted_by_the_enterprise() -> None:
    world = World()
    history = closed_listed_major("old-2")
    wrong = replace(history, steps=(*history.steps[:3], step(acceptance(), COMPANY)))
    (result,) = await world.handler.run(PLATFORM, [wrong])
    assert result.outcome == "invalid" and result.status == 403 and result.field == "/steps/3/actor"
    assert "department reviewer" in (result.reason or "")
    assert world.units.tables.hazards.count() == 0


async def test_one_bad_item_is_refused_with_its_field_and_the_others_are_written() -> None:
    world = World()
    early_fix = item(
        "bad",
        major_report(),
        step(plan(), COMPANY),
        step(rectification(completed_at=FOUND_AT - timedelta(days=1)), COMPANY),
        actor=COMPANY,
    )
    future = item("future", general_report(found_at=NOW + timedelta(minutes=5)), actor=COMPANY)
    results = await world.handler.run(PLATFORM, [closed_listed_major("good"), early_fix, future])
    assert [r.outcome for r in results] == ["created", "invalid", "invalid"]
    assert (results[1].field, results[1].status, results[1].rule) == ("/steps/1/completed_at", 422, "invalid-input")
    assert "before found_at" in (results[1].reason or "")
    assert results[2].field == "/hazard/found_at" and "future" in (results[2].reason or "")
    assert list(world.units.tables.hazards.events) == [results[0].hazard_id]  # nothing of the bad ones


async def test_an_illegal_transition_is_refused_at_its_step_with_the_rule() -> None:
    world = World()
    (result,) = await world.handler.run(ADMIN, [item("no-plan", major_report(), step(rectification()))])
    assert (result.outcome, result.field, result.status, result.rule) == (
        "invalid",
        "/steps/0",
        409,
        "major-needs-plan",
    )


async def test_a_resent_batch_answers_the_same_hazards_as_duplicates_and_writes_nothing_more() -> None:
    world = World()
    batch = [closed_listed_major("a"), item("b", general_report(source=HazardSource.DEPARTMENT_INSPECTION))]
    first = await world.handler.run(ADMIN, batch)
    stored = world.units.tables.hazards.count()
    again = await world.handler.run(ADMIN, batch)
    assert [r.outcome for r in again] == ["duplicate", "duplicate"]
    assert [r.hazard_id for r in again] == [r.hazard_id for r in first]
    assert world.units.tables.hazards.count() == stored and world.woken == 1


async def test_a_key_twice_in_one_batch_is_one_hazard_and_a_key_reused_for_other_content_is_refused() -> None:
    world = World()
    one = item("k", general_report(source=HazardSource.DEPARTMENT_INSPECTION))
    other = replace(one, fingerprint="something else")
    results = await world.handler.run(ADMIN, [one, one, other])
    assert [r.outcome for r in results] == ["created", "duplicate", "invalid"]
    assert results[1].hazard_id == results[0].hazard_id
    assert (results[2].field, results[2].rule) == ("/key", "backfill-key-reused")
    assert len(world.units.tables.hazards.events) == 1


async def test_keys_are_per_client() -> None:
    world = World()
    inspector_item = item("same", general_report(source=HazardSource.DEPARTMENT_INSPECTION))
    (first,) = await world.handler.run(ADMIN, [inspector_item])
    (second,) = await world.handler.run(INSPECTOR, [inspector_item])
    assert first.outcome == second.outcome == "created" and first.hazard_id != second.hazard_id


async def test_an_enterprise_outside_the_callers_region_is_not_found_for_that_item() -> None:
    world = World()
    elsewhere = Caller(id="i-2", name="外市检查员", role="inspector", region_code="3701")
    (result,) = await world.handler.run(
        elsewhere, [item("x", general_report(source=HazardSource.DEPARTMENT_INSPECTION))]
    )
    assert (result.outcome, result.status, result.field) == ("invalid", 404, "/hazard/enterprise_id")
    unknown = item("y", general_report(enterprise_id="not-replicated", source=HazardSource.DEPARTMENT_INSPECTION))
    (result,) = await world.handler.run(ADMIN, [unknown])
    assert (result.outcome, result.field) == ("invalid", "/hazard/enterprise_id")


async def test_only_a_migrating_client_may_name_who_took_a_step() -> None:
    world = World()
    named = item("n", general_report(source=HazardSource.DEPARTMENT_INSPECTION), actor=DEPARTMENT)
    (result,) = await world.handler.run(INSPECTOR, [named])
    assert (result.outcome, result.status, result.field) == ("invalid", 403, "/actor")
    (result,) = await world.handler.run(INSPECTOR, [replace(named, actor=None)])
    assert result.outcome == "created"  # the inspector reports its own finding


async def test_the_callers_own_steps_follow_its_role() -> None:
    world = World()
    own = item("own", general_report(source=HazardSource.DEPARTMENT_INSPECTION), step(plan()))
    (result,) = await world.handler.run(INSPECTOR, [own])
    assert (result.outcome, result.status, result.field) == ("invalid", 403, "/steps/0")  # plans are the enterprise's


async def test_a_twin_batch_that_commits_the_same_key_first_makes_this_one_answer_duplicate() -> None:
    world = World()
    world.units.tables.raced[(ADMIN.id, "twin")] = TakenKey("hz-twin", "fp-twin")
    (result,) = await world.handler.run(
        ADMIN, [item("twin", general_report(source=HazardSource.DEPARTMENT_INSPECTION))]
    )
    assert (result.outcome, result.hazard_id) == ("duplicate", "hz-twin")
    assert world.units.tables.hazards.count() == 0 and world.units.commits == 1


async def test_a_level_change_then_listing_is_checked_against_the_state_it_reached() -> None:
    world = World()
    general = general_report(source=HazardSource.DEPARTMENT_INSPECTION, level=HazardLevel.GENERAL)
    listed_general = item("g", general, step(escalation(ListingLevel.CITY)))
    (result,) = await world.handler.run(ADMIN, [listed_general])
    assert (result.outcome, result.rule) == ("invalid", "major-only-listing")


async def test_three_lost_races_in_a_row_is_a_conflict_to_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World()

    async def taken_always(self: FakeBackfillKeys, client_id: str, keys: object) -> None:
        raise KeysTaken()

    monkeypatch.setattr(FakeBackfillKeys, "add", taken_always)
    with pytest.raises(Conflict):
        await world.handler.run(ADMIN, [item("z", general_report(source=HazardSource.DEPARTMENT_INSPECTION))])
