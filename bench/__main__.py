"""bench/run [--quick] — Hazard Ledger's figures, measured in one run against baselines on this machine.

Phases (each one's failure nulls its figures with a reason; the others still run):
  write      write_per_s, write_p99_ms, freshness_p99_ms on the embedded stack; write_baseline_per_s,
             write_crud_peer_per_s
  append     append_per_s vs append_peer_per_s
  replay     replay_per_s vs replay_baseline_per_s
  postgres   write_per_s_pg, write_p99_ms_pg, append_per_s_pg vs append_peer_per_s_pg, replay_per_s_pg vs
             replay_baseline_per_s_pg, replay_2x_pg_ratio (bench/postgres.py)
  reporting  report_p99_ms, report_asof_p99_ms, report_custom_window_p99_ms, supervision_p99_ms,
             report_hazards, reporting_rss_mb, rebuild_s
  backfill   backfill_per_s vs backfill_baseline_per_s
Prints a table and writes bench/out/latest.json (with --profile: bench/out/profile.json and
pyinstrument profiles under bench/out/profiles/, figures perturbed by the profilers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import append, backfill, checks, freshness, postgres, replay, reporting, write_path
from bench.config import FULL, QUICK, with_overrides
from bench.procs import PYTHON, ROOT
from bench.stack import BENCH_OVERRIDES, Stack

OUT = Path(__file__).resolve().parent / "out"
PHASES = ("write", "append", "replay", "reporting", "postgres", "backfill")
FIGURES = {
    "write": ("write_per_s", "write_p99_ms", "write_baseline_per_s", "write_crud_peer_per_s", "freshness_p99_ms"),
    "append": ("append_per_s", "append_peer_per_s"),
    "replay": ("replay_per_s", "replay_baseline_per_s"),
    "reporting": (
        "report_p99_ms",
        "report_asof_p99_ms",
        "report_custom_window_p99_ms",
        "supervision_p99_ms",
        "reporting_rss_mb",
        "rebuild_s",
    ),
    "postgres": postgres.FIGURES,
    "backfill": backfill.FIGURES,
}
console = Console(stderr=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="the < 5 minute run (default: the full < 30 minute run)")
    parser.add_argument("--only", default=",".join(PHASES), help=f"comma-separated phases of {', '.join(PHASES)}")
    parser.add_argument("--profile", action="store_true", help="run the parts under pyinstrument (figures perturbed)")
    parser.add_argument("--report-hazards", type=int, default=None, help="override the read model size")
    parser.add_argument(
        "--rebuild-budget", type=float, default=None, help="override the rebuild's time budget (seconds)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (databases, logs)")
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON")
    return parser.parse_args(argv)


async def phase(name: str, figures: dict[str, Any], reasons: dict[str, str], body: Any) -> None:
    console.rule(f"[bold]{name}")
    started = time.perf_counter()
    try:
        await body
    except Exception as exc:
        console.print(f"[red]{name} failed: {exc!r}[/]")
        console.print(traceback.format_exc(), markup=False, highlight=False)
        for key in FIGURES.get(name, ()):
            if figures.get(key) is None:
                figures[key] = None
                reasons.setdefault(key, f"{name} phase failed: {exc!r}")
    console.print(f"{name}: {time.perf_counter() - started:.0f} s")


async def write_phase(
    scratch: Path,
    cfg: Any,
    figures: dict[str, Any],
    reasons: dict[str, str],
    details: dict[str, Any],
    profile_dir: Path | None,
) -> None:
    profiled = {"gateway", "hazard", "reporting"} if profile_dir else set()
    stack = Stack(scratch / "stack", profile=profiled, profile_dir=profile_dir)
    try:
        await asyncio.to_thread(stack.start)
        details["stack"] = {"missing": stack.missing, "settings_changed": BENCH_OVERRIDES}
        chosen = await write_path.run(stack, cfg, figures, reasons, details)
        if chosen is None:
            figures["freshness_p99_ms"], reasons["freshness_p99_ms"] = None, reasons.get("write_per_s", "no write path")
        else:
            target, enterprise_id = chosen
            try:
                await freshness.run(
                    stack, target, enterprise_id, cfg, figures.get("write_per_s"), figures, reasons, details
                )
            except Exception as exc:
                figures["freshness_p99_ms"], reasons["freshness_p99_ms"] = None, f"freshness failed: {exc!r}"
        details["stack"]["peak_rss_mb"] = {name: stack.peak_rss(name) for name in stack.processes}
    finally:
        await asyncio.to_thread(stack.stop)
    await write_path.baseline(stack, cfg, figures, reasons, details)


def render_profiles(profile_dir: Path, keep_sessions: bool) -> None:
    """Service profiles (pyinstrument sessions) as text; the sessions are large and go unless --keep."""
    for session in profile_dir.glob("*.pyisession"):
        text = subprocess.run(
            [
                PYTHON,
                "-m",
                "pyinstrument",
                "--load",
                str(session),
                "-r",
                "text",
                "--no-color",
                "-p",
                "processor_options.filter_threshold=0.005",
            ],
            capture_output=True,
            text=True,
        )
        session.with_suffix(".txt").write_text(text.stdout or text.stderr)
        if not keep_sessions:
            session.unlink()


def table(result: dict[str, Any]) -> Table:
    out = Table(title=f"Hazard Ledger benchmark — {result['run']['mode']} run, {result['run']['finished_at']}")
    for column in ("figure", "value", "target", "ratio / threshold", "status"):
        out.add_column(column, overflow="fold")
    colours = {"pass": "green", "miss": "red", "n/a": "yellow", "unproven": "yellow", "skipped": "dim"}
    for key, check in result["checks"].items():
        value = result.get(key)
        shown = "—" if value is None else (f"{value:,.1f}" if isinstance(value, float) else f"{value:,}")
        status = check["status"]
        note = check.get("note") or ""
        out.add_row(
            f"{key}",
            f"{shown} {check['unit']}".strip(),
            check["target"],
            note,
            f"[{colours.get(status, 'white')}]{status}[/]",
        )
    return out


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    cfg = with_overrides(
        QUICK if args.quick else FULL, report_hazards=args.report_hazards, rebuild_budget_s=args.rebuild_budget
    )
    phases = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        raise SystemExit(f"unknown phases: {', '.join(sorted(unknown))}")
    profile_dir = (OUT / "profiles") if args.profile else None
    if profile_dir:
        profile_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="hl-bench-"))
    figures: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    details: dict[str, Any] = {}
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    console.print(f"[bold]Hazard Ledger benchmark[/] ({cfg.name}); scratch folder {scratch}")
    try:
        if "write" in phases:
            await phase("write", figures, reasons, write_phase(scratch, cfg, figures, reasons, details, profile_dir))
        if "append" in phases:
            await phase(
                "append", figures, reasons, append.run(scratch / "append", cfg, figures, reasons, details, profile_dir)
            )
        if "replay" in phases:
            await phase(
                "replay", figures, reasons, replay.run(scratch / "replay", cfg, figures, reasons, details, profile_dir)
            )
        if "reporting" in phases:
            env = dict(os.environ)
            await phase(
                "reporting",
                figures,
                reasons,
                reporting.run(scratch / "reporting", env, cfg, figures, reasons, details, profile_dir),
            )
        if "postgres" in phases:
            body = postgres.run(scratch / "postgres", cfg, figures, reasons, details)
            await phase("postgres", figures, reasons, body)
        if "backfill" in phases:
            body = backfill.run(scratch / "backfill", cfg, figures, reasons, details, profile_dir)
            await phase("backfill", figures, reasons, body)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    if profile_dir:
        render_profiles(profile_dir, args.keep)
    for name in phases:
        for key in FIGURES[name]:
            figures.setdefault(key, None)
    result: dict[str, Any] = dict(figures)
    result["checks"] = checks.judge(figures, reasons)
    result["reasons"] = reasons
    result["run"] = {
        "mode": cfg.name,
        "phases": phases,
        "profiled": bool(args.profile),
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - started, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "config": cfg.__dict__,
        "scratch": str(scratch) if args.keep else None,
    }
    result["details"] = details
    return result


def quiet_logs() -> None:
    """In-process platform code logs through structlog: warnings and up, to stderr."""
    import logging

    import structlog

    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    os.chdir(ROOT)
    quiet_logs()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(main_async(args))
    out = args.out or (OUT / ("profile.json" if args.profile else "latest.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    Console(width=max(140, Console().width)).print(table(result))
    console.print(f"written {out} in {result['run']['duration_s']:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
