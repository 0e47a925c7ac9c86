"""The issue's targets (#8), judged against figures measured in the same run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench import backfill

FULL_SCALE_HAZARDS = 1_000_000


@dataclass(frozen=True)
class Check:
    key: str
    unit: str
    target: str
    judge: Callable[[dict[str, Any]], tuple[float | None, bool | None, str]] | None  # (ratio, passed, note)


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def _at_least(
    key: str, baseline: str, share: float
) -> Callable[[dict[str, Any]], tuple[float | None, bool | None, str]]:
    def judge(f: dict[str, Any]) -> tuple[float | None, bool | None, str]:
        ratio = _ratio(f.get(key), f.get(baseline))
        return (
            ratio,
            (None if ratio is None else ratio >= share),
            f"{ratio:.1%} of {baseline}" if ratio is not None else "",
        )

    return judge


def _at_most(key: str, limit: float, unit: str) -> Callable[[dict[str, Any]], tuple[float | None, bool | None, str]]:
    def judge(f: dict[str, Any]) -> tuple[float | None, bool | None, str]:
        value = f.get(key)
        if value is None:
            return None, None, ""
        return value / limit, value <= limit, f"{value / limit:.2f}× the {limit:g} {unit} limit"

    return judge


def _freshness(f: dict[str, Any]) -> tuple[float | None, bool | None, str]:
    value, rate = f.get("freshness_p99_ms"), f.get("freshness_rate_per_s")
    if value is None:
        return None, None, ""
    ratio = value / 1000
    if rate is not None and rate < 300:
        return ratio, False, f"measured at {rate:g} writes/s: 300 writes/s is beyond write_per_s"
    return ratio, value <= 1000, f"{ratio:.2f}× the 1 s limit"


def _at_scale(key: str, limit: float) -> Callable[[dict[str, Any]], tuple[float | None, bool | None, str]]:
    def judge(f: dict[str, Any]) -> tuple[float | None, bool | None, str]:
        value, hazards = f.get(key), f.get("report_hazards")
        if value is None:
            return None, None, ""
        ratio = value / limit
        if hazards and hazards < FULL_SCALE_HAZARDS and value <= limit:
            return ratio, None, f"{ratio:.2f}× the limit at only {hazards:,} hazards: unproven until the full run"
        return ratio, value <= limit, f"{ratio:.2f}× the {limit:g} ms limit at {hazards or 0:,} hazards"

    return judge


def _rebuild(f: dict[str, Any]) -> tuple[float | None, bool | None, str]:
    value, hazards = f.get("rebuild_s"), f.get("report_hazards")
    if value is None or not hazards:
        return None, None, ""
    projected = value * FULL_SCALE_HAZARDS / hazards
    return projected / 120, projected <= 120, f"{projected:,.0f} s projected for 1,000,000 hazards (limit 120 s)"


def _write(f: dict[str, Any]) -> tuple[float | None, bool | None, str]:
    """≥ 25% of the bare endpoint; the ratio to the CRUD peer (no target) said beside it."""
    ratio, passed, note = _at_least("write_per_s", "write_baseline_per_s", 0.25)(f)
    peer = _ratio(f.get("write_per_s"), f.get("write_crud_peer_per_s"))
    if peer is not None:
        note = (note + "; " if note else "") + f"{peer:.1%} of write_crud_peer_per_s"
    return ratio, passed, note


def _crud_peer(f: dict[str, Any]) -> tuple[float | None, bool | None, str]:
    """Information only: what our write path is against what a user would build instead."""
    peer = _ratio(f.get("write_per_s"), f.get("write_crud_peer_per_s"))
    return (peer, None, f"write_per_s is {peer:.1%} of it" if peer is not None else "")


CHECKS = [
    Check("write_per_s", "/s", "≥ 25% of write_baseline_per_s", _write),
    Check("write_p99_ms", "ms", "≤ 50 ms at half the saturation rate", _at_most("write_p99_ms", 50, "ms")),
    Check("write_baseline_per_s", "/s", "baseline (bare FastAPI POST)", None),
    Check("write_crud_peer_per_s", "/s", "baseline (FastAPI + SQLAlchemy, one row in SQLite)", _crud_peer),
    Check("append_per_s", "/s", "≥ 1.0× append_peer_per_s", _at_least("append_per_s", "append_peer_per_s", 1.0)),
    Check("append_peer_per_s", "/s", "baseline (eventsourcing, SQLite)", None),
    Check(
        "replay_per_s", "/s", "≥ 40% of replay_baseline_per_s", _at_least("replay_per_s", "replay_baseline_per_s", 0.40)
    ),
    Check("replay_baseline_per_s", "/s", "baseline (nats-py fetch + ack)", None),
    Check("freshness_p99_ms", "ms", "≤ 1000 ms at 300 writes/s", _freshness),
    Check("report_p99_ms", "ms", "≤ 50 ms at 1,000,000 hazards", _at_scale("report_p99_ms", 50)),
    Check("report_asof_p99_ms", "ms", "≤ 50 ms at 1,000,000 hazards", _at_scale("report_asof_p99_ms", 50)),
    Check(
        "report_custom_window_p99_ms",
        "ms",
        "≤ 50 ms at 1,000,000 hazards",
        _at_scale("report_custom_window_p99_ms", 50),
    ),
    Check("supervision_p99_ms", "ms", "≤ 50 ms at 1,000,000 hazards", _at_scale("supervision_p99_ms", 50)),
    Check("report_hazards", "", "1,000,000 in the full run", None),
    Check("reporting_rss_mb", "MB", "≤ 300 MB", _at_most("reporting_rss_mb", 300, "MB")),
    Check("rebuild_s", "s", "≤ 120 s for 1,000,000 hazards", _rebuild),
    # PostgreSQL (bench/postgres.py): the same measurements, each in a fresh database
    Check(
        "write_per_s_pg",
        "/s",
        "≥ 25% of write_baseline_per_s",
        _at_least("write_per_s_pg", "write_baseline_per_s", 0.25),
    ),
    Check("write_p99_ms_pg", "ms", "≤ 50 ms at half the saturation rate", _at_most("write_p99_ms_pg", 50, "ms")),
    Check(
        "append_per_s_pg",
        "/s",
        "≥ 1.0× append_peer_per_s_pg",
        _at_least("append_per_s_pg", "append_peer_per_s_pg", 1.0),
    ),
    Check("append_peer_per_s_pg", "/s", "baseline (eventsourcing, PostgreSQL)", None),
    Check(
        "replay_per_s_pg",
        "/s",
        "≥ 40% of replay_baseline_per_s_pg",
        _at_least("replay_per_s_pg", "replay_baseline_per_s_pg", 0.40),
    ),
    Check("replay_baseline_per_s_pg", "/s", "baseline (nats-py fetch + ack)", None),
    Check("replay_2x_pg_ratio", "×", "information: two projector processes on one durable vs one", None),
    Check("backfill_per_s", "/s", "≥ 10,000/s (limit: backfill_baseline_per_s)", backfill.judge),
    Check("backfill_baseline_per_s", "/s", "baseline (raw sqlite3 inserts of the same rows)", None),
]


def judge(figures: dict[str, Any], reasons: dict[str, str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for check in CHECKS:
        entry: dict[str, Any] = {"target": check.target, "unit": check.unit}
        if check.key not in figures:
            out[check.key] = entry | {"status": "skipped", "ratio": None, "note": "phase not run (--only)"}
            continue
        if check.judge is None:
            entry |= {"status": "baseline" if "baseline" in check.target else "info", "ratio": None, "note": ""}
        elif figures.get(check.key) is None:
            entry |= {"status": "n/a", "ratio": None, "note": reasons.get(check.key, "not measured")}
        else:
            ratio, passed, note = check.judge(figures)
            undecided = "unproven" if ratio is not None else "n/a"
            undecided = "baseline" if check.target.startswith("baseline") else undecided
            entry |= {
                "status": undecided if passed is None else ("pass" if passed else "miss"),
                "ratio": None if ratio is None else round(ratio, 4),
                "note": note,
            }
        if figures.get(check.key) is None and check.key in reasons:
            entry["note"] = reasons[check.key]
        elif check.key in reasons and reasons[check.key] not in entry["note"]:
            entry["note"] = (entry["note"] + "; " if entry["note"] else "") + reasons[check.key]
        out[check.key] = entry
    return out
