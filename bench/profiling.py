"""pyinstrument around in-process parts (bench/run --profile); text reports under bench/out/profiles/."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def start(target: Path | None) -> Any:
    if target is None:
        return None
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="disabled")  # every thread-of-control sample, not per-await attribution
    profiler.start()
    return profiler


def save(profiler: Any, target: Path | None) -> None:
    if profiler is None or target is None:
        return
    profiler.stop()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(profiler.output_text(unicode=True, color=False))
