"""One reporting projector process for `replay_2x_pg_ratio` (bench/postgres.py): the hazard consumer
as the service runs it (`ConsumerRunner(…, HazardProjection())`, batch `BATCH_SIZE`) on a durable
that other such processes share. It gets ready (connected, provisioned), writes `OUT.ready`, waits
for the GO file, then applies until stopped (SIGTERM) and writes what it handled to OUT.

Run: python -m bench.pg_projector DATABASE_URL NATS_URL DURABLE GO_FILE OUT
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from pathlib import Path


def _wait_for(go: Path, stop: asyncio.Event, within_s: float = 120.0) -> None:
    deadline = time.monotonic() + within_s
    while not go.exists() and not stop.is_set() and time.monotonic() < deadline:
        time.sleep(0.005)


async def main(url: str, nats_url: str, durable: str, go: Path, out: Path) -> None:
    import nats

    from hl_platform.consumer import ConsumerRunner
    from hl_platform.db import Database
    from hl_platform.nats_io import ConsumerSpec
    from hl_reporting.adapters.projection import BATCH_SIZE, HazardProjection

    db = Database(url)
    nc = await nats.connect(nats_url, name=f"bench-projector-{durable}")
    js = nc.jetstream()
    handled, batches = 0, 0

    async def on_batch(count: int) -> None:
        nonlocal handled, batches
        handled, batches = handled + count, batches + 1

    spec = ConsumerSpec(stream="HL_HAZARD", durable=durable)
    runner = ConsumerRunner(db, lambda: js, spec, HazardProjection(), batch_size=BATCH_SIZE, on_batch=on_batch)
    await runner.provision()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await asyncio.to_thread(Path(f"{out}.ready").touch)
    await asyncio.to_thread(_wait_for, go, stop)
    started = time.perf_counter()
    await runner.run(stop)
    ran_s = round(time.perf_counter() - started, 2)
    await asyncio.to_thread(out.write_text, json.dumps({"handled": handled, "batches": batches, "ran_s": ran_s}))
    await nc.close()
    await db.dispose()


if __name__ == "__main__":
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4]), Path(sys.argv[5])))
