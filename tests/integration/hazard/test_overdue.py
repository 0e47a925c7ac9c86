"""The overdue watch with an injectable clock and two replicas: one `hazard.overdue` per deadline."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from hl_contracts import Actor, CloudEvent
from hl_contracts.enterprise import EnterpriseRegistered, Person
from hl_contracts.vocabulary import ListingLevel
from hl_hazard.adapters.enterprise_replica import EnterpriseReplicaProjection
from hl_hazard.application.overdue import EscalationPolicy, OverdueWatch
from hl_hazard.application.service import HazardService
from hl_hazard.bootstrap import hazard_service
from hl_hazard.domain.commands import ExtendDeadline, ReportHazard
from hl_platform.db import Database
from hl_platform.ids import new_id
from tests.support.callers import ADMIN, INSPECTOR
from tests.support.db import migrated

pytestmark = pytest.mark.asyncio
START = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def _enterprise(db: Database) -> str:
    enterprise_id = new_id()
    event = CloudEvent.create(
        data=EnterpriseRegistered(
            uscc="91371002802207214M",
            name="威海某机械厂",
            region_code="371002",
            industry="metallurgy_industry_trade",
            principal=Person(name="钱总"),
        ),
        service="enterprise",
        aggregate_id=enterprise_id,
        sequence=1,
        region_code="371002",
        industry="metallurgy_industry_trade",
        actor=Actor(id="a", name="a", role="admin"),
        time=START,
    )
    async with db.write() as conn:
        await EnterpriseReplicaProjection().apply(conn, event)
    return enterprise_id


async def _events_of(service: HazardService, hazard_id: str) -> list[str]:
    return [entry.type for entry in await service.history(ADMIN, hazard_id)]


async def test_two_replicas_record_one_overdue_per_deadline(database_url: str) -> None:
    db = await migrated("hazard", database_url)
    clock = Clock(START)
    service = hazard_service(db, clock=clock)
    enterprise_id = await _enterprise(db)
    hazard = (
        await service.report(
            INSPECTOR,
            ReportHazard(
                enterprise_id=enterprise_id,
                source="department_inspection",
                level="general",
                title="砂轮机防护罩缺失",
                found_at=START - timedelta(hours=1),
                found_by="王检查",
                deadline=(START + timedelta(days=2)).date(),
            ),
        )
    ).result
    replicas = [OverdueWatch(service, db, interval=0.05), OverdueWatch(service, db, interval=0.05)]

    assert await asyncio.gather(*(r.scan() for r in replicas)) == [0, 0], "not due yet"
    clock.now = START + timedelta(days=2, hours=13)  # 23:00 Shanghai on the deadline day: still in time
    assert sum(await asyncio.gather(*(r.scan() for r in replicas))) == 0
    clock.now = START + timedelta(days=3)  # the next day
    await asyncio.gather(*(r.scan() for r in replicas))
    stop = asyncio.Event()
    runs = [asyncio.create_task(r.run(stop)) for r in replicas]  # with their lease, for a few rounds
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.gather(*runs)
    assert (await _events_of(service, hazard["id"])).count("hazard.overdue") == 1

    await service.execute(
        ADMIN,
        hazard["id"],
        ExtendDeadline(new_deadline=(START + timedelta(days=10)).date(), reason="设备采购周期长", approved_by="李处长"),
        None,
    )
    assert sum(await asyncio.gather(*(r.scan() for r in replicas))) == 0, "the new deadline has not passed"
    clock.now = START + timedelta(days=11)
    assert sum(await asyncio.gather(*(r.scan() for r in replicas))) == 1
    assert (await _events_of(service, hazard["id"])).count("hazard.overdue") == 2
    await db.dispose()


async def test_escalation_policy_lists_overdue_major_hazards_when_configured(database_url: str) -> None:
    db = await migrated("hazard", database_url)
    clock = Clock(START)
    service = hazard_service(db, clock=clock)
    enterprise_id = await _enterprise(db)
    hazard = (
        await service.report(
            INSPECTOR,
            ReportHazard(
                enterprise_id=enterprise_id,
                source="department_inspection",
                level="major",
                title="行车制动器失效",
                found_at=START - timedelta(hours=1),
                found_by="王检查",
                deadline=(START + timedelta(days=1)).date(),
                production_halt="partial",
            ),
        )
    ).result
    clock.now = START + timedelta(days=3)
    policy = EscalationPolicy(ListingLevel.COUNTY, "环翠区安委会")
    assert await OverdueWatch(service, db, escalation=policy).scan() == 1
    history = [entry.model_dump() for entry in await service.history(ADMIN, hazard["id"])]
    assert [e["type"] for e in history][-2:] == ["hazard.overdue", "hazard.escalated"]
    assert history[-1]["actor"]["name"] == "环翠区安委会" and history[-1]["data"]["level"] == "county"
    await db.dispose()
