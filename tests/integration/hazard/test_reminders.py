"""The reminder watch with an injectable clock and two replicas: each reminder recorded once, on
SQLite and PostgreSQL; a database migrated from before reminders keeps its overdue hazards right."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from hl_contracts.vocabulary import HazardLevel
from hl_hazard.application.overdue import OverdueWatch
from hl_hazard.application.reminders import ReminderWatch
from hl_hazard.bootstrap import hazard_service
from hl_hazard.domain.commands import DecideAcceptance, ReportHazard, ReportRectification
from hl_hazard.domain.reminders import ReminderSchedule
from tests.integration.hazard.test_overdue import START, Clock, _enterprise, _events_of
from tests.support.callers import ADMIN, INSPECTOR
from tests.support.db import migrated

pytestmark = pytest.mark.asyncio
SCHEDULE = ReminderSchedule(
    days_before={HazardLevel.GENERAL: 2, HazardLevel.MAJOR: 5}, overdue_notice_days=(3, 6), acceptance_days=2
)


async def _scan_both(replicas: list[ReminderWatch]) -> int:
    return sum(await asyncio.gather(*(replica.scan() for replica in replicas)))


async def test_two_replicas_record_each_reminder_once(database_url: str) -> None:
    db = await migrated("hazard", database_url)
    clock = Clock(START)
    # Two replicas: two services on one database, each with its own watches and the same clock.
    services = [hazard_service(db, clock=clock), hazard_service(db, clock=clock)]
    enterprise_id = await _enterprise(db)
    body = ReportHazard(
        enterprise_id=enterprise_id,
        source="department_inspection",
        level="general",
        title="配电箱未接地",
        found_at=START - timedelta(hours=1),
        found_by="王检查",
        deadline=(START + timedelta(days=4)).date(),
    )
    hazard_id = (await services[0].report(INSPECTOR, body)).result["id"]
    reminders = [ReminderWatch(service, db, SCHEDULE, interval=0.05) for service in services]
    overdue = [OverdueWatch(service, db, interval=0.05) for service in services]

    assert await _scan_both(reminders) == 0, "four days before: the general count is two"
    clock.now = START + timedelta(days=2)
    assert await _scan_both(reminders) == 1
    stop = asyncio.Event()
    runs = [asyncio.create_task(watch.run(stop)) for watch in reminders]  # with their lease, a few rounds
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.gather(*runs)
    clock.now = START + timedelta(days=5)  # the deadline's day has ended
    assert sum(await asyncio.gather(*(watch.scan() for watch in overdue))) == 1
    assert await _scan_both(reminders) == 0
    clock.now = START + timedelta(days=8)  # three days overdue: the 2nd notice
    assert await _scan_both(reminders) == 1
    clock.now = START + timedelta(days=30)
    assert await _scan_both(reminders) == 1
    assert await _scan_both(reminders) == 0

    types = await _events_of(services[0], hazard_id)
    assert types.count("hazard.deadline_approaching") == 1
    assert types.count("hazard.overdue") == 1 and types.count("hazard.overdue_reminded") == 2
    history = [entry.model_dump() for entry in await services[0].history(ADMIN, hazard_id)]
    notices = [entry["data"]["notice"] for entry in history if entry["type"] == "hazard.overdue_reminded"]
    assert notices == [2, 3] and {entry["actor"]["role"] for entry in history[-3:]} == {"system"}
    await db.dispose()


async def test_a_rectification_awaiting_acceptance_is_reminded_once(database_url: str) -> None:
    db = await migrated("hazard", database_url)
    clock = Clock(START)
    service = hazard_service(db, clock=clock)
    enterprise_id = await _enterprise(db)
    body = ReportHazard(
        enterprise_id=enterprise_id,
        source="department_inspection",
        level="general",
        title="消防通道堵塞",
        found_at=START - timedelta(hours=2),
        found_by="王检查",
        deadline=(START + timedelta(days=20)).date(),
    )
    hazard_id = (await service.report(INSPECTOR, body)).result["id"]
    fix = ReportRectification(completed_at=START - timedelta(hours=1), description="已清理")
    await service.execute(ADMIN, hazard_id, fix, None)
    replicas = [ReminderWatch(service, db, SCHEDULE), ReminderWatch(service, db, SCHEDULE)]
    clock.now = START + timedelta(days=1)
    assert await _scan_both(replicas) == 0
    clock.now = START + timedelta(days=2)
    assert await _scan_both(replicas) == 1
    assert await _scan_both(replicas) == 0
    decision = DecideAcceptance(accepted=True, reviewer="王检查", decided_at=clock.now)
    await service.execute(INSPECTOR, hazard_id, decision, None)
    clock.now = START + timedelta(days=9)
    assert await _scan_both(replicas) == 0, "closed: nothing is owed"
    assert (await _events_of(service, hazard_id)).count("hazard.acceptance_reminded") == 1
    await db.dispose()
