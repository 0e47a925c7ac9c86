"""replay_per_s vs replay_baseline_per_s: applying a stream from scratch vs. only reading it.

N hazard events (found/plan/rectified/accepted chains, some escalated/delisted; bench/datagen.py)
go straight into HL_HAZARD on a fresh nats-server. Baseline: raw nats-py, a fresh durable pull
consumer with the projector's own configuration, fetch(BATCH_SIZE) + ack of every message. Ours:
the reporting projector as the service runs it — `ConsumerRunner(HAZARD_SPEC, HazardProjection())`,
batch `BATCH_SIZE` — on a freshly migrated reporting database, until every event is applied (then
the read model is checked: one `hazard_state` row per hazard, nothing parked).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from nats.errors import TimeoutError as NatsTimeoutError

from bench import datagen, fill, natsio, profiling
from hl_reporting.adapters.projection import BATCH_SIZE


async def raw_fetch_ack(nc: Any, total: int, batch: int = BATCH_SIZE) -> float:
    from hl_platform.nats_io import ConsumerSpec, ensure_consumer

    js = nc.jetstream()
    spec = ConsumerSpec(stream="HL_HAZARD", durable="bench-raw-fetch")
    started = time.perf_counter()
    await ensure_consumer(js, spec)
    sub = await js.pull_subscribe_bind(spec.durable, spec.stream)
    seen = 0
    while seen < total:
        try:
            msgs = await sub.fetch(batch, timeout=1.0)
        except (TimeoutError, NatsTimeoutError):
            continue
        for msg in msgs:
            await msg.ack()
        seen += len(msgs)
    elapsed = time.perf_counter() - started
    await sub.unsubscribe()
    return total / elapsed


async def caught_up(js: Any, stream: str, durable: str) -> bool:
    """The durable has delivered the whole stream and every delivery is acked (as generations._catch_up)."""
    from nats.js.errors import NotFoundError

    try:
        info = await js.consumer_info(stream, durable)
    except NotFoundError:
        return False
    last = (await js.stream_info(stream)).state.last_seq
    return bool(info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq >= last)


async def projector(
    nc: Any, db_url: str, total: int, budget_s: float, profile_to: Path | None = None
) -> tuple[float, int]:
    """Run the reporting hazard consumer until the stream is applied; (events/s, deliveries handled)."""
    from hl_platform.consumer import ConsumerRunner
    from hl_platform.db import Database
    from hl_reporting.adapters.projection import HAZARD_SPEC, HazardProjection

    db = Database(db_url)
    handled = 0

    async def on_batch(count: int) -> None:
        nonlocal handled
        handled += count

    js = nc.jetstream()
    runner = ConsumerRunner(db, lambda: js, HAZARD_SPEC, HazardProjection(), batch_size=BATCH_SIZE, on_batch=on_batch)
    stop = asyncio.Event()
    profiler = profiling.start(profile_to)
    started = time.perf_counter()
    task = asyncio.create_task(runner.run(stop))
    finished = False
    while time.perf_counter() - started < budget_s and not task.done():
        await asyncio.sleep(0.05)
        if handled >= total and await caught_up(js, HAZARD_SPEC.stream, HAZARD_SPEC.durable):
            finished = True
            break
    elapsed = time.perf_counter() - started
    profiling.save(profiler, profile_to)
    stop.set()
    await task
    await db.dispose()
    return (total / elapsed if finished else 0.0), handled


def check_read_model(db_path: Path, hazards: int) -> dict[str, Any]:
    import sqlite3

    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT count(*) FROM hazard_state").fetchone()[0]
        parked = con.execute("SELECT count(*) FROM dead_letters").fetchone()[0]
        pending = con.execute("SELECT count(*) FROM pending_events").fetchone()[0]
    finally:
        con.close()
    return {
        "hazard_state_rows": rows,
        "expected": hazards,
        "dead_letters": parked,
        "pending_events": pending,
        "complete": rows == hazards and parked == 0 and pending == 0,
    }


def _same_as_direct_fill(root: Path, projected: Path, cfg: Any, now: Any) -> bool:
    """Does bench/fill.py build the very read model the consumer built from the same events?"""
    from hl_platform.migrate import upgrade
    from hl_reporting.adapters.projection import HAZARD_CONSUMER

    direct = root / "direct.db"
    upgrade("reporting", f"sqlite+aiosqlite:///{direct}")
    fill.fill(direct, seed=11, hazards=cfg.replay_hazards, now=now, consumer=HAZARD_CONSUMER)
    return fill.snapshot(direct) == fill.snapshot(projected)


async def run(
    root: Path,
    cfg: Any,
    figures: dict[str, Any],
    reasons: dict[str, str],
    details: dict[str, Any],
    profile_dir: Path | None = None,
) -> None:
    from hl_platform.migrate import upgrade

    server = natsio.fresh_server(root / "nats")
    try:
        nc = await natsio.connect_with_streams(server.url)
        histories = datagen.HazardHistories(cfg.replay_hazards, seed=11)
        total, seconds = await natsio.publish(nc, histories.stream())
        info: dict[str, Any] = {
            "hazards": cfg.replay_hazards,
            "events": total,
            "publish_per_s": round(total / seconds, 1),
        }
        details["replay"] = info
        figures["replay_baseline_per_s"] = round(await raw_fetch_ack(nc, total), 1)
        db_path = root / "reporting.db"
        url = f"sqlite+aiosqlite:///{db_path}"
        await asyncio.to_thread(upgrade, "reporting", url)
        rate, handled = await projector(
            nc,
            url,
            total,
            budget_s=max(120.0, total / 20),
            profile_to=profile_dir and profile_dir / "replay_projector.txt",
        )
        info["projector_deliveries"] = handled
        info["redelivered"] = max(0, handled - total)
        info["read_model"] = check_read_model(db_path, cfg.replay_hazards)
        info["direct_fill_matches_projector"] = await asyncio.to_thread(
            _same_as_direct_fill, root, db_path, cfg, histories.now
        )
        if not rate:
            figures["replay_per_s"], reasons["replay_per_s"] = (
                None,
                f"projector did not catch up in time ({handled} deliveries)",
            )
        elif not info["read_model"]["complete"]:
            figures["replay_per_s"] = round(rate, 1)
            reasons["replay_per_s"] = f"read model incomplete after replay: {info['read_model']}"
        else:
            figures["replay_per_s"] = round(rate, 1)
        await nc.close()
    finally:
        server.stop()
