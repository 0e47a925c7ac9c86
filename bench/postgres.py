"""The PostgreSQL figures (`*_pg`): the same write, append and replay measurements on PostgreSQL, and
the reporting projector with two processes sharing its durable against one (`replay_2x_pg_ratio`).

PostgreSQL is the one the tests use (127.0.0.1:55432, `HL_TEST_POSTGRES_URL`); it is started with
`scripts/start-postgres` when it is not running (and then left running, as the tests leave it). Every
measurement gets a fresh database, dropped afterwards. That server runs with `fsync=off` (a test
server): commits cost no disk flush, so the `_pg` figures are CPU and protocol costs, not a disk's.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import append, datagen, natsio, replay, write_path
from bench.procs import PYTHON, ROOT, spawn, stop_process
from bench.stack import Stack

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"
SERVICES = ("enterprise", "hazard", "reporting", "gateway")
FIGURES = (
    "write_per_s_pg",
    "write_p99_ms_pg",
    "append_per_s_pg",
    "append_peer_per_s_pg",
    "replay_per_s_pg",
    "replay_baseline_per_s_pg",
    "replay_2x_pg_ratio",
)


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def ensure_running() -> str:
    """The server's SQLAlchemy URL (its `postgres` database), started by scripts/start-postgres if down."""
    import psycopg

    url = os.environ.get("HL_TEST_POSTGRES_URL") or DEFAULT_URL
    try:
        psycopg.connect(_plain(url), connect_timeout=3).close()
        return url
    except psycopg.OperationalError:
        script = str(ROOT / "scripts" / "start-postgres")
        started = subprocess.run([script], capture_output=True, text=True, timeout=300)
        if started.returncode != 0:
            raise RuntimeError(f"scripts/start-postgres failed: {started.stderr.strip()[-300:]}") from None
        return started.stdout.strip().splitlines()[-1]


@contextmanager
def fresh_database(server_url: str, tag: str) -> Iterator[str]:
    """A new database for one measurement (its SQLAlchemy URL); dropped when the block ends."""
    import psycopg

    name = f"hl_bench_{tag}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_plain(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(_plain(server_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _peer_env(url: str) -> dict[str, str]:
    from sqlalchemy.engine import make_url

    parts = make_url(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(parts.database),
        "POSTGRES_HOST": str(parts.host),
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": str(parts.username),
        "POSTGRES_PASSWORD": parts.password or "",  # the test server trusts local connections
        "CREATE_TABLE": "true",
    }


async def append_pg(server: str, cfg: Any, figures: dict[str, Any], details: dict[str, Any]) -> None:
    """append_per_s_pg vs eventsourcing.postgres (append_peer_per_s_pg), each in its own database."""
    at = datetime.now(UTC) - timedelta(hours=1)
    events = [append.found_event(at) for _ in range(cfg.append_events + 50)]
    commits_ms: list[float] = []
    with fresh_database(server, "append") as url:
        figures["append_per_s_pg"] = round(await append.ours(url, events, commits_ms), 1)
    with fresh_database(server, "append_peer") as url:
        rate = await asyncio.to_thread(append.peer_with, _peer_env(url), events)
        figures["append_peer_per_s_pg"] = round(rate, 1)
    details["append_pg"] = {"events": cfg.append_events, "ours_transaction_ms": append.spread(commits_ms)}


async def write_pg(server: str, scratch: Path, cfg: Any, figures: dict[str, Any], details: dict[str, Any]) -> None:
    """The write figures on the embedded stack with every service on a PostgreSQL database of its own."""
    names = [f"hl_bench_write_{name}_{uuid.uuid4().hex[:6]}" for name in SERVICES]
    import psycopg

    with psycopg.connect(_plain(server), autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    base = server.rsplit("/", 1)[0]
    extra = {f"HL_{svc.upper()}_DATABASE_URL": f"{base}/{name}" for svc, name in zip(SERVICES, names, strict=True)}
    stack = Stack(scratch / "stack_pg", extra_env=extra)
    measured: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    inner: dict[str, Any] = {}
    try:
        await asyncio.to_thread(stack.start)
        inner["missing"] = stack.missing
        await write_path.run(stack, cfg, measured, reasons, inner)
    finally:
        await asyncio.to_thread(stack.stop)
        with psycopg.connect(_plain(server), autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    figures["write_per_s_pg"] = measured.get("write_per_s")
    figures["write_p99_ms_pg"] = measured.get("write_p99_ms")
    details["write_pg"] = inner.get("write", {}) | {"reasons": reasons, "missing": inner.get("missing")}


async def replay_pg(
    server: str, scratch: Path, cfg: Any, figures: dict[str, Any], reasons: dict[str, str], details: dict[str, Any]
) -> None:
    """replay_per_s_pg (one projector), its fetch + ack baseline, and the same with two processes."""
    from hl_platform.migrate import upgrade

    nats = natsio.fresh_server(scratch / "nats_pg")
    try:
        nc = await natsio.connect_with_streams(nats.url)
        histories = datagen.HazardHistories(cfg.replay_hazards, seed=11)
        total, _seconds = await natsio.publish(nc, histories.stream())
        info: dict[str, Any] = {"hazards": cfg.replay_hazards, "events": total}
        details["replay_pg"] = info
        figures["replay_baseline_per_s_pg"] = round(await replay.raw_fetch_ack(nc, total), 1)
        with fresh_database(server, "replay") as url:
            await asyncio.to_thread(upgrade, "reporting", url)
            rate, handled = await replay.projector(nc, url, total, budget_s=max(120.0, total / 20))
            info["read_model"] = _read_model(url, cfg.replay_hazards)
        figures["replay_per_s_pg"] = round(rate, 1) if rate and info["read_model"]["complete"] else None
        if figures["replay_per_s_pg"] is None:
            reasons["replay_per_s_pg"] = f"projector did not finish: {handled} deliveries, {info['read_model']}"
        await nc.close()
        runs = {}
        for processes in (1, 2):
            runs[processes] = await _projector_processes(server, nats.url, scratch, cfg, total, processes)
        info["processes"] = runs
        one, two = runs[1].get("per_s"), runs[2].get("per_s")
        figures["replay_2x_pg_ratio"] = round(two / one, 3) if one and two else None
        if figures["replay_2x_pg_ratio"] is None:
            reasons["replay_2x_pg_ratio"] = f"a projector run did not finish: {runs}"
    finally:
        nats.stop()


def _read_model(url: str, hazards: int) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(_plain(url)) as conn:
        counts = [
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
            for table in ("hazard_state", "dead_letters", "pending_events")
        ]
    rows, parked, pending = counts
    return {
        "hazard_state_rows": rows,
        "expected": hazards,
        "dead_letters": parked,
        "pending_events": pending,
        "complete": rows == hazards and parked == 0 and pending == 0,
    }


async def _projector_processes(
    server: str, nats_url: str, scratch: Path, cfg: Any, total: int, processes: int
) -> dict[str, Any]:
    """`processes` projector processes (bench/pg_projector.py) on one durable, from a fresh database and
    a fresh durable, timed from the go signal to the durable's catching up; PostgreSQL's lock waits are
    sampled meanwhile (pg_stat_activity) and its deadlock count compared."""
    from hl_platform.migrate import upgrade

    folder = scratch / f"projectors_{processes}"
    folder.mkdir(parents=True, exist_ok=True)
    durable = f"bench-pg-{processes}-{uuid.uuid4().hex[:6]}"
    with fresh_database(server, f"replay{processes}") as url:
        await asyncio.to_thread(upgrade, "reporting", url)
        go = folder / "go"
        workers = [
            spawn(
                [PYTHON, "-m", "bench.pg_projector", url, nats_url, durable, str(go), str(folder / f"w{i}.json")],
                dict(os.environ),
                folder / f"w{i}.log",
            )
            for i in range(processes)
        ]
        try:
            deadline = time.monotonic() + 60
            while not all((folder / f"w{i}.json.ready").exists() for i in range(processes)):
                if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                    return {"error": "a projector process did not get ready (see its log)"}
                await asyncio.sleep(0.05)
            deadlocks_before = _deadlocks(url)
            go.touch()
            started = time.perf_counter()
            elapsed, samples = await _until_caught_up(url, nats_url, durable, total, budget_s=max(120.0, total / 10))
            out: dict[str, Any] = {
                "processes": processes,
                "elapsed_s": None if elapsed is None else round(elapsed - started, 2),
                "per_s": None if elapsed is None else round(total / (elapsed - started), 1),
                "deadlocks": _deadlocks(url) - deadlocks_before,
                "lock_wait_samples": samples,
                "read_model": _read_model(url, cfg.replay_hazards),
            }
        finally:
            for worker in workers:
                stop_process(worker)
        out["workers"] = [_load(folder / f"w{i}.json") for i in range(processes)]
        logs = "".join((folder / f"w{i}.log").read_text(errors="replace") for i in range(processes))
        out["consumer_retries"] = logs.count("consumer.retry")
        out["retries_for_deadlock"] = logs.lower().count("deadlock")
        out["retries_for_serialization"] = logs.lower().count("serializ")
        return out


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _deadlocks(url: str) -> int:
    import psycopg

    with psycopg.connect(_plain(url)) as conn:
        row = conn.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()").fetchone()
    return int(row[0]) if row else 0


_LOCK_WAITS = r"""
SELECT a.wait_event,
       coalesce(l.relation::regclass::text, l.locktype) || ': ' || left(regexp_replace(a.query, '\s+', ' ', 'g'), 90)
FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.wait_event_type = 'Lock'
"""


async def _until_caught_up(
    url: str, nats_url: str, durable: str, total: int, budget_s: float
) -> tuple[float | None, dict[str, Any]]:
    """When the durable delivered and acked all `total` events (perf_counter), and the lock waits
    seen meanwhile: samples taken, samples with a session waiting for a lock, what was waited for."""
    import nats
    import psycopg

    nc = await nats.connect(nats_url, name="bench-pg-watch")
    js = nc.jetstream()
    samples, waiting = 0, 0
    waited_for: dict[str, int] = {}
    started = time.perf_counter()
    try:
        with psycopg.connect(_plain(url), autocommit=True) as conn:
            while time.perf_counter() - started < budget_s:
                rows = conn.execute(_LOCK_WAITS).fetchall()
                samples += 1
                waiting += bool(rows)
                for _event, what in rows:
                    waited_for[what] = waited_for.get(what, 0) + 1
                if samples % 4 == 0 and await replay.caught_up(js, "HL_HAZARD", durable):
                    return time.perf_counter(), _waits(samples, waiting, waited_for)
                await asyncio.sleep(0.025)
        return None, _waits(samples, waiting, waited_for)
    finally:
        await nc.close()


def _waits(samples: int, waiting: int, waited_for: dict[str, int]) -> dict[str, Any]:
    top = dict(sorted(waited_for.items(), key=lambda item: -item[1])[:8])
    return {"samples": samples, "with_a_lock_wait": waiting, "waited_for": top}


async def run(
    scratch: Path, cfg: Any, figures: dict[str, Any], reasons: dict[str, str], details: dict[str, Any]
) -> None:
    await asyncio.to_thread(scratch.mkdir, parents=True, exist_ok=True)
    server = await asyncio.to_thread(ensure_running)
    details["postgres"] = {"server": server.rsplit("@", 1)[-1], "note": "test server: fsync=off"}
    for name, step in (
        ("append_per_s_pg", append_pg(server, cfg, figures, details)),
        ("replay_per_s_pg", replay_pg(server, scratch, cfg, figures, reasons, details)),
        ("write_per_s_pg", write_pg(server, scratch, cfg, figures, details)),
    ):
        try:
            await step
        except Exception as exc:
            reasons[name] = f"failed: {exc!r}"
