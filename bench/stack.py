"""The embedded stack for the write-path figures: a real nats-server and the four services, each
as its own process started with the launcher's own environment (`hl_stack.launcher`), on free
ports, under a throw-away data folder.

Differences from `./hl up`, all recorded in the JSON: the gateway's per-client rate limit is raised
(the load comes from one API key; the limit is a policy, not a cost), and a service that is not
there yet (or fails to start) is reported instead of stopping the benchmark.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.procs import PYTHON, free_port, peak_rss_mb, spawn, stop_process, wait_http
from hl_platform.identity import CALLER_HEADER, TOKEN_HEADER, Caller

BENCH_CALLER = Caller(id="bench-admin", name="压测管理员", role="admin", region_code="")
BENCH_OVERRIDES = {
    "HL_GATEWAY_RATE_LIMIT_PER_S": "1000000",
    "HL_GATEWAY_RATE_LIMIT_BURST": "1000000",
}
ORDER = ("enterprise", "hazard", "reporting", "gateway")


def bench_environment(root: Path, nats_url: str, admin_key: str) -> dict[str, str]:
    """Every service's settings on free ports, against one nats-server without users (the
    embedded stack's NATS users cost nothing per message; the bench measures the services)."""
    from hl_stack.services import SERVICES

    env = dict(os.environ)
    token = secrets.token_urlsafe(32)
    for name, info in SERVICES.items():
        prefix = info.env_prefix
        env.update({prefix + "PORT": str(free_port()), prefix + "DATA_DIR": str(root)})
        env.update({prefix + "NATS_URL": nats_url, prefix + "INTERNAL_TOKEN": token})
        env.setdefault(prefix + "LOG_JSON", "false")
        env.setdefault(prefix + "LOG_LEVEL", "WARNING")
        if name != "gateway":
            env[f"HL_GATEWAY_{name.upper()}_URL"] = f"http://127.0.0.1:{env[prefix + 'PORT']}"
    env["HL_GATEWAY_METRICS_PORT"] = str(free_port())
    env["HL_WEBHOOKS_GATEWAY_URL"] = f"http://127.0.0.1:{env['HL_GATEWAY_PORT']}"
    env["HL_GATEWAY_BOOTSTRAP_ADMIN_KEY"] = admin_key
    return env


@dataclass
class Stack:
    root: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    admin_key: str = field(default_factory=lambda: "hl_bench_" + secrets.token_urlsafe(18))
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # service → why it is not running
    nats: object | None = None
    # services to run under pyinstrument (profiles written to `profile_dir` when they stop)
    profile: set[str] = field(default_factory=set)
    profile_dir: Path | None = None
    profiler: str = "pyinstrument"  # or "cprofile" (deterministic: CPU per function, with overhead)

    def start(self) -> Stack:
        from hl_stack.nats_server import NatsServer

        self.root.mkdir(parents=True, exist_ok=True)
        nats = NatsServer(self.root / "nats", port=free_port())
        nats.start()
        self.nats = nats
        self.env = bench_environment(self.root, nats.url, self.admin_key)
        self.env.update(BENCH_OVERRIDES)
        self.env.update(self.extra_env)
        for name in ORDER:
            migrate = subprocess.run(
                [PYTHON, "-m", "hl_stack", "migrate", name], env=self.env, capture_output=True, text=True
            )
            if migrate.returncode != 0:
                self.missing[name] = "migration failed: " + (migrate.stderr.strip().splitlines() or ["?"])[-1]
        for name in ORDER:
            if name in self.missing:
                continue
            process = spawn(self.command(name), self.env, self.root / "logs" / f"{name}.log")
            try:
                wait_http(f"{self.url(name)}/readyz", process, timeout=60)
            except (RuntimeError, TimeoutError) as exc:
                stop_process(process)
                self.missing[name] = f"did not start: {exc} (see {self.root}/logs/{name}.log)"
                continue
            self.processes[name] = process
        return self

    def command(self, name: str) -> list[str]:
        serve = ["-m", "hl_stack", "serve", name]
        if name not in self.profile:
            return [PYTHON, *serve]
        out = (self.profile_dir or self.root) / f"{name}.pyinstrument"
        out.parent.mkdir(parents=True, exist_ok=True)
        if self.profiler == "cprofile":
            return [PYTHON, "-m", "cProfile", "-o", str(out.with_suffix(".cprofile")), *serve]
        return [PYTHON, "-m", "pyinstrument", "--renderer", "pyisession", "-o", f"{out}.pyisession", *serve]

    def port(self, name: str) -> int:
        return int(self.env[f"HL_{name.upper()}_PORT"])

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port(name)}"

    def running(self, name: str) -> bool:
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def pid(self, name: str) -> int | None:
        process = self.processes.get(name)
        return process.pid if process is not None else None

    def peak_rss(self, name: str) -> float | None:
        pid = self.pid(name)
        return peak_rss_mb(pid) if pid else None

    @property
    def internal_headers(self) -> dict[str, str]:
        return {TOKEN_HEADER: self.env["HL_HAZARD_INTERNAL_TOKEN"], CALLER_HEADER: BENCH_CALLER.encode()}

    @property
    def public_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_key}"}

    def gateway_serves(self, path: str, method: str = "POST") -> tuple[bool, str]:
        """Does the gateway serve `path`? A 404 (or no gateway) means not yet."""
        if not self.running("gateway"):
            return False, self.missing.get("gateway", "the gateway is not running")
        try:
            answer = httpx.request(
                method,
                f"{self.url('gateway')}{path}",
                headers=self.public_headers,
                json={} if method == "POST" else None,
                timeout=10,
            )
        except httpx.HTTPError as exc:
            return False, f"gateway probe failed: {exc!r}"
        if answer.status_code == 404:
            return False, f"the gateway answers 404 for {method} {path}"
        if answer.status_code in (401, 403):
            return False, f"the gateway refuses the bench admin key ({answer.status_code}): {answer.text[:200]}"
        return True, f"gateway answers {answer.status_code} for {method} {path}"

    def stop(self) -> None:
        for name in reversed(ORDER):
            # SIGINT lets uvicorn return, so that pyinstrument writes its profile
            stop_process(self.processes.get(name), sig=signal.SIGINT if name in self.profile else signal.SIGTERM)
        if self.nats is not None:
            self.nats.stop()  # type: ignore[attr-defined]
