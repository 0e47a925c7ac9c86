"""Idempotency-Key at the writing services, on SQLite and PostgreSQL: the key is stored in the
transaction of the write, so a retry gets the first result (same id, same body) however many
times it comes and whether or not the gateway remembers it; another body with the key is 422;
concurrent twins write once; a refused write leaves the key free; expired keys are forgotten."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select

from hl_api.enterprises import EnterpriseCreate, InspectionCreate
from hl_api.hazards import HazardCreate
from hl_enterprise.adapters.tables import metadata as enterprise_metadata
from hl_enterprise.bootstrap import enterprise_service
from hl_enterprise.domain.commands import RecordInspection, RegisterEnterprise, UpdateEnterprise
from hl_hazard.adapters.tables import idempotency_keys
from hl_hazard.adapters.tables import metadata as hazard_metadata
from hl_hazard.bootstrap import hazard_service
from hl_hazard.domain.commands import ReportHazard, SetPlan
from hl_platform.db import Database
from hl_platform.errors import NotFound, PreconditionFailed, RuleViolation
from hl_platform.idempotency import IdempotencyKeyReused, RequestKey, fingerprint
from hl_platform.idempotency_store import IdempotencyLedger
from hl_platform.tables import events
from tests.integration.enterprise.test_enterprise_api import enterprise_body
from tests.integration.hazard.test_overdue import START, Clock, _enterprise
from tests.support.callers import ADMIN, INSPECTOR, OTHER_CITY_INSPECTOR
from tests.support.db import migrated


def key(name: str, body: str = "{}", client: str = ADMIN.id, path: str = "/hazards") -> RequestKey:
    return RequestKey(client, name, fingerprint("POST", path, body.encode()))


def report(enterprise_id: str, **overrides: Any) -> ReportHazard:
    values: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "source": "department_inspection",
        "level": "major",
        "title": "液氨储罐区未设置泄漏报警装置",
        "found_at": START - timedelta(hours=1),
        "found_by": "王检查",
        "production_halt": "partial",
    }
    return ReportHazard(**HazardCreate(**{**values, **overrides}).model_dump())


async def _events(db: Database) -> int:
    async with db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(events)) or 0)


async def _keys(db: Database) -> int:
    async with db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(idempotency_keys)) or 0)


async def test_a_retried_report_is_the_first_result_and_one_hazard(database_url: str) -> None:
    db = await migrated("hazard", database_url)
    service = hazard_service(db, clock=Clock(START))
    enterprise_id = await _enterprise(db)
    before = await _events(db)
    first = await service.report(ADMIN, report(enterprise_id), key("k-1"))
    again = await service.report(ADMIN, report(enterprise_id), key("k-1"))
    assert not first.replayed and again.replayed and again.result == first.result
    assert await _events(db) == before + 1
    with pytest.raises(IdempotencyKeyReused) as reused:
        await service.report(ADMIN, report(enterprise_id, title="另一个隐患"), key("k-1", body="other"))
    assert reused.value.status == 422 and reused.value.field == "Idempotency-Key"
    theirs = await service.report(INSPECTOR, report(enterprise_id), key("k-1", client=INSPECTOR.id))
    assert not theirs.replayed and theirs.result["id"] != first.result["id"]  # keys are per client
    assert await _events(db) == before + 2
    await db.dispose()


async def test_a_retried_command_replays_even_where_if_match_is_stale_now(database_url: str) -> None:
    db = await migrated("hazard", database_url)
    service = hazard_service(db, clock=Clock(START))
    hazard = (await service.report(ADMIN, report(await _enterprise(db)))).result
    plan = SetPlan(
        responsible_person="李四",
        measures="加装报警",
        funds_yuan=1000,
        deadline=START.date() + timedelta(days=9),
        emergency_plan="有",
    )
    planned = await service.execute(ADMIN, hazard["id"], plan, 1, key("plan-1", path="/plan"))
    retried = await service.execute(ADMIN, hazard["id"], plan, 1, key("plan-1", path="/plan"))
    assert retried.replayed and retried.result == planned.result and planned.result["version"] == 2
    with pytest.raises(PreconditionFailed):  # the same request without its key is judged afresh
        await service.execute(ADMIN, hazard["id"], plan, 1)
    await db.dispose()


async def test_a_refused_write_leaves_the_key_free(database_url: str) -> None:
    db = await migrated("hazard", database_url)
    service = hazard_service(db, clock=Clock(START))
    with pytest.raises(RuleViolation):  # an enterprise the replica does not know yet
        await service.report(ADMIN, report("not-yet-replicated"), key("k-2"))
    assert await _keys(db) == 0
    enterprise_id = await _enterprise(db)
    written = await service.report(ADMIN, report(enterprise_id), key("k-2", body="now known"))
    assert not written.replayed
    await db.dispose()


async def test_concurrent_twins_write_once(database_url: str) -> None:
    """Several connections at once with one key (PostgreSQL: the key's row makes the twins wait
    for the first and read its answer; SQLite: its one writer serialises them)."""
    db = await migrated("hazard", database_url)
    service = hazard_service(db, clock=Clock(START))
    enterprise_id = await _enterprise(db)
    before = await _events(db)
    twins = await asyncio.gather(*(service.report(ADMIN, report(enterprise_id), key("twin")) for _ in range(6)))
    assert len({written.result["id"] for written in twins}) == 1
    assert sum(not written.replayed for written in twins) == 1
    assert await _events(db) == before + 1
    await db.dispose()


async def test_expired_keys_are_forgotten_and_purged(database_url: str) -> None:
    db = await migrated("hazard", database_url)
    clock = Clock(START)
    ledger = IdempotencyLedger(idempotency_keys, timedelta(hours=24), clock)
    service = hazard_service(db, clock=clock, ledger=ledger)
    enterprise_id = await _enterprise(db)
    first = await service.report(ADMIN, report(enterprise_id), key("k-3"))
    clock.now = START + timedelta(hours=25)
    later = await service.report(ADMIN, report(enterprise_id), key("k-3"))
    assert not later.replayed and later.result["id"] != first.result["id"]
    clock.now = START + timedelta(hours=50)
    assert await ledger.purge(db) == 1 and await _keys(db) == 0
    await db.dispose()


async def test_enterprise_writes_replay_registration_update_and_inspection(database_url: str) -> None:
    db = await migrated("enterprise", database_url)
    service = enterprise_service(db)
    body = RegisterEnterprise(profile=EnterpriseCreate.model_validate(enterprise_body()).model_dump(exclude_none=True))
    registered = await service.register(INSPECTOR, body, key("reg-1", path="/enterprises", client=INSPECTOR.id))
    retried = await service.register(INSPECTOR, body, key("reg-1", path="/enterprises", client=INSPECTOR.id))
    assert retried.replayed and retried.result == registered.result  # not a 409 duplicate: the same 201
    enterprise_id = registered.result["id"]
    patch = key("patch-1", path=f"/enterprises/{enterprise_id}", client=INSPECTOR.id)
    updated = await service.update(
        INSPECTOR, enterprise_id, UpdateEnterprise(changes={"name": "威海某化工有限公司"}), patch
    )
    again = await service.update(
        INSPECTOR, enterprise_id, UpdateEnterprise(changes={"name": "威海某化工有限公司"}), patch
    )
    assert again.replayed and again.result == updated.result and updated.result["version"] == 2
    inspection = RecordInspection(
        **InspectionCreate(department="应急局", inspected_on=datetime.now(UTC).date()).model_dump()
    )
    spot = key("insp-1", path="inspections", client=INSPECTOR.id)
    recorded = await service.inspect(INSPECTOR, enterprise_id, inspection, spot)
    assert (await service.inspect(INSPECTOR, enterprise_id, inspection, spot)).result == recorded.result
    outsider = key("insp-1", path="inspections", client=OTHER_CITY_INSPECTOR.id)
    with pytest.raises(NotFound):  # its own key, and the enterprise is not in its scope
        await service.inspect(OTHER_CITY_INSPECTOR, enterprise_id, inspection, outsider)
    assert await _events(db) == 3
    await db.dispose()


@pytest.mark.parametrize(("service", "metadata"), [("hazard", hazard_metadata), ("enterprise", enterprise_metadata)])
async def test_the_migration_creates_the_declared_idempotency_table(
    database_url: str, service: str, metadata: Any
) -> None:
    await (await migrated(service, database_url)).dispose()

    def differences() -> list[object]:
        engine = create_engine(database_url.replace("sqlite+aiosqlite", "sqlite"))
        try:
            with engine.connect() as conn:
                options = {"compare_type": True, "include_object": lambda item, name, kind, *_: _ours(item, kind)}
                return list(compare_metadata(MigrationContext.configure(conn, opts=options), metadata))
        finally:
            engine.dispose()

    assert await asyncio.to_thread(differences) == []


def _ours(item: Any, kind: str) -> bool:
    table = item if kind == "table" else getattr(item, "table", None)
    return table is None or table.name == "idempotency_keys"
