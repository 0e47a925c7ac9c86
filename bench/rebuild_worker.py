"""A rebuild of the reporting projections in a process of its own (so its peak memory is its own).

Runs `hl_reporting.application.generations.rebuild` — what `./hl rebuild-projections` runs — with the
reporting service's settings from HL_REPORTING_* and no switch-over wait (the CLI adds a fixed 5 s
pause for running processes to switch). Stops after a time budget and reports how far it got.

python -m bench.rebuild_worker RESULT.json BUDGET_S [PROFILE.txt]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any


async def main(result_path: Path, budget: float, profile_to: Path | None) -> None:
    import nats

    from bench import profiling
    from hl_platform.migrate import upgrade
    from hl_reporting.application.generations import rebuild
    from hl_reporting.settings import ReportingSettings

    settings = ReportingSettings()
    await asyncio.to_thread(upgrade, "reporting", settings.db_url)
    nc = await nats.connect(settings.nats_url, name="bench-rebuild")
    js = nc.jetstream()
    totals = {name: (await js.stream_info(name)).state.last_seq for name in ("HL_HAZARD", "HL_ENTERPRISE")}
    seen: dict[str, int] = {}

    def progress(stream: str, done: int, total: int | None) -> None:
        seen[stream] = done

    profiler = profiling.start(profile_to)
    started = time.perf_counter()
    task = asyncio.create_task(rebuild(settings.db_url, js, progress, switch_wait=0.0))
    finished, _ = await asyncio.wait({task}, timeout=budget)
    elapsed = time.perf_counter() - started
    result: dict[str, Any] = {"elapsed_s": elapsed, "stream_totals": totals, "delivered": dict(seen)}
    if task in finished:
        generation = task.result()
        result |= {"finished": True, "generation": generation.number}
    else:
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, Exception):
            pass
        result |= {"finished": False}
    profiling.save(profiler, profile_to)
    await nc.close()
    await asyncio.to_thread(result_path.write_text, json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3 else None))
