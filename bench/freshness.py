"""freshness_p99_ms: from a 201 on a hazard report to the change being visible in the dispatch table.

On the write-path stack, at a steady open-loop rate (300 writes/s, or half the measured saturation
rate when the system cannot sustain 300/s — recorded as `freshness_rate_per_s`), hazards are
reported with a business time in a marker month no other part of the benchmark uses. A poller
reads that month's province-wide dispatch table back to back — through the gateway's
GET /api/v1/reports/monthly when it serves it, else the reporting service's GET /reports/monthly,
else the read model directly (`freshness_method` says which) — and records when each count was
seen. The k-th 201 (in time order) is matched to the first answer whose count reached k; freshness
is the time between them (an upper bound: the change was visible no later than that answer).
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from bench import bodies, httpload
from bench.stack import Stack
from bench.write_path import Target

MARKER_AT = datetime(2025, 3, 10, 10, 0, tzinfo=timezone(timedelta(hours=8)))
MARKER_PERIOD, MARKER_CUTOFF_DAY, REGION = "2025-03", 28, "37"
FIGURE = "department_inspection_major_found"  # the report body's source and level


def _figure(table: dict[str, Any]) -> int:
    for section in table.get("sections", []):
        for row in section.get("rows", []):
            for figure in row.get("figures", []):
                if figure.get("key") == FIGURE:
                    return int(figure.get("value") or 0)
    raise KeyError(f"{FIGURE} not in the dispatch table")


class Reader:
    """Reads the marker count one way or another."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.method = ""
        self.client: httpx.AsyncClient | None = None
        self.path = ""
        self.db: Any = None

    async def open(self) -> None:
        params = f"?period={MARKER_PERIOD}&region_code={REGION}&cutoff_day={MARKER_CUTOFF_DAY}"
        serves, _ = self.stack.gateway_serves("/api/v1/reports/monthly", "GET")
        if serves:
            self.method = "gateway GET /api/v1/reports/monthly"
            self.client = httpx.AsyncClient(
                base_url=self.stack.url("gateway"), headers=self.stack.public_headers, timeout=30
            )
            self.path = "/api/v1/reports/monthly" + params
        elif self.stack.running("reporting") and (await self._reporting_http(params)):
            self.method = "reporting service GET /reports/monthly (internal headers; the gateway does not serve it)"
        else:
            from hl_platform.db import Database

            self.method = "reporting read model via hl_reporting.application.queries.dispatch_table (no HTTP)"
            self.db = Database(f"sqlite+aiosqlite:///{self.stack.root / 'reporting.db'}")
        await self.count()  # fails early if the chosen way does not work

    async def _reporting_http(self, params: str) -> bool:
        client = httpx.AsyncClient(
            base_url=self.stack.url("reporting"), headers=self.stack.internal_headers, timeout=30
        )
        answer = await client.get("/reports/monthly" + params)
        if answer.status_code == 404:
            await client.aclose()
            return False
        self.client, self.path = client, "/reports/monthly" + params
        return True

    async def count(self) -> int:
        if self.client is not None:
            answer = await self.client.get(self.path)
            answer.raise_for_status()
            return _figure(answer.json())
        from hl_catalogue import RegionCatalogue
        from hl_reporting.adapters.unit_of_work import SqlUnitOfWork
        from hl_reporting.application import queries

        async with SqlUnitOfWork(self.db, write=False) as uow:
            table = await queries.dispatch_table(
                uow,
                period=MARKER_PERIOD,
                region_code=REGION,
                cutoff_day=MARKER_CUTOFF_DAY,
                catalogue=RegionCatalogue.load_default(),
            )
        return int(table.figures[FIGURE] or 0)

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
        if self.db is not None:
            await self.db.dispose()


def match(ok_times: list[float], polls: list[tuple[float, int]]) -> list[float]:
    """For the k-th 201 (by time), the delay to the first poll answer showing a count ≥ k."""
    delays = []
    ordered = sorted(ok_times)
    j = 0
    for k, at in enumerate(ordered, start=1):
        while j < len(polls) and polls[j][1] < k:
            j += 1
        if j == len(polls):
            break
        delays.append(max(0.0, polls[j][0] - at) * 1000)
    return delays


async def run(
    stack: Stack,
    target: Target,
    enterprise_id: str,
    cfg: Any,
    write_per_s: float | None,
    figures: dict[str, Any],
    reasons: dict[str, str],
    details: dict[str, Any],
) -> None:
    rate = cfg.freshness_rate
    if write_per_s and write_per_s < cfg.freshness_rate * 1.1:
        rate = round(write_per_s * 0.5, 1)
    info: dict[str, Any] = {"rate_per_s": rate, "target_rate_per_s": cfg.freshness_rate, "marker_period": MARKER_PERIOD}
    details["freshness"] = info
    figures["freshness_rate_per_s"] = rate
    reader = Reader(stack)
    await reader.open()
    figures["freshness_method"] = reader.method
    start_count = await reader.count()
    polls: list[tuple[float, int]] = []
    load_done = asyncio.Event()
    total = max(50, int(rate * cfg.freshness_seconds))
    expected = [total]

    async def poll() -> None:
        deadline: float | None = None
        while True:
            value = await reader.count() - start_count
            polls.append((time.perf_counter(), value))
            if load_done.is_set():
                deadline = deadline or time.perf_counter() + 30
                if value >= expected[0] or time.perf_counter() > deadline:
                    return
            await asyncio.sleep(0.02)

    body = bodies.report_body(enterprise_id, found_at=MARKER_AT)
    raw = httpload.encode_request("POST", "127.0.0.1", target.port, target.path, bodies.dumps(body), target.headers)
    poller = asyncio.create_task(poll())
    result = await httpload.open_loop(
        "127.0.0.1", target.port, lambda _i: raw, total=total, rate=rate, keep_answers=True
    )
    ok_times = [done for _, done, status, _ in result.answers if status == 201]
    expected[0] = len(ok_times)
    load_done.set()
    await poller
    await reader.close()
    delays = match(ok_times, polls)
    info |= {
        "writes": total,
        "created": len(ok_times),
        "visible": min(len(delays), len(ok_times)),
        "polls": len(polls),
        "write_latency_p99_ms": _r(httpload.percentile(result.latencies_ms, 99)),
        "errors": dict(result.errors),
        "p50_ms": _r(httpload.percentile(delays, 50)),
        "max_ms": _r(max(delays) if delays else None),
        "statuses": {str(k): v for k, v in result.statuses.items()},
    }
    if not ok_times:
        figures["freshness_p99_ms"], reasons["freshness_p99_ms"] = None, f"no write succeeded: {dict(result.statuses)}"
    elif len(delays) < len(ok_times):
        figures["freshness_p99_ms"] = None
        reasons["freshness_p99_ms"] = (
            f"only {len(delays)} of {len(ok_times)} reported hazards visible 30 s after the load"
        )
    else:
        figures["freshness_p99_ms"] = _r(httpload.percentile(delays, 99))


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
