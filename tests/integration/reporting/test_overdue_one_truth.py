"""Overdue (逾期), one truth: for any sequence of report, plan, deadline, listing, extension,
rectification, rejection, acceptance and delisting — business times back-dated, recorded later —
the table's 逾期未整改 figure, the supervision list, the ledger and the hazard service's list
(`GET /hazards?overdue=`) agree at the end of every day, each as known at that moment.

The hazard is driven by the real aggregate with a clock; the overdue watch runs at the end of each
day; the events go through the real reporting projection (SQLite) and the hazard service's list
view (SQLite), and every reader is asked as of 23:59:59 of the day.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hl_catalogue import RegionCatalogue
from hl_contracts import CloudEvent
from hl_contracts.vocabulary import HazardLevel, HazardSource, ListingLevel, ProductionHalt
from hl_hazard.adapters.summaries import HazardFilters, list_page, save_summary
from hl_hazard.domain import (
    Command,
    DecideAcceptance,
    Delist,
    EnterpriseSnapshot,
    Escalate,
    ExtendDeadline,
    Hazard,
    Principal,
    ReportHazard,
    ReportRectification,
    SetPlan,
)
from hl_platform.db import Database
from hl_platform.errors import DomainError
from hl_platform.migrate import upgrade
from hl_reporting.adapters.projection import HazardProjection
from hl_reporting.adapters.unit_of_work import SqlUnitOfWork
from hl_reporting.application.ports import LedgerQuery, SupervisionQuery
from hl_reporting.application.queries import dispatch_table, hazard_ledger, supervision_list
from hl_reporting.domain.calendar import SHANGHAI, business_day, end_of_day
from hl_reporting.domain.rollup import dispatch_period
from tests.support.callers import ADMIN

CATALOGUE = RegionCatalogue.load_default()
REGION = "371002"
ENTERPRISE = EnterpriseSnapshot(
    id="ent-1", name="威海某化工有限公司", region_code=REGION, industry="hazardous_chemicals"
)
FOUND_AT = datetime(2024, 3, 4, 9, 0, tzinfo=SHANGHAI)
ADMIN_PRINCIPAL = Principal(actor=ADMIN.actor, level=ListingLevel.PROVINCE)
LEVELS = list(ListingLevel)


@dataclass
class Walk:
    """One hazard driven by random commands over some weeks, its events with when they were recorded."""

    hazard: Hazard
    clock: datetime
    events: list[CloudEvent] = field(default_factory=list)

    def record(self) -> None:
        for change in self.hazard.changes[len(self.events) :]:
            self.events.append(
                CloudEvent.create(
                    data=change.data,
                    service="hazard",
                    aggregate_id=self.hazard.id,
                    sequence=change.version,
                    region_code=REGION,
                    industry=ENTERPRISE.industry,
                    actor=change.actor,
                    time=change.time,
                    recorded_at=self.clock,
                )
            )

    def run(self, command: Command | None) -> None:
        if command is not None:
            try:
                self.hazard.execute(command, ADMIN_PRINCIPAL, self.clock)
            except DomainError:
                return  # refused, as a client would be told: nothing recorded
            self.record()

    def wait(self, hours: int) -> None:
        """Let time pass; the overdue watch runs at the end of every day that ends meanwhile."""
        target = self.clock + timedelta(hours=hours)
        day = business_day(self.clock)
        while end_of_day(day) - timedelta(seconds=2) <= target:
            watch = end_of_day(day) - timedelta(seconds=2)
            if watch >= self.clock:
                self.clock = watch
                self.hazard.mark_overdue(watch)
                self.record()
            day += timedelta(days=1)
        self.clock = target


def _back(clock: datetime, hours: int) -> datetime:
    return max(clock - timedelta(hours=hours), FOUND_AT)


def commands(walk: Walk, kind: str, days: int, hours: int, level: int) -> Command | None:
    """The next command of `kind`, its dates relative to the found day and its times to the clock."""
    found_day, clock = FOUND_AT.date(), walk.clock
    deadline = walk.hazard.deadline or found_day + timedelta(days=days)
    match kind:
        case "plan":
            return SetPlan(
                responsible_person="李四",
                measures="更换",
                funds_yuan=Decimal(1000),
                deadline=min(deadline, found_day + timedelta(days=days)),
                emergency_plan="预案",
                decided_at=_back(clock, hours),
            )
        case "extend":
            return ExtendDeadline(
                new_deadline=deadline + timedelta(days=days),
                reason="延期",
                approved_by="赵",
                approved_at=_back(clock, hours),
            )
        case "rectify":
            return ReportRectification(completed_at=_back(clock, hours))
        case "reject" | "accept":
            return DecideAcceptance(accepted=kind == "accept", reviewer="王", decided_at=_back(clock, hours % 3))
        case "list":
            return Escalate(
                level=LEVELS[level],
                authority="安委会",
                reason="督办",
                deadline=found_day + timedelta(days=days),
                escalated_at=_back(clock, hours),
            )
        case "delist":
            return Delist(delisted_at=_back(clock, hours % 3))
    return None


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["plan", "extend", "rectify", "reject", "accept", "list", "delist", "wait"]),
        st.integers(0, 25),  # days (deadlines)
        st.integers(0, 60),  # hours back (business times) and the wait
        st.integers(0, 2),  # listing level
    ),
    min_size=3,
    max_size=14,
)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Migrated databases, copied for each example (migrating takes longer than the example)."""
    folder = tmp_path_factory.mktemp("overdue")
    paths = {"hazard": folder / "hazard.db", "reporting": folder / "reporting.db"}
    for service, path in paths.items():
        upgrade(service, f"sqlite+aiosqlite:///{path}")
    return paths


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS, deadline_days=st.none() | st.integers(0, 10), major=st.booleans())
def test_table_lists_and_hazard_list_agree_on_overdue_at_every_cut_off(
    templates: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
    steps: list[tuple[str, int, int, int]],
    deadline_days: int | None,
    major: bool,
) -> None:
    walk = _walk(steps, deadline_days, major)
    asyncio.run(_check_every_day(walk, templates, tmp_path_factory.mktemp("example")))


async def _check_every_day(walk: Walk, templates: dict[str, Path], folder: Path) -> None:
    urls = {}
    for service, template in templates.items():
        shutil.copy(template, folder / template.name)
        urls[service] = f"sqlite+aiosqlite:///{folder / template.name}"
    reporting, hazards = Database(urls["reporting"]), Database(urls["hazard"])
    try:
        async with reporting.write() as conn:
            await HazardProjection().apply_all(conn, walk.events)
        day = FOUND_AT.date()
        # Every day whose end-of-day watch the walk reached (the walk may stop early in a day; that
        # day's overdue is not recorded yet, by the hazard service or anyone).
        while end_of_day(day) - timedelta(seconds=2) <= walk.clock:
            await _agree_at(walk, reporting, hazards, day)
            day += timedelta(days=1)
    finally:
        await reporting.dispose()
        await hazards.dispose()


def _walk(steps: list[tuple[str, int, int, int]], deadline_days: int | None, major: bool) -> Walk:
    report = ReportHazard(
        enterprise_id=ENTERPRISE.id,
        source=HazardSource.SELF_INSPECTION,
        level=HazardLevel.MAJOR if major else HazardLevel.GENERAL,
        title="储罐区可燃气体报警器失效",
        found_at=FOUND_AT,
        found_by="张三",
        deadline=FOUND_AT.date() + timedelta(days=deadline_days) if deadline_days is not None else None,
        production_halt=ProductionHalt.NONE if major else None,
    )
    clock = FOUND_AT + timedelta(hours=1)
    walk = Walk(Hazard.report("hz-overdue", report, ENTERPRISE, ADMIN_PRINCIPAL, clock), clock)
    walk.record()
    for kind, days, hours, level in steps:
        walk.wait(max(hours, 6))
        walk.run(commands(walk, kind, days, hours, level))
    walk.wait(24 * 3)
    return walk


async def _agree_at(walk: Walk, reporting: Database, hazards: Database, day: date) -> None:
    moment = end_of_day(day) - timedelta(seconds=1)
    known = [event for event in walk.events if event.recordedtime <= moment]
    service_view = Hazard.replay(walk.hazard.id, known)
    async with hazards.write() as conn:
        await save_summary(conn, service_view)
        listed, _ = await list_page(conn, HazardFilters(region_code=REGION, overdue=True), None, 50)
    in_hazard_list = [item["id"] for item in listed] == [walk.hazard.id]
    async with SqlUnitOfWork(reporting, write=False) as uow:
        period = dispatch_period(day)
        table = await dispatch_table(
            uow,
            period=f"{period:%Y-%m}",
            region_code=REGION,
            catalogue=CATALOGUE,
            since=date(FOUND_AT.year, 1, 1),
            as_of=moment,
        )
        ledger = await hazard_ledger(uow, LedgerQuery(region_prefix=REGION, overdue=True, as_of=moment))
        supervision = await supervision_list(
            uow, SupervisionQuery(region_prefix=REGION, today=day, status="all", as_of=moment)
        )
    assert table.through == day
    in_table = table.figures["overdue"] == 1
    state = _state(service_view)
    assert in_table == in_hazard_list, (day, state)
    assert [item.hazard_id for item in ledger.items] == ([walk.hazard.id] if in_table else []), (day, state)
    listed_then = {item.hazard_id: item for item in supervision.items}
    assert (walk.hazard.id in listed_then) == bool(service_view.listings), (day, state)  # delisted ones too
    if service_view.listings:
        item = listed_then[walk.hazard.id]
        assert (item.days_overdue is not None) == in_table, (day, state, item)
        assert (item.deadline, item.status) == (service_view.deadline, service_view.status.value), (day, state)


def _state(hazard: Hazard) -> dict[str, Any]:
    return {"status": hazard.status.value, "deadline": hazard.deadline, "overdue_for": hazard.overdue_notified_for}


def test_the_walk_reaches_overdue_and_back() -> None:
    """The strategy's edges: a deadline that passes, an extension that lifts it, a fix that ends it."""
    walk = _walk([("plan", 1, 1, 0), ("wait", 0, 60, 0), ("extend", 5, 1, 0), ("rectify", 0, 2, 0)], None, True)
    kinds = [event.type for event in walk.events]
    assert kinds[:2] == ["hazard.found", "hazard.plan_set"] and "hazard.overdue" in kinds
    assert kinds[-1] in ("hazard.rectified", "hazard.overdue") and walk.clock > FOUND_AT + timedelta(days=3)
    assert walk.events[1].recordedtime > walk.events[1].time  # decided before it was recorded
