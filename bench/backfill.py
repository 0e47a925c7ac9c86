"""backfill_per_s vs backfill_baseline_per_s: hazards with their history, in batches of 500.

Ours: the embedded stack (bench/stack.py); `POST /api/v1/hazard-backfills` through the gateway
with the bench admin key, batches of `MAX_ITEMS` (500), `CONCURRENCY` in flight, histories of 3–6 events (≈ 3.5 each:
即查即改, fixed by deadline and accepted, majors with a plan, some listed and delisted), business
times spread over the past year. Hazards answered `created` per second, first send to last answer.

Baseline, the limit: raw sqlite3 inserts of the very rows that run wrote (its events, outbox,
summary and item-key rows, read back from the stack's hazard database), into a fresh database
migrated the same way with the same pragmas, `executemany` per table, one transaction per batch of
hazards — what the hazard service's storage costs with nothing above it.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import bodies
from bench.procs import cpu_seconds
from bench.stack import Stack
from hl_api.backfill import MAX_ITEMS, PATH
from hl_platform.db import SQLITE_BUSY_TIMEOUT_MS

FIGURES = ("backfill_per_s", "backfill_baseline_per_s")
HAZARDS = {"quick": 20_000, "full": 100_000}
TARGET_PER_S = 10_000
CONCURRENCY = 2  # one batch parsed by the gateway while the hazard service writes the other
RESENDS = 3  # a batch the gateway timed out on is sent again: the first send may have been written
TABLES = {  # what a backfill writes, and the columns copied (the autoincrement keys are the database's)
    "events": "event_id, aggregate_type, aggregate_id, version, event_type, occurred_at, recorded_at, envelope",
    "outbox": "event_id, subject, payload, headers, created_at, attempts",
    "hazard_summaries": "*",
    "backfill_items": "*",
}
NOW = datetime.now(UTC).replace(microsecond=0)


def _time(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat()


def _day(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).date().isoformat()


def history(index: int, enterprise_id: str, rng: random.Random) -> dict[str, Any]:
    """One hazard and its steps; the kind drawn with realistic shares."""
    found = rng.uniform(40, 365)  # every step (up to 32 days after) lies in the past
    hazard: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "source": rng.choice(("self_inspection", "department_inspection")),
        "level": "general",
        "title": f"历史隐患第{index}号：消防通道堵塞",
        "found_at": _time(found),
        "found_by": "王检查",
    }
    kind = rng.random()
    if kind < 0.45:  # 即查即改: found and fixed in one step, then accepted
        accepted = [{"step": "acceptance", "accepted": True, "reviewer": "王检查", "decided_at": _time(found - 1)}]
        return {"key": f"bench-{index}", "hazard": hazard | {"rectify_immediately": True}, "steps": accepted}
    if kind < 0.85:  # fixed by a deadline, accepted
        steps = [
            {"step": "rectification", "completed_at": _time(found - 5)},
            {"step": "acceptance", "accepted": True, "reviewer": "王检查", "decided_at": _time(found - 6)},
        ]
        return {"key": f"bench-{index}", "hazard": hazard | {"deadline": _day(found - 20)}, "steps": steps}
    return _major(index, hazard, found, listed=kind >= 0.95)


def _major(index: int, hazard: dict[str, Any], found: float, *, listed: bool) -> dict[str, Any]:
    deadline = _day(found - 60)
    plan = {"step": "plan", "responsible_person": "李四", "measures": "更换报警器并联锁", "funds_yuan": "12000"}
    plan |= {"deadline": deadline, "emergency_plan": "泄漏应急预案", "decided_at": _time(found - 1)}
    steps: list[dict[str, Any]] = [plan]
    if listed:
        steps.append(
            {"step": "escalation", "level": "city", "authority": "市安委办", "reason": "重大隐患挂牌督办"}
            | {"deadline": deadline, "escalated_at": _time(found - 2)}
        )
    steps.append({"step": "rectification", "completed_at": _time(found - 30)})
    steps.append({"step": "acceptance", "accepted": True, "reviewer": "王检查", "decided_at": _time(found - 31)})
    if listed:
        steps.append({"step": "delisting", "delisted_at": _time(found - 32), "reason": "验收合格"})
    major = hazard | {"level": "major", "production_halt": "partial"}
    return {"key": f"bench-{index}", "hazard": major, "steps": steps}


async def run(
    scratch: Path,
    cfg: Any,
    figures: dict[str, Any],
    reasons: dict[str, str],
    details: dict[str, Any],
    profile_dir: Path | None,
) -> None:
    """Both figures; the details of each (counts, events, CPU per process, batch latencies)."""
    count = HAZARDS.get(cfg.name, HAZARDS["quick"])
    stack = Stack(scratch / "stack", profile={"gateway", "hazard"} if profile_dir else set(), profile_dir=profile_dir)
    mine: dict[str, Any] = details.setdefault("backfill", {"hazards": count, "batch": MAX_ITEMS})
    try:
        await asyncio.to_thread(stack.start)
        serves, why = stack.gateway_serves("/api/v1" + PATH)
        if not serves:
            raise RuntimeError(why)
        await _measure(stack, count, figures, mine)
    finally:
        await asyncio.to_thread(stack.stop)
    mine["baseline"] = await asyncio.to_thread(baseline, stack.root / "hazard.db", scratch / "baseline.db")
    figures["backfill_baseline_per_s"] = mine["baseline"]["per_s"]
    reasons["backfill_baseline_per_s"] = (
        f"raw sqlite3 executemany of the same rows, one transaction per {MAX_ITEMS} hazards"
    )


async def _measure(stack: Stack, count: int, figures: dict[str, Any], mine: dict[str, Any]) -> None:
    gateway = stack.url("gateway")
    enterprise_id = await bodies.register_enterprise(gateway, "/api/v1/enterprises", stack.public_headers)
    await bodies.wait_until_known(gateway, "/api/v1/hazards", stack.public_headers, enterprise_id)
    rng = random.Random(19)
    items = [history(index, enterprise_id, rng) for index in range(count)]
    batches = [bodies.dumps({"items": items[i : i + MAX_ITEMS]}) for i in range(0, count, MAX_ITEMS)]
    cpu_before = {name: cpu_seconds(pid) for name in ("gateway", "hazard") if (pid := stack.pid(name))}
    outcomes: dict[str, int] = {}
    latencies: list[float] = []
    queue = list(reversed(batches))
    headers = {**stack.public_headers, "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=120) as client:

        async def worker() -> None:
            while queue:
                answer = await _send(client, queue.pop(), latencies, outcomes)
                for outcome in ("created", "duplicate", "invalid"):
                    outcomes[outcome] = outcomes.get(outcome, 0) + int(answer[outcome])

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    # Accepted: created, or duplicate — only a batch re-sent after a timeout has those, and its
    # hazards were created by the first send.
    figures["backfill_per_s"] = round((outcomes.get("created", 0) + outcomes.get("duplicate", 0)) / elapsed, 1)
    cpu = {
        name: round((cpu_seconds(pid) or 0) - (cpu_before.get(name) or 0), 2)
        for name in cpu_before
        if (pid := stack.pid(name))
    }
    latencies.sort()
    mine.update(
        elapsed_s=round(elapsed, 3),
        outcomes=outcomes,
        events=sum(1 + len(item.get("steps", [])) + bool(item["hazard"].get("rectify_immediately")) for item in items),
        batch_ms={"p50": round(latencies[len(latencies) // 2], 1), "max": round(latencies[-1], 1)},
        cpu_s=cpu,
        cpu_ms_per_hazard={name: round(1000 * seconds / count, 3) for name, seconds in cpu.items()},
    )


async def _send(
    client: httpx.AsyncClient, body: bytes, latencies: list[float], outcomes: dict[str, int]
) -> dict[str, Any]:
    """One batch, re-sent (it is idempotent) when the gateway timed out waiting for the service."""
    for _ in range(RESENDS + 1):
        sent = time.perf_counter()
        answer = await client.post("/api/v1" + PATH, content=body)
        latencies.append((time.perf_counter() - sent) * 1000)
        if answer.status_code == 200:
            return dict(answer.json())
        if answer.status_code != 504:
            break
        outcomes["resent"] = outcomes.get("resent", 0) + 1
    raise RuntimeError(f"a batch was refused: {answer.status_code} {answer.text[:300]}")


def baseline(source: Path, target: Path) -> dict[str, Any]:
    """Insert the rows the backfill wrote into a fresh database, raw: the storage's limit."""
    from hl_platform.migrate import upgrade

    upgrade("hazard", f"sqlite+aiosqlite:///{target}")
    rows = _backfilled_rows(source)
    hazards = sorted(rows)
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    started = time.perf_counter()
    for start in range(0, len(hazards), MAX_ITEMS):
        chunk = hazards[start : start + MAX_ITEMS]
        db.execute("BEGIN IMMEDIATE")
        for table, (sql, _) in _STATEMENTS.items():
            db.executemany(sql, [row for hazard in chunk for row in rows[hazard][table]])
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return {"hazards": len(hazards), "elapsed_s": round(elapsed, 3), "per_s": round(len(hazards) / elapsed, 1)}


_STATEMENTS: dict[str, tuple[str, str]] = {}


def _backfilled_rows(source: Path) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """Per backfilled hazard, its rows of each table, as stored."""
    db = sqlite3.connect(source)
    ids = {hazard_id for (hazard_id,) in db.execute("SELECT hazard_id FROM backfill_items")}
    per: dict[str, dict[str, list[tuple[Any, ...]]]] = {i: {table: [] for table in TABLES} for i in ids}
    selects = {
        "events": f"SELECT aggregate_id, {TABLES['events']} FROM events",
        "outbox": f"SELECT e.aggregate_id, {', '.join('o.' + c.strip() for c in TABLES['outbox'].split(','))}"
        " FROM outbox o JOIN events e ON e.event_id = o.event_id",
        "hazard_summaries": "SELECT id, * FROM hazard_summaries",
        "backfill_items": "SELECT hazard_id, * FROM backfill_items",
    }
    for table, select in selects.items():
        cursor = db.execute(select)
        columns = [d[0] for d in cursor.description][1:]
        _STATEMENTS[table] = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            table,
        )
        for owner, *values in cursor:
            if owner in per:
                per[owner][table].append(tuple(values))
    db.close()
    return per


def judge(f: dict[str, Any]) -> tuple[float | None, bool | None, str]:
    """bench/checks.py: ≥ 10,000 hazards/s, with the share of the raw-insert limit reached."""
    value, limit = f.get("backfill_per_s"), f.get("backfill_baseline_per_s")
    if value is None:
        return None, None, ""
    share = f"; {value / limit:.1%} of backfill_baseline_per_s" if limit else ""
    return value / TARGET_PER_S, value >= TARGET_PER_S, f"{value / TARGET_PER_S:.2f}× the 10,000/s target{share}"
