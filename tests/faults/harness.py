"""What every fault test shares: a running stack of service processes, a writer that drives the
hazard service over HTTP and remembers which writes were acknowledged, and the check that the
projections hold every acknowledged write exactly once.

The truth is the hazard service's own event store (its SQLite file): a write that got a 2xx must
be in it; one that got no answer (its process was killed) may or may not be, but only if it was
sent. The reporting service's `hazard_state` must then hold exactly the store's hazards, each at
the store's version, and the dispatch table's figures must equal the store's counts.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import nats

from tests.integration.enterprise.test_enterprise_api import enterprise_body
from tests.support.callers import ADMIN, CITY_SUPERVISOR, INSPECTOR, headers_for
from tests.support.processes import ServiceStack

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEPARTMENT, SELF = "department_inspection", "self_inspection"
MAJOR, GENERAL = "major", "general"
# The writer cycles through these, so every figure below is exercised.
KINDS = ((DEPARTMENT, MAJOR), (SELF, MAJOR), (DEPARTMENT, GENERAL), (SELF, GENERAL))
# Errors that mean "the service (or the connection to it) went away": the write is not acknowledged.
GONE = (httpx.TransportError,)


@asynccontextmanager
async def running_stack(
    data_dir: Path,
    nats_urls: str | Iterable[str],
    *,
    services: Iterable[str] = ("enterprise", "hazard", "reporting"),
    start: Iterable[str] | None = None,
    stream_replicas: int = 1,
    extra_env: dict[str, str] | None = None,
) -> AsyncIterator[ServiceStack]:
    """Migrated service processes, started (all, or those in `start`); stopped on the way out."""
    stack = ServiceStack(data_dir, nats_urls, services=services, stream_replicas=stream_replicas, extra_env=extra_env)
    await stack.migrate()
    try:
        await stack.start(start)
        yield stack
    finally:
        stack.stop()


async def register_enterprise(stack: ServiceStack) -> str:
    async with httpx.AsyncClient(base_url=stack["enterprise"].base_url, timeout=30) as client:
        answer = await client.post("/enterprises", json=enterprise_body(), headers=headers_for(INSPECTOR, stack.token))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


# -- the writer --------------------------------------------------------------------------------


@dataclass
class Attempt:
    """One request the writer sent; `acked` when it got a 2xx."""

    n: int
    title: str
    source: str
    level: str
    status: int | None = None
    hazard_id: str | None = None
    error: str | None = None

    @property
    def acked(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Writer:
    """A few concurrent clients reporting hazards until `total` are acknowledged.

    A report whose request fails (connection refused or reset, a 5xx) counts as not acknowledged
    and is never retried (there is no idempotency key at this layer), so an unacknowledged write
    is either absent from the store or present exactly once under its unique title. Every
    `escalate_every`-th acknowledged major hazard is also listed for supervision (version 2), and
    with `plan_majors` every acknowledged major gets a plan first (so listed ones reach version 3).
    """

    base_url: str
    token: str
    enterprise_id: str
    total: int = 200
    clients: int = 4
    escalate_every: int = 3
    plan_majors: bool = False
    tag: str = "故障注入"
    max_failures: int = 500
    acked: dict[str, Attempt] = field(default_factory=dict)  # hazard id → its report
    failed: list[Attempt] = field(default_factory=list)
    escalated: set[str] = field(default_factory=set)  # hazard ids whose listing was acknowledged
    failed_follow_ups: set[str] = field(default_factory=set)  # hazard ids whose plan/listing got no 2xx
    sent: int = 0
    found_at: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(hours=2))
    _task: asyncio.Task[None] | None = field(default=None, repr=False)

    def _body(self, attempt: Attempt) -> dict[str, Any]:
        body: dict[str, Any] = {
            "enterprise_id": self.enterprise_id,
            "source": attempt.source,
            "level": attempt.level,
            "title": attempt.title,
            "found_at": self.found_at.isoformat(),
            "found_by": "王检查",
        }
        if attempt.level == MAJOR:
            body["production_halt"] = "partial"
        return body

    async def run(self, timeout: float = 60.0) -> None:
        async with asyncio.timeout(timeout), httpx.AsyncClient(base_url=self.base_url, timeout=30) as client:
            await asyncio.gather(*(self._client(client) for _ in range(self.clients)))

    async def _client(self, client: httpx.AsyncClient) -> None:
        while len(self.acked) < self.total:
            n = self.sent
            self.sent += 1
            source, level = KINDS[n % len(KINDS)]
            attempt = Attempt(n, f"{self.tag}隐患 #{n:04d}", source, level)
            await self._report(client, attempt)
            if attempt.acked and attempt.level == MAJOR:
                await self._follow_up(client, attempt)

    async def _report(self, client: httpx.AsyncClient, attempt: Attempt) -> None:
        while True:
            try:
                answer = await client.post("/hazards", json=self._body(attempt), headers=headers_for(ADMIN, self.token))
            except GONE as exc:
                attempt.error = repr(exc)
                self._fail(attempt)
                await asyncio.sleep(0.2)  # the process is away; do not spin
                return
            if answer.status_code == 409 and answer.json().get("rule") == "enterprise-unknown":
                await asyncio.sleep(0.1)  # the replica has not seen the enterprise yet: nothing was stored
                continue
            attempt.status = answer.status_code
            if answer.status_code >= 500:
                attempt.error = answer.text
                self._fail(attempt)
                await asyncio.sleep(0.2)
                return
            assert answer.status_code == 201, f"unexpected answer to a valid report: {answer.status_code} {answer.text}"
            attempt.hazard_id = answer.json()["id"]
            self.acked[attempt.hazard_id] = attempt
            return

    def _fail(self, attempt: Attempt) -> None:
        self.failed.append(attempt)
        assert len(self.failed) <= self.max_failures, f"{len(self.failed)} failed writes: {attempt.error}"

    async def _follow_up(self, client: httpx.AsyncClient, attempt: Attempt) -> None:
        assert attempt.hazard_id is not None
        hazard_id = attempt.hazard_id
        majors = sum(1 for a in self.acked.values() if a.level == MAJOR)
        escalate = self.escalate_every > 0 and majors % self.escalate_every == 0
        now = datetime.now(UTC)
        steps: list[tuple[str, dict[str, Any]]] = []
        if self.plan_majors:
            plan = {
                "responsible_person": "赵总",
                "measures": "更换报警装置",
                "funds_yuan": "1000",
                "deadline": (now + timedelta(days=30)).date().isoformat(),
                "emergency_plan": "有",
            }
            steps.append(("plan", plan))
        if escalate:
            listing = {
                "level": "city",
                "authority": "威海市安委会",
                "reason": "挂牌督办",
                "escalated_at": (self.found_at + timedelta(minutes=30)).isoformat(),
                "deadline": (now + timedelta(days=20)).date().isoformat(),
            }
            steps.append(("escalation", listing))
        for path, body in steps:
            try:
                answer = await client.post(
                    f"/hazards/{hazard_id}/{path}", json=body, headers=headers_for(ADMIN, self.token)
                )
            except GONE:
                self.failed_follow_ups.add(hazard_id)
                await asyncio.sleep(0.2)
                return
            if answer.status_code >= 500:
                self.failed_follow_ups.add(hazard_id)
                return
            assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text}"
            if path == "escalation":
                self.escalated.add(hazard_id)

    def start(self, timeout: float = 90.0) -> asyncio.Task[None]:
        """Run in the background (the test injects its fault meanwhile); await the task to finish."""
        self._task = asyncio.ensure_future(self.run(timeout))
        return self._task

    async def acked_at_least(self, count: int, timeout: float = 60.0) -> None:
        """Until `count` writes were acknowledged; the writer's own failure is raised at once."""
        async with asyncio.timeout(timeout):
            while len(self.acked) < count:
                if self._task is not None and self._task.done():
                    await self._task
                    raise AssertionError(f"the writer stopped at {len(self.acked)} acknowledged writes")
                await asyncio.sleep(0.01)


# -- the truth and the projection ----------------------------------------------------------------


def query_sqlite(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """A read of a service's SQLite file (WAL: never in a writer's way)."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@dataclass
class Found:
    source: str
    level: str
    title: str
    found_at: datetime


@dataclass
class Truth:
    """The hazard service's event store."""

    versions: dict[str, int]  # hazard id → last version
    found: dict[str, Found]
    listed: set[str]
    events: int
    envelopes: list[tuple[str, int, str, str]]  # (hazard id, version, subject, envelope) in store order
    unpublished: int


def read_truth(hazard_db: Path) -> Truth:
    rows = query_sqlite(
        hazard_db,
        "SELECT e.aggregate_id, e.version, e.event_type, e.envelope, o.subject FROM events e "
        "JOIN outbox o ON o.event_id = e.event_id WHERE e.aggregate_type = 'hazard' ORDER BY e.position",
    )
    versions: dict[str, int] = {}
    found: dict[str, Found] = {}
    listed: set[str] = set()
    envelopes = []
    for aggregate_id, version, event_type, envelope, subject in rows:
        versions[aggregate_id] = max(version, versions.get(aggregate_id, 0))
        envelopes.append((aggregate_id, version, subject, envelope))
        if event_type == "hazard.found":
            data = json.loads(envelope)["data"]
            found[aggregate_id] = Found(
                data["source"], data["level"], data["title"], datetime.fromisoformat(data["found_at"])
            )
        elif event_type == "hazard.escalated":
            listed.add(aggregate_id)
    unpublished = query_sqlite(hazard_db, "SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0]
    return Truth(versions, found, listed, len(rows), envelopes, unpublished)


@dataclass
class Projection:
    """The reporting service's read model and its consumer bookkeeping."""

    versions: dict[str, int]
    listed: set[str]
    kinds: Counter[tuple[str, str]]
    dead_letters: list[tuple[Any, ...]]
    pending: int


def read_projection(reporting_db: Path) -> Projection:
    rows = query_sqlite(reporting_db, "SELECT hazard_id, version, source, level, listing_level FROM hazard_state")
    return Projection(
        versions={row[0]: row[1] for row in rows},
        listed={row[0] for row in rows if row[4]},
        kinds=Counter((row[2], row[3]) for row in rows),
        dead_letters=query_sqlite(reporting_db, "SELECT consumer, event_id, error FROM dead_letters"),
        pending=query_sqlite(reporting_db, "SELECT count(*) FROM pending_events")[0][0],
    )


def hazard_state_count(reporting_db: Path) -> int:
    return int(query_sqlite(reporting_db, "SELECT count(*) FROM hazard_state")[0][0])


def check_acknowledged_writes_are_stored(truth: Truth, writer: Writer, *, clean: bool) -> None:
    """Every 2xx is in the event store; anything else stored there is a write that got no answer."""
    missing = set(writer.acked) - set(truth.found)
    assert not missing, f"{len(missing)} acknowledged hazard reports are not in the event store: {sorted(missing)[:5]}"
    extra = set(truth.found) - set(writer.acked)
    unanswered = {attempt.title for attempt in writer.failed}
    phantom = [h for h in extra if truth.found[h].title not in unanswered]
    assert not phantom, f"hazards stored that no request of this test asked for: {phantom[:5]}"
    titles = Counter(found.title for found in truth.found.values())
    assert max(titles.values()) == 1, f"a report stored twice: {titles.most_common(3)}"
    for hazard_id, attempt in writer.acked.items():
        stored = truth.found[hazard_id]
        assert (stored.source, stored.level, stored.title) == (attempt.source, attempt.level, attempt.title)
    lost_listings = writer.escalated - truth.listed
    assert not lost_listings, f"acknowledged listings not in the event store: {sorted(lost_listings)[:5]}"
    assert truth.listed - writer.escalated <= writer.failed_follow_ups
    if clean:
        assert not writer.failed and not writer.failed_follow_ups, f"writes refused: {writer.failed[:3]}"
        assert set(truth.found) == set(writer.acked) and truth.listed == writer.escalated


async def wait_until_projected(stack: ServiceStack, timeout: float = 45.0) -> tuple[Truth, Projection]:
    """Poll until the outbox is drained and `hazard_state` holds the store's hazards at the store's
    versions; on timeout, fail with what differs."""
    hazard_db, reporting_db = stack.sqlite_path("hazard"), stack.sqlite_path("reporting")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        truth, projection = read_truth(hazard_db), read_projection(reporting_db)
        if truth.unpublished == 0 and projection.versions == truth.versions:
            return truth, projection
        if loop.time() > deadline:
            behind = {
                h: (v, projection.versions.get(h)) for h, v in truth.versions.items() if projection.versions.get(h) != v
            }
            unknown = set(projection.versions) - set(truth.versions)
            raise AssertionError(
                f"projection did not converge in {timeout:.0f} s: {truth.unpublished} outbox rows unpublished, "
                f"{len(behind)} hazards behind (store, projected) e.g. {list(behind.items())[:5]}, "
                f"{len(unknown)} unknown to the store; dead letters {projection.dead_letters[:3]}, "
                f"pending {projection.pending}\n--- reporting log ---\n{stack['reporting'].log_tail()}"
                f"\n--- hazard log ---\n{stack['hazard'].log_tail()}"
            )
        await asyncio.sleep(0.2)


def period_and_since(found_at: datetime) -> tuple[str, date]:
    """The dispatch period whose window holds `found_at` (cut-off the 24th), counted from a week
    before it (explicit, so that a run around New Year counts the same hazards)."""
    day = found_at.astimezone(SHANGHAI).date()
    period = f"{day:%Y-%m}" if day.day <= 24 else f"{(day.replace(day=1) + timedelta(days=32)):%Y-%m}"
    return period, day - timedelta(days=7)


def figure(table: dict[str, Any], key: str) -> Any:
    for section in table["sections"]:
        for row in section["rows"]:
            for item in row["figures"]:
                if item["key"] == key:
                    return item["value"]
    raise KeyError(key)


async def dispatch_table(stack: ServiceStack, found_at: datetime) -> dict[str, Any]:
    period, since = period_and_since(found_at)
    params = {"period": period, "region_code": "3710", "since": since.isoformat()}
    async with httpx.AsyncClient(base_url=stack["reporting"].base_url, timeout=30) as client:
        answer = await client.get("/reports/monthly", params=params, headers=headers_for(CITY_SUPERVISOR, stack.token))
    assert answer.status_code == 200, answer.text
    table: dict[str, Any] = answer.json()
    return table


def expected_figures(truth: Truth) -> dict[str, int]:
    kinds = Counter((found.source, found.level) for found in truth.found.values())
    return {
        "department_inspection_major_found": kinds[(DEPARTMENT, MAJOR)],
        "self_inspection_major_found": kinds[(SELF, MAJOR)],
        "major_found": kinds[(DEPARTMENT, MAJOR)] + kinds[(SELF, MAJOR)],
        "general_found": kinds[(DEPARTMENT, GENERAL)] + kinds[(SELF, GENERAL)],
        "listed_major": len(truth.listed),
        "listed_city": len(truth.listed),
    }


async def stream_messages(urls: str | list[str], stream: str = "HL_HAZARD") -> int:
    nc = await nats.connect(urls, connect_timeout=2, max_reconnect_attempts=5)
    try:
        return int((await nc.jetstream(timeout=10).stream_info(stream)).state.messages)
    finally:
        await nc.close()


async def check_exactly_once(
    stack: ServiceStack,
    writer: Writer,
    *,
    clean: bool,
    nats_urls: str | list[str] | None = None,
    timeout: float = 45.0,
) -> Truth:
    """The whole check: acknowledged writes stored, projected exactly once, figures exact, nothing
    parked or held, and (given `nats_urls`) the stream holding each event once."""
    check_acknowledged_writes_are_stored(read_truth(stack.sqlite_path("hazard")), writer, clean=clean)
    truth, projection = await wait_until_projected(stack, timeout)
    check_acknowledged_writes_are_stored(truth, writer, clean=clean)  # nothing new appeared meanwhile
    assert set(projection.versions) == set(truth.found), "hazard_state holds exactly the stored hazards"
    assert set(writer.acked) <= set(projection.versions), "every acknowledged report is projected"
    assert projection.listed == truth.listed
    assert projection.kinds == Counter((f.source, f.level) for f in truth.found.values())
    assert projection.dead_letters == [], f"events parked: {projection.dead_letters[:3]}"
    assert projection.pending == 0, "events still held for a gap that never filled"
    table = await dispatch_table(stack, writer.found_at)
    expected = expected_figures(truth)
    assert {key: figure(table, key) for key in expected} == expected
    acked_kinds = Counter((a.source, a.level) for a in writer.acked.values())
    assert figure(table, "department_inspection_major_found") >= acked_kinds[(DEPARTMENT, MAJOR)]
    if clean:
        assert figure(table, "department_inspection_major_found") == acked_kinds[(DEPARTMENT, MAJOR)]
        assert figure(table, "self_inspection_major_found") == acked_kinds[(SELF, MAJOR)]
        assert figure(table, "listed_major") == len(writer.escalated)
    if nats_urls is not None:
        assert await stream_messages(nats_urls) == truth.events, "each event stored in the stream exactly once"
    return truth
