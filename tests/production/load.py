"""Load through the gateway while a fault is injected, and the check that follows it.

A `Writer` reports hazards through the public API (`POST /api/v1/hazards`, an inspector's key) at
a steady pace and remembers which reports were acknowledged (201) and when. A report that got no
answer or a 5xx is not retried, so it is either absent from the event store or there exactly once.
A `Reader` asks for the dispatch table meanwhile. Unavailability is the longest stretch in which
no request of the kind succeeded.

The truth is the hazard service's event store in PostgreSQL; the check is that the reporting
service's `hazard_state` holds exactly the stored hazards at their versions, the dispatch table's
figures equal the store's counts, and the JetStream stream holds each stored event once. Every
test writes for its own enterprise in its own county, so that its figures are its own.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.faults.harness import DEPARTMENT, GENERAL, KINDS, MAJOR, SELF, figure, period_and_since
from tests.production.stack import Stack
from tests.support.uscc import random_uscc

GONE = (httpx.TransportError,)


def api(stack: Stack, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"{stack.gateway_url}/api/v1", headers={"Authorization": f"Bearer {key}"}, timeout=30
    )


async def issue_key(stack: Stack, **identity: Any) -> str:
    async with api(stack, stack.admin_key) as admin:
        answer = await admin.post("/api-keys", json=identity)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["key"])


@dataclass
class County:
    """One test's own patch of Weihai (3710): an inspector, a city supervisor, an enterprise and
    its own user (self-inspection reports come from the enterprise itself)."""

    code: str
    inspector: str
    supervisor: str
    enterprise_id: str
    company: str
    # The county's figures and stream messages before the test wrote: a kept stack
    # (HL_STACK_KEEP=1) may hold an earlier run's hazards there.
    baseline: dict[str, int] = field(default_factory=dict)
    stream_baseline: int = 0


async def county(stack: Stack, code: str, name: str) -> County:
    inspector = await issue_key(
        stack, role="inspector", name="王检查", region_code="3710", department="威海市应急管理局"
    )
    supervisor = await issue_key(stack, role="supervisor", name="威海市安委办", region_code="3710", level="city")
    body = {
        "uscc": random_uscc(),
        "name": name,
        "region_code": code,
        "industry": "hazardous_chemicals",
        "principal": {"name": "赵总", "phone": "13806310000"},
        "high_risk": True,
    }
    async with api(stack, inspector) as client:
        answer = await client.post("/enterprises", json=body)
    assert answer.status_code == 201, answer.text
    enterprise_id = str(answer.json()["id"])
    company = await issue_key(stack, role="enterprise", name="安全员", region_code=code, enterprise_id=enterprise_id)
    place = County(code, inspector, supervisor, enterprise_id, company)
    place.baseline = await dispatch_figures(stack, place, datetime.now(UTC) - timedelta(hours=2))
    place.stream_baseline = await stream_events(stack, code)
    return place


@dataclass
class Attempt:
    n: int
    title: str
    source: str
    level: str
    sent_at: float
    status: int | None = None
    hazard_id: str | None = None
    error: str | None = None


@dataclass
class Writer:
    """`clients` concurrent reporters, `rate` reports a second in all, until stopped or `limit`."""

    stack: Stack
    place: County
    tag: str
    rate: float = 8.0
    clients: int = 3
    limit: int = 2000
    acked: dict[str, Attempt] = field(default_factory=dict)
    failed: list[Attempt] = field(default_factory=list)
    ack_times: list[float] = field(default_factory=list)
    found_at: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(hours=2))
    sent: int = 0
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        self._stop.set()
        assert self._task is not None
        await asyncio.wait_for(self._task, 60)

    async def acked_at_least(self, count: int, timeout: float = 90) -> None:
        async with asyncio.timeout(timeout):
            while len(self.acked) < count:
                if self._task is not None and self._task.done():
                    await self._task
                    raise AssertionError(f"the writer stopped at {len(self.acked)} acknowledged reports")
                await asyncio.sleep(0.05)

    async def _run(self) -> None:
        async with api(self.stack, self.place.inspector) as inspector, api(self.stack, self.place.company) as company:
            await asyncio.gather(*(self._client(inspector, company) for _ in range(self.clients)))

    async def _client(self, inspector: httpx.AsyncClient, company: httpx.AsyncClient) -> None:
        pause = self.clients / self.rate
        while not self._stop.is_set() and self.sent < self.limit:
            n = self.sent
            self.sent += 1
            source, level = KINDS[n % len(KINDS)]
            attempt = Attempt(n, f"{self.tag}隐患 #{n:05d}", source, level, time.monotonic())
            await self._report(company if source == SELF else inspector, attempt)
            await asyncio.sleep(max(0.0, attempt.sent_at + pause - time.monotonic()))

    async def _report(self, client: httpx.AsyncClient, attempt: Attempt) -> None:
        body: dict[str, Any] = {
            "enterprise_id": self.place.enterprise_id,
            "source": attempt.source,
            "level": attempt.level,
            "title": attempt.title,
            "found_at": self.found_at.isoformat(),
            "found_by": "王检查",
        }
        if attempt.level == MAJOR:
            body["production_halt"] = "partial"
        while True:
            try:
                answer = await client.post("/hazards", json=body)
            except GONE as exc:
                attempt.error = repr(exc)
                self.failed.append(attempt)
                return
            if answer.status_code == 409 and answer.json().get("rule") == "enterprise-unknown":
                await asyncio.sleep(0.2)  # the hazard service has not seen the enterprise yet: nothing stored
                continue
            if answer.status_code == 429:
                await asyncio.sleep(float(answer.headers.get("retry-after", "1")))  # refused before any write
                continue
            attempt.status = answer.status_code
            if answer.status_code >= 500:
                attempt.error = answer.text[:300]
                self.failed.append(attempt)
                return
            assert answer.status_code == 201, f"unexpected answer to a valid report: {answer.status_code} {answer.text}"
            attempt.hazard_id = str(answer.json()["id"])
            self.acked[attempt.hazard_id] = attempt
            self.ack_times.append(time.monotonic())
            return


@dataclass
class Reader:
    """The dispatch table of the county, asked for every `every` seconds through the gateway."""

    stack: Stack
    place: County
    every: float = 0.25
    ok_times: list[float] = field(default_factory=list)
    failures: int = 0
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        self._stop.set()
        assert self._task is not None
        await asyncio.wait_for(self._task, 60)

    async def _run(self) -> None:
        period, since = period_and_since(datetime.now(UTC) - timedelta(hours=2))
        params = {"period": period, "region_code": self.place.code, "since": since.isoformat()}
        async with api(self.stack, self.place.supervisor) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    answer = await client.get("/reports/monthly", params=params)
                    if answer.status_code == 200:
                        self.ok_times.append(time.monotonic())
                    else:
                        self.failures += 1
                except GONE:
                    self.failures += 1
                await asyncio.sleep(max(0.0, started + self.every - time.monotonic()))


def longest_gap(times: list[float], start: float, end: float) -> float:
    """The longest stretch within [start, end] with no success in `times`."""
    points = [start, *sorted(t for t in times if start < t < end), end]
    return max(b - a for a, b in itertools.pairwise(points))


# -- the truth and the projection ----------------------------------------------------------------


@dataclass
class Truth:
    versions: dict[str, int]
    kinds: dict[str, tuple[str, str]]  # hazard id → (source, level)
    titles: dict[str, str]
    events: int
    unpublished: int


def read_truth(stack: Stack, enterprise_id: str) -> Truth:
    rows = stack.sql(
        "hazard",
        "SELECT coalesce(json_agg(json_build_object('id', e.aggregate_id, 'version', e.version, "
        "'type', e.event_type, 'data', (e.envelope::json)->'data', 'published', o.published_at IS NOT NULL) "
        "ORDER BY e.position), '[]') FROM events e JOIN outbox o ON o.event_id = e.event_id "
        "WHERE e.aggregate_type = 'hazard' AND e.aggregate_id IN (SELECT aggregate_id FROM events "
        f"WHERE event_type = 'hazard.found' AND (envelope::json)->'data'->>'enterprise_id' = '{enterprise_id}')",
    )
    versions: dict[str, int] = {}
    kinds: dict[str, tuple[str, str]] = {}
    titles: dict[str, str] = {}
    for row in rows:
        versions[row["id"]] = max(row["version"], versions.get(row["id"], 0))
        if row["type"] == "hazard.found":
            kinds[row["id"]] = (row["data"]["source"], row["data"]["level"])
            titles[row["id"]] = row["data"]["title"]
    return Truth(versions, kinds, titles, len(rows), sum(1 for row in rows if not row["published"]))


@dataclass
class Projection:
    versions: dict[str, int]
    kinds: dict[str, tuple[str, str]]
    dead_letters: int
    pending: int


def read_projection(stack: Stack, enterprise_id: str) -> Projection:
    rows = stack.sql(
        "reporting",
        "SELECT coalesce(json_agg(json_build_object('id', hazard_id, 'version', version, 'source', source, "
        f"'level', level)), '[]') FROM hazard_state WHERE enterprise_id = '{enterprise_id}'",
    )
    counts = stack.sql(
        "reporting",
        "SELECT json_build_object('dead', (SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL), "
        "'pending', (SELECT count(*) FROM pending_events))",
    )
    return Projection(
        versions={row["id"]: row["version"] for row in rows},
        kinds={row["id"]: (row["source"], row["level"]) for row in rows},
        dead_letters=counts["dead"],
        pending=counts["pending"],
    )


async def stream_events(stack: Stack, county_code: str) -> int:
    """Messages in HL_HAZARD on the county's subjects, as the operators' user sees them."""
    nc = await stack.nats("hl-admin", max_reconnect_attempts=3)
    try:
        info = await nc.jetstream(timeout=10).stream_info(
            "HL_HAZARD", subjects_filter=f"hl.v1.hazard.*.37.3710.{county_code}"
        )
        return sum((info.state.subjects or {}).values())
    finally:
        await nc.close()


async def dispatch_figures(stack: Stack, place: County, found_at: datetime) -> dict[str, int]:
    period, since = period_and_since(found_at)
    params = {"period": period, "region_code": place.code, "since": since.isoformat()}
    async with api(stack, place.supervisor) as client:
        answer = await client.get("/reports/monthly", params=params)
    assert answer.status_code == 200, answer.text
    table = answer.json()
    keys = ("department_inspection_major_found", "self_inspection_major_found", "major_found", "general_found")
    return {key: int(figure(table, key)) for key in keys}


def expected_figures(truth: Truth) -> dict[str, int]:
    kinds = Counter(truth.kinds.values())
    return {
        "department_inspection_major_found": kinds[(DEPARTMENT, MAJOR)],
        "self_inspection_major_found": kinds[(SELF, MAJOR)],
        "major_found": kinds[(DEPARTMENT, MAJOR)] + kinds[(SELF, MAJOR)],
        "general_found": kinds[(DEPARTMENT, GENERAL)] + kinds[(SELF, GENERAL)],
    }


@dataclass
class Outcome:
    """What a fault test measured; printed in the suite's summary."""

    acknowledged: int
    unanswered: int
    unanswered_but_stored: int
    stored: int
    counted: int
    converged_s: float


async def check_exactly_once(stack: Stack, place: County, writer: Writer, timeout: float = 120) -> Outcome:
    """Every acknowledged report stored once, projected once and counted once; an unanswered one
    at most once; the stream holding each stored event once. Returns the figures."""
    start = time.monotonic()
    while True:
        truth = await asyncio.to_thread(read_truth, stack, place.enterprise_id)
        projection = await asyncio.to_thread(read_projection, stack, place.enterprise_id)
        if truth.unpublished == 0 and projection.versions == truth.versions:
            break
        if time.monotonic() - start > timeout:
            behind = sum(1 for h, v in truth.versions.items() if projection.versions.get(h) != v)
            raise AssertionError(
                f"no convergence in {timeout:.0f} s: {truth.unpublished} events unpublished, {behind} hazards "
                f"behind, dead letters {projection.dead_letters}, pending {projection.pending}"
            )
        await asyncio.sleep(0.5)
    converged = time.monotonic() - start

    missing = set(writer.acked) - set(truth.kinds)
    assert not missing, f"{len(missing)} acknowledged reports are not in the event store"
    titles = Counter(truth.titles.values())
    assert not titles or max(titles.values()) == 1, f"a report stored twice: {titles.most_common(3)}"
    unanswered = {attempt.title for attempt in writer.failed}
    extra = {h for h in truth.kinds if h not in writer.acked}
    assert all(truth.titles[h] in unanswered for h in extra), "a stored hazard that no request asked for"
    for hazard_id, attempt in writer.acked.items():
        assert truth.kinds[hazard_id] == (attempt.source, attempt.level)
    assert projection.kinds == truth.kinds, "hazard_state holds exactly the stored hazards"
    assert projection.dead_letters == 0 and projection.pending == 0, "nothing parked, nothing held"
    figures = await dispatch_figures(stack, place, writer.found_at)
    expected = {key: place.baseline[key] + value for key, value in expected_figures(truth).items()}
    assert figures == expected, f"the dispatch table counts each stored report once: {figures} != {expected}"
    in_stream = await stream_events(stack, place.code) - place.stream_baseline
    assert in_stream == truth.events, f"each stored event once in the stream: {in_stream} != {truth.events}"
    return Outcome(
        acknowledged=len(writer.acked),
        unanswered=len(writer.failed),
        unanswered_but_stored=len(extra),
        stored=len(truth.kinds),
        counted=sum(figures[key] - place.baseline[key] for key in ("major_found", "general_found")),
        converged_s=converged,
    )
