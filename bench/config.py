"""Sizes of the quick (< 5 min on 2 cores) and full (< 30 min) runs. Every load is bounded."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Config:
    name: str
    # write path
    write_warmup: int
    write_requests: int
    write_concurrency: int
    paced_seconds: float  # the half-rate open-loop run lasts about this long
    # event store append
    append_events: int
    # replay
    replay_hazards: int  # chains of found/plan/rectified/accepted (≈3.3 events each)
    # freshness
    freshness_rate: float
    freshness_seconds: float
    # reporting at scale
    report_hazards: int
    report_queries: int  # of each kind, unless the time budget runs out first
    query_budget_s: float  # per kind
    rebuild_budget_s: float  # a rebuild still running after this is stopped and extrapolated


QUICK = Config(
    name="quick",
    write_warmup=100,
    write_requests=1500,
    write_concurrency=32,
    paced_seconds=8.0,
    append_events=2000,
    replay_hazards=1000,
    freshness_rate=300.0,
    freshness_seconds=10.0,
    report_hazards=20_000,
    report_queries=150,
    query_budget_s=30.0,
    rebuild_budget_s=90.0,  # the 20,000 hazards' rebuild took 50.6 s on 2026-12-01: measured, not extrapolated
)

FULL = Config(
    name="full",
    write_warmup=300,
    write_requests=6000,
    write_concurrency=32,
    paced_seconds=20.0,
    append_events=10_000,
    replay_hazards=5000,
    freshness_rate=300.0,
    freshness_seconds=30.0,
    report_hazards=1_000_000,
    report_queries=1000,
    query_budget_s=90.0,
    # Long enough for the rebuild of the 1M hazards (≈ 3,000,000 events) to finish and be measured,
    # not extrapolated: the bulk load did ≈ 1,180 events/s at 20,000 hazards (bench/README.md), so
    # ≈ 2,550 s. It makes the full run about an hour, until the rebuild is faster.
    rebuild_budget_s=3000.0,
)


def with_overrides(config: Config, **overrides: Any) -> Config:
    return replace(config, **{k: v for k, v in overrides.items() if v is not None})
