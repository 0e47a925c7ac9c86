"""Bad input against the hazard and enterprise services (in-process, real databases, real NATS):
oversized bodies are 413, malformed JSON, wrong types, unknown fields and huge page sizes are 422
naming the field, all as problem+json, never a 500 — and none of them stores anything. Unicode
edge cases and SQL-looking text are either stored exactly (through the database and the stream)
or refused with a 422; never a 500."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from sqlalchemy import func, select

from hl_contracts import CloudEvent
from hl_enterprise.entrypoints.app import create_app as enterprise_app
from hl_enterprise.settings import EnterpriseSettings
from hl_hazard.entrypoints.app import create_app as hazard_app
from hl_hazard.settings import HazardSettings
from hl_platform.http import MAX_BODY_BYTES
from hl_platform.tables import events, outbox
from hl_stack.nats_server import NatsServer
from tests.integration.enterprise.test_enterprise_api import enterprise_body
from tests.support.callers import ADMIN, INSPECTOR, headers_for, service_client
from tests.support.db import migrated

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
PROBLEM = "application/problem+json"


@pytest.fixture
def enterprise_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second database on the same backend as `database_url` (each service has its own)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'enterprise.db'}"
        return
    import psycopg

    admin = os.environ["HL_TEST_POSTGRES_URL"].replace("postgresql+psycopg://", "postgresql://")
    name = f"hl_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{database_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Services:
    hazard: httpx.AsyncClient
    enterprise: httpx.AsyncClient
    hazard_app: Any
    enterprise_app: Any
    enterprise_id: str
    nats_url: str

    async def stored(self) -> dict[str, int]:
        """Rows in each service's event store and outbox."""
        counts = {}
        for name, app in (("hazard", self.hazard_app), ("enterprise", self.enterprise_app)):
            async with app.state.runtime.db.read() as conn:
                counts[f"{name}.events"] = int(await conn.scalar(select(func.count()).select_from(events)) or 0)
                counts[f"{name}.outbox"] = int(await conn.scalar(select(func.count()).select_from(outbox)) or 0)
        return counts


@pytest.fixture
async def services(
    nats_server: NatsServer, database_url: str, enterprise_database_url: str, tmp_path: Path
) -> AsyncIterator[Services]:
    await (await migrated("hazard", database_url)).dispose()
    await (await migrated("enterprise", enterprise_database_url)).dispose()
    common: dict[str, Any] = {"nats_url": nats_server.url, "data_dir": tmp_path}
    ent_app = enterprise_app(EnterpriseSettings(database_url=enterprise_database_url, **common))
    haz_app = hazard_app(HazardSettings(database_url=database_url, **common))
    async with service_client(ent_app) as ent, service_client(haz_app) as haz:
        created = await ent.post("/enterprises", json=enterprise_body(), headers=headers_for(INSPECTOR))
        assert created.status_code == 201, created.text
        enterprise_id = created.json()["id"]
        async with asyncio.timeout(30):  # until the hazard service's replica knows the enterprise
            while True:
                answer = await haz.post("/hazards", json=report(enterprise_id), headers=headers_for(ADMIN))
                if answer.status_code != 409:
                    break
                await asyncio.sleep(0.1)
        assert answer.status_code == 201, answer.text
        yield Services(haz, ent, haz_app, ent_app, enterprise_id, nats_server.url)


def report(enterprise_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "source": "department_inspection",
        "level": "major",
        "title": "液氨储罐区未设置泄漏报警装置",
        "found_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "found_by": "王检查",
        "production_halt": "partial",
    }
    body.update(overrides)
    return body


def assert_problem(answer: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    """`status` as RFC 9457 problem+json; with `field`, one of its errors names that field."""
    assert answer.status_code == status, f"{answer.status_code} {answer.text[:500]}"
    assert answer.headers["content-type"] == PROBLEM, answer.headers["content-type"]
    problem: dict[str, Any] = answer.json()
    assert problem["status"] == status and problem["title"] and problem["type"].startswith("urn:hazard-ledger:problem:")
    if field is not None:
        fields = [error["field"] for error in problem.get("errors", [])]
        assert field in fields, f"expected an error naming {field!r}, got {fields}: {problem.get('detail')}"
    return problem


JSON = {"content-type": "application/json"}


async def test_refused_input_is_a_clear_error_and_stores_nothing(services: Services) -> None:
    haz, ent, eid = services.hazard, services.enterprise, services.enterprise_id
    admin, inspector = headers_for(ADMIN), headers_for(INSPECTOR)
    hazard_id = (await haz.get("/hazards", headers=admin)).json()["items"][0]["id"]
    before = await services.stored()

    # Oversized bodies announced by Content-Length (streamed ones: see the next test).
    big = report(eid, description="隐" * (MAX_BODY_BYTES // 3 + 10))
    assert_problem(await haz.post("/hazards", json=big, headers=admin), 413)
    assert_problem(
        await ent.post("/enterprises", json=enterprise_body(address="址" * MAX_BODY_BYTES), headers=inspector), 413
    )

    # Malformed JSON and bodies that are not an object.
    for raw in (
        b'{"enterprise_id": "x", ',
        b"{'single': 'quotes'}",
        b"\xff\xfe\x00garbage",
        b"",
        b"[]",
        b'"text"',
        b"null",
    ):
        assert_problem(await haz.post("/hazards", content=raw, headers={**admin, **JSON}), 422)
        assert_problem(await ent.post("/enterprises", content=raw, headers={**inspector, **JSON}), 422)

    # Wrong types and values: 422 naming the field.
    wrong: dict[str, Any] = {
        "level": 5,
        "source": None,
        "title": 12345,
        "found_at": "yesterday afternoon",
        "rectify_immediately": "perhaps",
        "enterprise_id": {"id": eid},
        "deadline": "2026-13-45",
        "production_halt": ["partial"],
        "found_by": "",
    }
    for name, value in wrong.items():
        assert_problem(await haz.post("/hazards", json={**report(eid), name: value}, headers=admin), 422, name)
    assert_problem(await haz.post("/hazards", json=report(eid, title="长" * 201), headers=admin), 422, "title")
    assert_problem(await haz.post("/hazards", json=report(eid, title=" \t\n "), headers=admin), 422, "title")
    missing = report(eid)
    del missing["found_at"]
    assert_problem(await haz.post("/hazards", json=missing, headers=admin), 422, "found_at")
    ent_wrong: dict[str, Any] = {
        "uscc": 91371000,
        "principal": "赵总",
        "high_risk": "perhaps",
        "name": ["a"],
        "region_code": 371002,
    }
    for name, value in ent_wrong.items():
        assert_problem(
            await ent.post("/enterprises", json=enterprise_body(**{name: value}), headers=inspector), 422, name
        )

    # Unknown fields are refused, not ignored.
    assert_problem(await haz.post("/hazards", json=report(eid, colour="red"), headers=admin), 422, "colour")
    assert_problem(await haz.post("/hazards", json=report(eid, id="hz-chosen-by-me"), headers=admin), 422, "id")
    assert_problem(await ent.post("/enterprises", json=enterprise_body(tier="gold"), headers=inspector), 422, "tier")

    # Commands on an existing hazard: the same rules.
    plan = {
        "responsible_person": "李四",
        "measures": "加装报警",
        "funds_yuan": "50000",
        "deadline": (datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
        "emergency_plan": "有",
    }
    for name, value in (
        ("funds_yuan", "-1"),
        ("funds_yuan", "NaN"),
        ("funds_yuan", "Infinity"),
        ("funds_yuan", "1e400"),
        ("funds_yuan", "12.345"),
        ("deadline", "soon"),
    ):
        answer = await haz.post(f"/hazards/{hazard_id}/plan", json={**plan, name: value}, headers=admin)
        assert_problem(answer, 422, name)
    assert_problem(await haz.post(f"/hazards/{hazard_id}/plan", json={**plan, "bonus": 1}, headers=admin), 422, "bonus")
    answer = await haz.post(
        f"/hazards/{hazard_id}/plan", json=plan, headers={**admin, "If-Match": "'; DROP TABLE events; --"}
    )
    assert_problem(answer, 422, "If-Match")

    # Huge (and silly) page sizes and cursors.
    for limit in ("100000", "201", "0", "-1", "many", "1e3"):
        assert_problem(await haz.get("/hazards", params={"limit": limit}, headers=admin), 422, "query.limit")
        assert_problem(await ent.get("/enterprises", params={"limit": limit}, headers=inspector), 422, "query.limit")
    assert_problem(await haz.get("/hazards", params={"cursor": "not a cursor!"}, headers=admin), 422, "cursor")
    assert_problem(await haz.get("/hazards", params={"level": "catastrophic"}, headers=admin), 422, "query.level")

    # SQL-looking query parameters match nothing and break nothing.
    for probe in ("' OR '1'='1", "%", "_", "3710%' --", "'; DROP TABLE events; --"):
        listed = await haz.get("/hazards", params={"region_code": probe}, headers=admin)
        assert listed.status_code == 200 and listed.json()["items"] == [], listed.text
        found = await ent.get("/enterprises", params={"q": probe}, headers=inspector)
        assert found.status_code == 200 and found.json()["items"] == [], found.text
        missing_hazard = await haz.get(f"/hazards/{probe}", headers=admin)
        assert missing_hazard.status_code == 404, missing_hazard.text

    assert await services.stored() == before, "a refused request stored nothing"
    still = await haz.get(f"/hazards/{hazard_id}", headers=admin)
    assert still.status_code == 200 and still.json()["version"] == 1


async def _chunks(first: bytes, size: int) -> AsyncIterator[bytes]:
    """A JSON body of about `size` bytes, sent chunked (no Content-Length to refuse it by)."""
    yield first + b'"description": "'
    for _ in range(size // 32_768 + 1):
        yield b"x" * 32_768
    yield b'"}'


async def test_streamed_oversized_body_is_413(services: Services) -> None:
    haz, eid, admin = services.hazard, services.enterprise_id, headers_for(ADMIN)
    before = await services.stored()
    first = b'{"enterprise_id": "' + eid.encode() + b'", '
    streamed = await haz.post("/hazards", content=_chunks(first, 2 * MAX_BODY_BYTES), headers={**admin, **JSON})
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code != 500
    assert await services.stored() == before
    assert_problem(streamed, 413)


# Text that must come back exactly as sent (no normalisation, no trimming inside, no mangling) or
# be refused with a 422 naming the field. Never a 500.
TITLES = {
    "emoji": "🔥储罐区泄漏⚠️ 🧯",
    "zwj-family": "👨\u200d👩\u200d👧\u200d👦 家庭作坊用火",
    "rtl-marks": "\u200f\u202eسلامة\u202c 隐患\u200e",
    "combining-nfd": "Cafe\u0301 隐\u0300患 a\u0308\u0304",
    "bom-inside": "隐患\ufeff标题",
    "zero-width": "隐\u200b患\u2060",
    "astral-200": "𠀀" * 200,
    "control-chars": "隐患\x07\x1b[31m标题",
    "sql-drop": "'; DROP TABLE events; --",
    "sql-or": "1' OR '1'='1",
    "sql-like": "100% _under_ \\escaped\\",
    "sql-union": 'x" UNION SELECT envelope FROM events --',
}


async def _stream_titles(url: str, count: int) -> dict[str, str]:
    """hazard id → title of every `hazard.found` in HL_HAZARD, once `count` events are there."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream(timeout=10)
        async with asyncio.timeout(30):
            while (await js.stream_info("HL_HAZARD")).state.messages < count:
                await asyncio.sleep(0.1)
        info = await js.stream_info("HL_HAZARD")
        titles = {}
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            event = CloudEvent.from_json((await js.get_msg("HL_HAZARD", seq)).data or b"")
            if event.type == "hazard.found":
                titles[event.subject] = event.data["title"]
        return titles
    finally:
        await nc.close()


async def test_unicode_and_sql_looking_text_is_stored_exactly_or_refused(services: Services) -> None:
    haz, ent, eid = services.hazard, services.enterprise, services.enterprise_id
    admin, inspector = headers_for(ADMIN), headers_for(INSPECTOR)
    before = await services.stored()
    accepted: dict[str, str] = {}  # hazard id → title sent
    outcomes: dict[str, int] = {}
    for case, title in TITLES.items():
        body = report(eid, title=title, found_by=title[:200], description=f"{title} — {case}")
        answer = await haz.post("/hazards", json=body, headers=admin)
        outcomes[case] = answer.status_code
        assert answer.status_code in (201, 422), f"{case}: {answer.status_code} {answer.text[:300]}"
        if answer.status_code == 422:
            assert_problem(answer, 422)
            continue
        created = answer.json()
        assert created["title"] == title and created["found_by"] == title[:200], case
        accepted[created["id"]] = title

    # A lone surrogate is not Unicode at all: it can only be refused.
    raw = (
        b'{"enterprise_id": "' + eid.encode() + b'", "source": "department_inspection", "level": "general", '
        b'"title": "\\ud800 lone", "found_at": "' + report(eid)["found_at"].encode() + b'", "found_by": "x"}'
    )
    answer = await haz.post("/hazards", content=raw, headers={**admin, **JSON})
    outcomes["lone-surrogate"] = answer.status_code
    assert answer.status_code == 422, f"lone surrogate: {answer.status_code} {answer.text[:300]}"
    assert_problem(answer, 422)

    for hazard_id, title in accepted.items():
        read = await haz.get(f"/hazards/{hazard_id}", headers=admin)
        assert read.status_code == 200 and read.json()["title"] == title
        history = (await haz.get(f"/hazards/{hazard_id}/history", headers=admin)).json()
        assert history[0]["data"]["title"] == title and history[0]["data"]["found_by"] == title[:200]
    listed = (await haz.get("/hazards", params={"limit": 200}, headers=admin)).json()["items"]
    assert {h["id"]: h["title"] for h in listed if h["id"] in accepted} == accepted

    after = await services.stored()
    assert after["hazard.events"] == before["hazard.events"] + len(accepted), "one event per accepted report, no more"
    assert after["enterprise.events"] == before["enterprise.events"]
    stream = await _stream_titles(services.nats_url, after["hazard.events"])
    assert {h: t for h, t in stream.items() if h in accepted} == accepted, "published exactly as stored"

    # The same text in an enterprise's name: stored exactly, and found verbatim by the search.
    for case in ("emoji", "rtl-marks", "combining-nfd", "sql-drop", "sql-like", "control-chars"):
        name = TITLES[case]
        answer = await ent.post("/enterprises", json=enterprise_body(name=name), headers=inspector)
        assert answer.status_code in (201, 422), f"{case}: {answer.status_code} {answer.text[:300]}"
        if answer.status_code == 422:
            assert_problem(answer, 422, "name")
            continue
        enterprise_id = answer.json()["id"]
        assert (await ent.get(f"/enterprises/{enterprise_id}", headers=inspector)).json()["name"] == name
        found = (await ent.get("/enterprises", params={"q": name[:100]}, headers=inspector)).json()["items"]
        assert [e["id"] for e in found] == [enterprise_id], case
    assert not [case for case, status in outcomes.items() if status >= 500]


NUL = "隐患\x00标题"


async def test_a_nul_byte_is_stored_exactly_or_refused(
    services: Services, database_url: str, request: pytest.FixtureRequest
) -> None:
    """JSON may carry U+0000 ("\\u0000"); SQLite stores it, PostgreSQL text cannot hold it."""
    haz, ent, eid = services.hazard, services.enterprise, services.enterprise_id
    admin, inspector = headers_for(ADMIN), headers_for(INSPECTOR)
    before = await services.stored()
    stored = 0
    for field in ("title", "found_by", "description"):
        answer = await haz.post("/hazards", json=report(eid, **{field: NUL}), headers=admin)
        assert answer.status_code in (201, 422), f"{field}: {answer.status_code} {answer.text[:300]}"
        if answer.status_code == 422:
            assert_problem(answer, 422, field)
            continue
        stored += 1
        read = await haz.get(f"/hazards/{answer.json()['id']}", headers=admin)
        assert read.json()[field] == NUL
    answer = await ent.post("/enterprises", json=enterprise_body(name=NUL), headers=inspector)
    assert answer.status_code in (201, 422), f"name: {answer.status_code} {answer.text[:300]}"
    if answer.status_code == 201:
        assert (await ent.get(f"/enterprises/{answer.json()['id']}", headers=inspector)).json()["name"] == NUL
    else:
        assert_problem(answer, 422, "name")
    after = await services.stored()
    assert after["hazard.events"] == before["hazard.events"] + stored
