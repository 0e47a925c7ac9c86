"""report_p99_ms, report_asof_p99_ms, report_custom_window_p99_ms, supervision_p99_ms, report_hazards,
reporting_rss_mb, rebuild_s.

1. `report_hazards` hazards' histories (bench/datagen.py) go straight into HL_HAZARD on a fresh
   nats-server (what a rebuild replays).
2. The reporting read model is filled straight from the same histories (bench/fill.py: the
   projection's own domain code, bulk I/O; replay.py checks it equals what the consumer builds),
   and the reporting durables are created at the stream's end, as a caught-up service has them.
3. A reporting service process (`hl_stack serve reporting`, consumers on) serves the queries:
   the province-wide dispatch table with its per-city breakdown (GET /reports/monthly, cycling
   over the last six periods); the same as known at a moment (`as_of` the 25th at 10:00, the
   morning a table is submitted, and the 20th at 15:00, a period still running); the same for
   other windows (`since` the 10th of a month three months earlier; `cutoff_day=20`); and
   supervision-list pages (GET /reports/supervision-list, walking the cursor), sequentially, with
   the internal headers the gateway sends. Should its HTTP not be there, the query functions are
   called on the read model directly (recorded as the method).
4. Rebuild: bench/rebuild_worker.py runs the rebuild (`./hl rebuild-projections`'s code) in its own
   process; past the time budget it stops and the time is extrapolated from its progress.
`reporting_rss_mb` is the larger peak RSS (VmHWM / ru_maxrss) of the service and of the rebuild.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from bench import datagen, fill, httpload, natsio
from bench.procs import PYTHON, free_port, peak_rss_mb, spawn, stop_process, wait_child, wait_http
from bench.stack import BENCH_CALLER
from hl_platform.identity import CALLER_HEADER, TOKEN_HEADER

PROVINCE = "37"


def _periods(now: datetime, count: int = 6) -> list[str]:
    year, month = now.year, now.month
    out = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(f"{year:04d}-{month:02d}")
    return out


async def _durables_at_end(nc: Any) -> None:
    """The reporting durables, as a service that has applied everything would have them."""
    from nats.js.api import DeliverPolicy

    from hl_reporting.adapters.projection import ENTERPRISE_SPEC, HAZARD_SPEC

    js = nc.jetstream()
    for spec in (HAZARD_SPEC, ENTERPRISE_SPEC):
        config = spec.config()
        config.deliver_policy = DeliverPolicy.NEW
        await js.add_consumer(spec.stream, config)


def _env(base: dict[str, str], root: Path, nats_url: str, port: int, token: str) -> dict[str, str]:
    env = dict(base)
    env.update(
        {
            "HL_REPORTING_PORT": str(port),
            "HL_REPORTING_DATA_DIR": str(root),
            "HL_REPORTING_NATS_URL": nats_url,
            "HL_REPORTING_INTERNAL_TOKEN": token,
            "HL_REPORTING_LOG_LEVEL": "WARNING",
            "HL_REPORTING_LOG_JSON": "false",
        }
    )
    env.pop("HL_REPORTING_DATABASE_URL", None)
    return env


def _as_of_moments(period: str) -> list[datetime]:
    year, month = (int(part) for part in period.split("-"))
    shanghai = timezone(timedelta(hours=8))
    return [datetime(year, month, 25, 10, tzinfo=shanghai), datetime(year, month, 20, 15, tzinfo=shanghai)]


def _custom_windows(period: str) -> list[dict[str, Any]]:
    year, month = (int(part) for part in period.split("-"))
    earlier = date(year, month, 10) - timedelta(days=91)
    return [{"since": earlier.replace(day=10)}, {"cutoff_day": 20}]


def _query_paths(periods: list[str]) -> dict[str, list[str]]:
    """The GET paths of each measured kind, cycled over."""
    base = [f"/reports/monthly?period={period}&region_code={PROVINCE}" for period in periods]
    as_of = [
        f"/reports/monthly?period={period}&region_code={PROVINCE}&as_of={quote(moment.isoformat(), safe='')}"
        for period in periods
        for moment in _as_of_moments(period)
    ]
    custom = [
        f"/reports/monthly?period={period}&region_code={PROVINCE}&"
        + "&".join(f"{key}={value}" for key, value in window.items())
        for period in periods
        for window in _custom_windows(period)
    ]
    return {"report": base, "report_asof": as_of, "report_custom_window": custom}


async def _http_latencies(
    port: int, headers: dict[str, str], periods: list[str], n: int, budget: float
) -> tuple[dict[str, list[float]], dict[str, Any]]:
    conn = httpload.Connection("127.0.0.1", port)
    info: dict[str, Any] = {}

    def get(path: str) -> bytes:
        return httpload.encode_request("GET", "127.0.0.1", port, path, headers=headers)

    async def timed(raw: bytes) -> tuple[float, int, bytes]:
        started = time.perf_counter()
        status, body, _ = await conn.send(raw)
        return (time.perf_counter() - started) * 1000, status, body

    series: dict[str, list[float]] = {}
    for kind, paths in _query_paths(periods).items():
        series[kind] = []
        deadline = time.perf_counter() + budget
        for i in range(n + 10):
            if i > 30 and time.perf_counter() > deadline:
                break
            ms, status, body = await timed(get(paths[i % len(paths)]))
            if status != 200:
                raise RuntimeError(f"GET {paths[i % len(paths)]}: {status} {body[:300]!r}")
            if i >= 10:
                series[kind].append(ms)
            if i == 0:
                info[f"{kind}_sample"] = _figure(json.loads(body), "self_inspection_major_found")
    supervision: list[float] = []
    cursor: str | None = None
    pages = 0
    deadline = time.perf_counter() + budget
    for i in range(n + 10):
        if i > 30 and time.perf_counter() > deadline:
            break
        path = f"/reports/supervision-list?region_code={PROVINCE}&limit=50"
        if cursor:
            path += f"&cursor={cursor}"
        ms, status, body = await timed(get(path))
        if status != 200:
            raise RuntimeError(f"GET /reports/supervision-list: {status} {body[:300]!r}")
        page = json.loads(body)
        cursor = page.get("next_cursor")
        pages += 1
        if i == 0:
            info["supervision_first_page_items"] = len(page.get("items", []))
        if i >= 10:
            supervision.append(ms)
    info["supervision_pages_walked"] = pages
    series["supervision"] = supervision
    await conn.close()
    return series, info


def _figure(table: dict[str, Any], key: str) -> Any:
    for section in table.get("sections", []):
        for row in section.get("rows", []):
            for figure in row.get("figures", []):
                if figure.get("key") == key:
                    return figure.get("value")
    return None


async def _direct_latencies(
    db_url: str, periods: list[str], n: int, budget: float
) -> tuple[dict[str, list[float]], dict[str, Any]]:
    from hl_catalogue import RegionCatalogue
    from hl_platform.db import Database
    from hl_reporting.adapters.unit_of_work import SqlUnitOfWork
    from hl_reporting.application import queries
    from hl_reporting.application.ports import SupervisionQuery
    from hl_reporting.domain.calendar import business_day

    db = Database(db_url)
    catalogue = RegionCatalogue.load_default()
    today = business_day(datetime.now(UTC))
    kinds: dict[str, list[dict[str, Any]]] = {
        "report": [{"period": period} for period in periods],
        "report_asof": [{"period": p, "as_of": moment} for p in periods for moment in _as_of_moments(p)],
        "report_custom_window": [{"period": p, **window} for p in periods for window in _custom_windows(p)],
    }
    series: dict[str, list[float]] = {}
    for kind, arguments in kinds.items():
        series[kind] = []
        deadline = time.perf_counter() + budget
        for i in range(n + 10):
            if i > 30 and time.perf_counter() > deadline:
                break
            started = time.perf_counter()
            async with SqlUnitOfWork(db, write=False) as uow:
                await queries.dispatch_table(
                    uow, region_code=PROVINCE, catalogue=catalogue, **arguments[i % len(arguments)]
                )
            if i >= 10:
                series[kind].append((time.perf_counter() - started) * 1000)
    supervision: list[float] = []
    cursor = None
    deadline = time.perf_counter() + budget
    for i in range(n + 10):
        if i > 30 and time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        async with SqlUnitOfWork(db, write=False) as uow:
            page = await queries.supervision_list(
                uow, SupervisionQuery(region_prefix=PROVINCE, today=today, cursor=cursor, limit=50), catalogue=catalogue
            )
        cursor = page.next_cursor
        if i >= 10:
            supervision.append((time.perf_counter() - started) * 1000)
    series["supervision"] = supervision
    await db.dispose()
    return series, {}


async def run(
    root: Path,
    base_env: dict[str, str],
    cfg: Any,
    figures: dict[str, Any],
    reasons: dict[str, str],
    details: dict[str, Any],
    profile_dir: Path | None = None,
) -> None:
    from hl_platform.migrate import upgrade
    from hl_reporting.adapters.projection import HAZARD_CONSUMER

    info: dict[str, Any] = {"hazards": cfg.report_hazards}
    details["reporting"] = info
    figures["report_hazards"] = cfg.report_hazards
    server = natsio.fresh_server(root / "nats")
    service = None
    try:
        nc = await natsio.connect_with_streams(server.url)
        histories = datagen.HazardHistories(cfg.report_hazards, seed=8)
        count, seconds = await natsio.publish(nc, histories.stream())
        info |= {"events": count, "publish_s": round(seconds, 1), "listed_active": histories.listed_active}
        db_path = root / "reporting.db"
        db_url = f"sqlite+aiosqlite:///{db_path}"
        await asyncio.to_thread(upgrade, "reporting", db_url)
        started = time.perf_counter()
        filled = await asyncio.to_thread(
            fill.fill, db_path, seed=8, hazards=cfg.report_hazards, now=histories.now, consumer=HAZARD_CONSUMER
        )
        info["fill"] = filled | {"seconds": round(time.perf_counter() - started, 1), "method": "direct (bench/fill.py)"}
        info["db_mb"] = round(db_path.stat().st_size / 2**20, 1)
        await _durables_at_end(nc)

        port, token = free_port(), secrets.token_urlsafe(16)
        env = _env(base_env, root, server.url, port, token)
        service = spawn(_serve(profile_dir), env, root / "logs" / "reporting.log")
        await asyncio.to_thread(wait_http, f"http://127.0.0.1:{port}/readyz", service, 60)
        headers = {TOKEN_HEADER: token, CALLER_HEADER: BENCH_CALLER.encode()}
        periods = _periods(histories.now)
        probe = await asyncio.to_thread(
            httpx.get, f"http://127.0.0.1:{port}/reports/monthly", headers=headers, timeout=10
        )
        if probe.status_code == 404:
            info["query_method"] = "query functions on the read model (the reporting HTTP API answers 404)"
            series, extra = await _direct_latencies(db_url, periods, cfg.report_queries, cfg.query_budget_s)
        else:
            info["query_method"] = "reporting service HTTP (internal headers), sequential, keep-alive"
            series, extra = await _http_latencies(port, headers, periods, cfg.report_queries, cfg.query_budget_s)
        info |= extra
        for kind, latencies in series.items():
            info[f"{kind}_ms"] = _stats(latencies)
            figures[f"{kind}_p99_ms"] = info[f"{kind}_ms"]["p99"]
        info["service_peak_rss_mb"] = _r(peak_rss_mb(service.pid))

        await _rebuild(root, env, cfg, figures, reasons, info, profile_dir)
        await asyncio.sleep(0)
        service_peak = peak_rss_mb(service.pid) or info["service_peak_rss_mb"]
        info["service_peak_rss_mb"] = _r(service_peak)
        peaks = [p for p in (service_peak, info.get("rebuild_peak_rss_mb")) if p]
        figures["reporting_rss_mb"] = _r(max(peaks)) if peaks else None
        await nc.close()
    finally:
        stop_process(service, sig=2 if profile_dir else 15)
        server.stop()


def _serve(profile_dir: Path | None) -> list[str]:
    serve = ["-m", "hl_stack", "serve", "reporting"]
    if profile_dir is None:
        return [PYTHON, *serve]
    out = profile_dir / "reporting_queries.pyisession"
    return [PYTHON, "-m", "pyinstrument", "--renderer", "pyisession", "-o", str(out), *serve]


async def _rebuild(
    root: Path,
    env: dict[str, str],
    cfg: Any,
    figures: dict[str, Any],
    reasons: dict[str, str],
    info: dict[str, Any],
    profile_dir: Path | None,
) -> None:
    result_path = root / "rebuild.json"
    args = [PYTHON, "-m", "bench.rebuild_worker", str(result_path), str(cfg.rebuild_budget_s)]
    if profile_dir is not None:
        args.append(str(profile_dir / "rebuild.txt"))
    worker = spawn(args, env, root / "logs" / "rebuild.log")
    samples: list[tuple[float, float]] = []
    peak: list[float] = [0.0]
    sampling = asyncio.create_task(_sample_rss(worker.pid, samples, peak))
    try:
        # (the kernel's ru_maxrss of a child counts the forked parent's pages before exec: not used)
        code, _ = await asyncio.to_thread(wait_child, worker, cfg.rebuild_budget_s + 120)
    finally:
        sampling.cancel()
    info["rebuild_peak_rss_mb"] = _r(peak[0] or None)
    info["rebuild_rss_mb_timeline"] = samples[:: max(1, len(samples) // 20)]
    if code != 0 or not result_path.exists():
        figures["rebuild_s"], reasons["rebuild_s"] = None, f"rebuild worker exited {code} (see {root}/logs/rebuild.log)"
        return
    result = json.loads(result_path.read_text())
    info["rebuild"] = result
    if result["finished"]:
        figures["rebuild_s"] = _r(result["elapsed_s"])
        return
    total = result["stream_totals"]["HL_HAZARD"]
    done = result["delivered"].get("HL_HAZARD", 0)
    if done <= 0:
        figures["rebuild_s"], reasons["rebuild_s"] = None, "the rebuild made no progress within its budget"
        return
    projected = result["elapsed_s"] * total / done
    figures["rebuild_s"] = _r(projected)
    info["rebuild_extrapolated"] = True
    reasons["rebuild_s"] = (
        f"extrapolated: stopped after the {cfg.rebuild_budget_s:.0f} s budget at {done}/{total} events "
        f"({done / result['elapsed_s']:.0f} events/s)"
    )


async def _sample_rss(pid: int, samples: list[tuple[float, float]], peak: list[float], every: float = 0.5) -> None:
    """(seconds, RSS MB) of a process while it runs — does its memory grow with the work done? — and
    its peak (VmHWM, the high-water mark of its own address space since exec)."""
    from bench.procs import rss_mb

    started = time.perf_counter()
    while True:
        value, high = rss_mb(pid), peak_rss_mb(pid)
        if value is None:
            return
        peak[0] = max(peak[0], high or 0.0)
        samples.append((round(time.perf_counter() - started, 1), round(value, 1)))
        await asyncio.sleep(every)


def _stats(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50": _r(httpload.percentile(values, 50)),
        "p99": _r(httpload.percentile(values, 99)),
        "max": _r(max(values) if values else None),
    }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
