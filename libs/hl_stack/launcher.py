"""The embedded stack: a real nats-server, SQLite files, and the four services as processes.

All state lives under one data folder. Ctrl-C (or SIGTERM) stops the services, then NATS. A
service that dies is reported with its exit code, and the stack goes down with a non-zero status
rather than limping on without it.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from hl_gateway.domain.credentials import KEY_PREFIX, bootstrap_key_problem
from hl_stack.nats_server import NatsServer, free_port
from hl_stack.services import SERVICES

console = Console(stderr=True)


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _pick(preferred: int) -> int:
    return preferred if _port_free(preferred) else free_port()


def stack_environment(data_dir: Path, nats_url: str, gateway_port: int, admin_key: str) -> dict[str, str]:
    """Every service's settings, as the environment of its process."""
    env = dict(os.environ)
    token = secrets.token_urlsafe(24)  # fresh per run: only these processes can call the services
    ports: dict[str, int] = {"gateway": gateway_port}
    for name, info in SERVICES.items():
        if name != "gateway":
            ports[name] = _pick(info.default_port)
    for name, info in SERVICES.items():
        prefix = info.env_prefix
        env[prefix + "PORT"] = str(ports[name])
        env[prefix + "DATA_DIR"] = str(data_dir)
        env[prefix + "NATS_URL"] = nats_url
        env[prefix + "INTERNAL_TOKEN"] = token
        env.setdefault(prefix + "LOG_JSON", "false")
        env.setdefault(prefix + "LOG_LEVEL", "WARNING")
    for name in SERVICES:
        if name != "gateway":
            env[f"HL_GATEWAY_{name.upper()}_URL"] = f"http://127.0.0.1:{ports[name]}"
    env["HL_GATEWAY_BOOTSTRAP_ADMIN_KEY"] = admin_key
    if (data_dir / "regions.csv").exists():  # imported with ./hl import-regions
        env.setdefault("HL_REGIONS_CSV", str(data_dir / "regions.csv"))
    return env


def _migrate_all(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hl_stack", "migrate", "all"], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        console.print(result.stderr)
        raise SystemExit("migrations failed")


def _wait_ready(name: str, port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with code {process.returncode} while starting")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{name} did not become ready in {timeout:.0f} s")


def _stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for name, process in processes.items():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            console.print(f"[yellow]{name} did not stop in time; killing it[/]")
            process.kill()


def _summary(env: dict[str, str], nats: NatsServer, admin_key: str, generated: bool, data_dir: Path) -> None:
    table = Table(title="Hazard Ledger — embedded stack", show_header=True)
    table.add_column("part")
    table.add_column("address")
    gateway = f"http://127.0.0.1:{env['HL_GATEWAY_PORT']}"
    table.add_row("gateway (public API)", f"{gateway}/api/v1   docs: {gateway}/docs")
    for name in SERVICES:
        if name != "gateway":
            table.add_row(f"{name} (internal)", f"http://127.0.0.1:{env[SERVICES[name].env_prefix + 'PORT']}")
    table.add_row("nats-server (JetStream)", nats.url)
    table.add_row("data folder", str(data_dir))
    console.print(table)
    origin = "generated for this run" if generated else "from HL_DEV_ADMIN_KEY"
    console.print(f"admin API key ({origin}): [bold]{admin_key}[/]")
    console.print("Ctrl-C stops everything.")


def run_stack(data_dir: Path | None) -> int:
    data_dir = (data_dir or Path(os.environ.get("HL_DATA_DIR", "data"))).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    admin_key = os.environ.get("HL_DEV_ADMIN_KEY", "")
    generated = not admin_key
    admin_key = admin_key or KEY_PREFIX + secrets.token_urlsafe(24)
    if problem := bootstrap_key_problem(admin_key):  # the gateway's own rule, before anything starts
        console.print(f"[red]HL_DEV_ADMIN_KEY {problem}[/]")
        return 2
    gateway_port = int(os.environ.get("HL_PORT", "8000"))
    nats = NatsServer(data_dir / "nats", port=_pick(int(os.environ.get("HL_NATS_PORT", "4222"))))
    console.print(f"starting nats-server on {nats.url} …")
    nats.start()
    processes: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        env = stack_environment(data_dir, nats.url, gateway_port, admin_key)
        console.print("migrating the service databases …")
        _migrate_all(env)
        for name, info in SERVICES.items():
            # A session of its own, so Ctrl-C reaches only us and we stop the services in order.
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", "hl_stack", "serve", name], env=env, start_new_session=True
            )
            _wait_ready(name, int(env[info.env_prefix + "PORT"]), processes[name])
            console.print(f"[green]✓[/] {name} ready")
        _summary(env, nats, admin_key, generated, data_dir)
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    console.print(
                        f"[red]✗ {name} exited unexpectedly with code {process.returncode}; stopping the stack[/]"
                    )
                    return 1
            time.sleep(0.2)
        console.print("stopping …")
        return 0
    finally:
        _stop(processes)
        nats.stop()
        console.print("stopped.")
