"""write_per_s, write_p99_ms, write_baseline_per_s — the whole write path against a bare endpoint.

Through the gateway (POST /api/v1/hazards with the bench admin key) when the gateway serves that
path, else straight at the hazard service (POST /hazards with the internal headers the gateway
would send). Saturation: a fixed number of requests over N keep-alive connections (closed loop).
Then p99 at half that rate, open loop. The baseline is measured the same way against a bare
FastAPI endpoint with the same body (bench/baseline_app.py), in its own process.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bench import bodies, httpload
from bench.procs import PYTHON, cpu_seconds, free_port, spawn, stop_process, wait_http
from bench.stack import Stack


@dataclass
class Target:
    name: str  # "gateway" or "hazard service (direct)"
    port: int
    path: str
    headers: dict[str, str]
    enterprise_path: str
    enterprise_port: int
    enterprise_headers: dict[str, str]


def choose_target(stack: Stack) -> tuple[Target | None, str]:
    serves, why = stack.gateway_serves("/api/v1/hazards")
    if serves:
        g = stack.port("gateway")
        return Target(
            "gateway", g, "/api/v1/hazards", stack.public_headers, "/api/v1/enterprises", g, stack.public_headers
        ), why
    if not stack.running("hazard") or not stack.running("enterprise"):
        return None, "hazard or enterprise service not running: " + "; ".join(stack.missing.values())
    return (
        Target(
            "hazard service (direct)",
            stack.port("hazard"),
            "/hazards",
            stack.internal_headers,
            "/enterprises",
            stack.port("enterprise"),
            stack.internal_headers,
        ),
        why + "; measured against the hazard service directly",
    )


def request_factory(target: Target, body: dict[str, Any]) -> httpload.RequestFactory:
    raw = httpload.encode_request("POST", "127.0.0.1", target.port, target.path, bodies.dumps(body), target.headers)
    return lambda _i: raw


async def prepare(target: Target) -> str:
    base = f"http://127.0.0.1:{target.enterprise_port}"
    enterprise_id = await bodies.register_enterprise(base, target.enterprise_path, target.enterprise_headers)
    await bodies.wait_until_known(f"http://127.0.0.1:{target.port}", target.path, target.headers, enterprise_id)
    return enterprise_id


def _summary(result: httpload.LoadResult) -> dict[str, Any]:
    return {
        "requests": result.requests,
        "ok": result.ok,
        "elapsed_s": round(result.elapsed_s, 3),
        "per_s": round(result.per_s, 1),
        "p50_ms": _r(result.percentile(50)),
        "p99_ms": _r(result.percentile(99)),
        "max_ms": _r(max(result.latencies_ms) if result.latencies_ms else None),
        "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
        "errors": dict(result.errors),
    }


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


async def measure(port: int, make: httpload.RequestFactory, cfg: Any) -> dict[str, Any]:
    await httpload.closed_loop("127.0.0.1", port, make, total=cfg.write_warmup, concurrency=cfg.write_concurrency)
    saturated = await httpload.closed_loop(
        "127.0.0.1", port, make, total=cfg.write_requests, concurrency=cfg.write_concurrency
    )
    return {"saturation": _summary(saturated)}


def _pids(stack: Stack) -> dict[str, int]:
    import os

    pids = {name: process.pid for name, process in stack.processes.items()}
    nats = getattr(stack.nats, "process", None)
    if nats is not None:
        pids["nats-server"] = nats.pid
    pids["bench client"] = os.getpid()
    return pids


async def drain(stack: Stack, within_s: float = 60.0) -> float | None:
    """Wait until the outbox is relayed and the reporting projector has caught up (seconds waited)."""
    import nats

    from bench.replay import caught_up
    from hl_reporting.adapters.projection import HAZARD_SPEC

    if not stack.running("reporting"):
        return None
    nc = await nats.connect(stack.env["HL_HAZARD_NATS_URL"], name="bench-drain")
    js = nc.jetstream()
    started = loop_time = asyncio.get_running_loop().time()
    try:
        while loop_time - started < within_s:
            if await _outbox_empty(stack) and await caught_up(js, HAZARD_SPEC.stream, HAZARD_SPEC.durable):
                return round(loop_time - started, 2)
            await asyncio.sleep(0.2)
            loop_time = asyncio.get_running_loop().time()
        return None
    finally:
        await nc.close()


async def _outbox_empty(stack: Stack) -> bool:
    import sqlite3

    path = stack.root / "hazard.db"
    if not path.exists():
        return True
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return bool(con.execute("SELECT count(*) FROM outbox WHERE published_at IS NULL").fetchone()[0] == 0)
    except sqlite3.Error:
        return True
    finally:
        con.close()


async def run(
    stack: Stack, cfg: Any, figures: dict[str, Any], reasons: dict[str, str], details: dict[str, Any]
) -> tuple[Target, str] | None:
    """The write figures on `stack`; returns the target and the enterprise used (for freshness)."""
    target, why = choose_target(stack)
    details["write"] = {"target": target.name if target else None, "probe": why}
    enterprise_id = ""
    if target is None:
        for key in ("write_per_s", "write_p99_ms"):
            figures[key], reasons[key] = None, why
    else:
        enterprise_id = await prepare(target)
        make = request_factory(target, bodies.report_body(enterprise_id))
        pids = _pids(stack)
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        saturation = await measure(target.port, make, cfg)
        sat = saturation["saturation"]
        details["write"].update(saturation)
        # where the CPU of one write goes (the projector and relay work concurrently, so they count)
        details["write"]["cpu_ms_per_write"] = {
            name: round((cpu_seconds(pid) - before[name]) * 1000 / max(1, sat["ok"] + cfg.write_warmup), 2)  # type: ignore[operator]
            for name, pid in pids.items()
            if before[name] is not None and cpu_seconds(pid) is not None
        }
        if sat["ok"] < sat["requests"] * 0.99:
            figures["write_per_s"], reasons["write_per_s"] = (
                None,
                f"too many failed writes: {sat['statuses']} {sat['errors']}",
            )
        else:
            figures["write_per_s"] = sat["per_s"]
        details["write"]["drain_after_saturation_s"] = await drain(stack)
        if figures.get("write_per_s"):
            rate = figures["write_per_s"] / 2
            total = max(200, int(rate * cfg.paced_seconds))
            paced = await httpload.open_loop("127.0.0.1", target.port, make, total=total, rate=rate)
            details["write"]["half_rate"] = {"rate_per_s": round(rate, 1), **_summary(paced)}
            figures["write_p99_ms"] = _r(paced.percentile(99))
            if paced.ok < paced.requests * 0.99:
                reasons["write_p99_ms"] = f"failed writes at half rate: {dict(paced.statuses)}"
            details["write"]["drain_after_half_rate_s"] = await drain(stack)
        else:
            figures["write_p99_ms"], reasons["write_p99_ms"] = None, "no saturation rate to halve"
    return (target, enterprise_id) if target is not None else None


async def baseline(
    stack: Stack, cfg: Any, figures: dict[str, Any], reasons: dict[str, str], details: dict[str, Any]
) -> None:
    await _baseline(stack, cfg, figures, reasons, details, "write_baseline_per_s", "write_baseline", [])
    # What a user would build instead: FastAPI + SQLAlchemy storing the hazard as one row (bench/crud_peer_app.py).
    peer_db = stack.root / "crud_peer.db"
    await _baseline(stack, cfg, figures, reasons, details, "write_crud_peer_per_s", "write_crud_peer", [str(peer_db)])
    if "write_crud_peer" in details and peer_db.exists():
        import sqlite3

        with sqlite3.connect(peer_db) as con:
            details["write_crud_peer"]["rows"] = con.execute("SELECT count(*) FROM hazards").fetchone()[0]


async def _baseline(
    stack: Stack,
    cfg: Any,
    figures: dict[str, Any],
    reasons: dict[str, str],
    details: dict[str, Any],
    key: str,
    name: str,
    args: list[str],
) -> None:
    port = free_port()
    module = "bench.baseline_app" if name == "write_baseline" else "bench.crud_peer_app"
    process = spawn([PYTHON, "-m", module, str(port), *args], stack.env, stack.root / "logs" / f"{name}.log")
    try:
        await asyncio.to_thread(wait_http, f"http://127.0.0.1:{port}/healthz", process, 60)
        target = Target("baseline", port, "/api/v1/hazards", {"Authorization": "Bearer x"}, "", port, {})
        make = request_factory(target, bodies.report_body("01a20cca-b4df-70a5-9f7a-29ef74037976"))
        before = cpu_seconds(process.pid)
        measured = await measure(port, make, cfg)
        after = cpu_seconds(process.pid)
        if before is not None and after is not None:
            measured["cpu_ms_per_request"] = round(
                (after - before) * 1000 / (measured["saturation"]["ok"] + cfg.write_warmup), 3
            )
        details[name] = measured
        sat = measured["saturation"]
        if sat["ok"] < sat["requests"] * 0.99:
            figures[key], reasons[key] = None, f"too many failed requests: {sat['statuses']} {sat['errors']}"
        else:
            figures[key] = sat["per_s"]
    except Exception as exc:
        figures[key], reasons[key] = None, f"{name} failed: {exc!r}"
    finally:
        stop_process(process)
