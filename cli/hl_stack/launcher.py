"""The embedded stack: a real nats-server, SQLite files, and the four services as processes.

All state lives under one data folder, which one `./hl up` at a time may use (state.py). NATS
runs with the production permissions (nats_auth.py) and credentials generated under the data
folder (credentials.py). The processes are supervised (supervisor.py): a crash or a failed health
probe restarts the process with back-off, and nothing outlives the launcher. Ctrl-C (or SIGTERM)
stops the services, then NATS.

The list of processes is data: `infrastructure()` (started first, stopped last) and the services
of hl_stack.services; adding a process is adding a ProcessSpec.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sys
from collections.abc import Collection, Mapping
from pathlib import Path

from rich.console import Console
from rich.table import Table

from hl_gateway.domain.credentials import KEY_PREFIX, bootstrap_key_problem
from hl_platform.nats_io import NatsCredentials
from hl_stack.credentials import service_credentials
from hl_stack.nats_server import embedded_argv, embedded_config, embedded_store, free_port
from hl_stack.object_store import SeaweedFS
from hl_stack.services import SERVICES
from hl_stack.state import DataFolderLock, StackLocked, StackState, default_data_dir, write_state
from hl_stack.supervisor import ProcessSpec, StartFailed, Supervisor

console = Console(stderr=True)
NATS_DEFAULT_PORT, NATS_DEFAULT_MONITOR_PORT = 4222, 8222
GATEWAY_METRICS_DEFAULT_PORT = 8090
S3_DEFAULT_PORT = 8333


class PortBusy(Exception):
    pass


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port(variable: str, default: int, *, movable: bool = True, avoid: Collection[int] = ()) -> int:
    """The port `variable` names (it must be free), else `default`, else any free one when `movable`."""
    if value := os.environ.get(variable):
        if not _port_free(int(value)):
            raise PortBusy(f"port {value} ({variable}) is already in use")
        return int(value)
    if _port_free(default):
        return default
    if not movable:
        raise PortBusy(f"port {default} is already in use; set {variable} to move it")
    return free_port(avoid)


def choose_ports() -> dict[str, int]:
    """Every listening port of the stack: the gateway's is fixed (clients know it), the others
    move to a free port when their default is taken, unless set explicitly."""
    ports = {"gateway": _port("HL_PORT", SERVICES["gateway"].default_port, movable=False)}
    for name, info in SERVICES.items():
        if name != "gateway":
            ports[name] = _port(info.env_prefix + "PORT", info.default_port, avoid=ports.values())
    ports["gateway_metrics"] = _port("HL_GATEWAY_METRICS_PORT", GATEWAY_METRICS_DEFAULT_PORT, avoid=ports.values())
    ports["s3"] = _port("HL_S3_PORT", S3_DEFAULT_PORT, avoid=ports.values())
    ports["nats"] = _port("HL_NATS_PORT", NATS_DEFAULT_PORT, avoid=ports.values())
    ports["nats_monitor"] = _port("HL_NATS_MONITOR_PORT", NATS_DEFAULT_MONITOR_PORT, avoid=ports.values())
    return ports


def service_environment(
    data_dir: Path,
    ports: Mapping[str, int],
    credentials: Mapping[str, NatsCredentials],
    database_urls: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The HL_<SERVICE>_* settings that address the embedded stack (also what the other
    commands use to act on a running stack)."""
    env: dict[str, str] = {}
    for name, info in SERVICES.items():
        prefix = info.env_prefix
        env[prefix + "PORT"] = str(ports[name])
        env[prefix + "DATA_DIR"] = str(data_dir)
        env[prefix + "NATS_URL"] = f"nats://127.0.0.1:{ports['nats']}"
        env[prefix + "NATS_USER"] = credentials[name].user
        env[prefix + "NATS_PASSWORD"] = credentials[name].password
        if url := (database_urls or {}).get(name):
            env[prefix + "DATABASE_URL"] = url
    env["HL_GATEWAY_METRICS_PORT"] = str(ports["gateway_metrics"])  # the gateway's internal /metrics
    return env


def stack_environment(
    data_dir: Path, ports: Mapping[str, int], credentials: Mapping[str, NatsCredentials], admin_key: str
) -> dict[str, str]:
    """Every service's settings, as the environment of its process."""
    env = dict(os.environ)
    env.update(service_environment(data_dir, ports, credentials))
    token = secrets.token_urlsafe(32)  # fresh per run: only these processes can call the services
    for info in SERVICES.values():
        env[info.env_prefix + "INTERNAL_TOKEN"] = token
        env.setdefault(info.env_prefix + "LOG_JSON", "false")
        env.setdefault(info.env_prefix + "LOG_LEVEL", "WARNING")
    for name in (name for name in SERVICES if name != "gateway"):
        env[f"HL_GATEWAY_{name.upper()}_URL"] = f"http://127.0.0.1:{ports[name]}"
    env["HL_WEBHOOKS_GATEWAY_URL"] = f"http://127.0.0.1:{ports['gateway']}"  # it asks whether owners' keys hold
    env["HL_GATEWAY_BOOTSTRAP_ADMIN_KEY"] = admin_key
    if (data_dir / "regions.csv").exists():  # imported with ./hl import-regions
        env.setdefault("HL_REGIONS_CSV", str(data_dir / "regions.csv"))
    return env


def infrastructure(data_dir: Path, ports: Mapping[str, int], store: SeaweedFS) -> list[ProcessSpec]:
    """What the services need running first."""
    monitor = f"http://127.0.0.1:{ports['nats_monitor']}"
    config = embedded_config(data_dir, ports["nats"], ports["nats_monitor"])
    nats = ProcessSpec(
        "nats-server",
        embedded_argv(config),
        ready_url=f"{monitor}/healthz?js-enabled-only=true",
        # The full health check fails while a stream has a write error (a full disk), which only
        # a restart clears once there is room again.
        health_url=f"{monitor}/healthz",
        log_path=embedded_store(data_dir) / "nats-server.log",
        start_timeout=30.0,
        unhealthy_after=6.0,
        infrastructure=True,
    )
    return [nats, _object_store(store)]


def object_store(data_dir: Path, ports: Mapping[str, int]) -> SeaweedFS:
    """The object store (SeaweedFS's S3 API) of evidence and tip photos, its key pair generated at first start."""
    return SeaweedFS(data_dir / "objects", s3_port=ports["s3"]).prepare(avoid=set(ports.values()))


def _object_store(store: SeaweedFS) -> ProcessSpec:
    return ProcessSpec(
        "seaweedfs",
        store.arguments(),
        ready_url=f"{store.endpoint}/healthz",
        health_url=f"{store.endpoint}/healthz",
        log_path=store.log_path,
        cwd=store.folder,
        infrastructure=True,
    )


def service_specs(env: Mapping[str, str], ports: Mapping[str, int]) -> list[ProcessSpec]:
    return [
        ProcessSpec(
            name,
            [sys.executable, "-m", "hl_stack", "serve", name],
            ready_url=f"http://127.0.0.1:{ports[name]}/readyz",
            health_url=f"http://127.0.0.1:{ports[name]}/healthz",  # liveness: NATS away is not a crash
            env=env,
        )
        for name in SERVICES
    ]


def _summary(ports: Mapping[str, int], admin_key: str, generated: bool, data_dir: Path) -> None:
    table = Table(title="Hazard Ledger — embedded stack", show_header=True)
    table.add_column("part")
    table.add_column("address")
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    table.add_row("gateway (public API)", f"{gateway}/api/v1   docs: {gateway}/docs")
    for name in SERVICES:
        if name != "gateway":
            table.add_row(f"{name} (internal)", f"http://127.0.0.1:{ports[name]}")
    table.add_row("nats-server (JetStream)", f"nats://127.0.0.1:{ports['nats']} (users and passwords in secrets/)")
    table.add_row("SeaweedFS (evidence, tip photos; S3)", f"http://127.0.0.1:{ports['s3']} (key pair in objects/)")
    table.add_row("data folder", str(data_dir))
    console.print(table)
    origin = "generated for this run" if generated else "from HL_DEV_ADMIN_KEY"
    console.print(f"admin API key ({origin}): [bold]{admin_key}[/]")
    console.print("Ctrl-C stops everything.")


def _admin_key() -> tuple[str, bool] | None:
    given = os.environ.get("HL_DEV_ADMIN_KEY", "")
    key = given or KEY_PREFIX + secrets.token_urlsafe(24)
    if problem := bootstrap_key_problem(key):  # the gateway's own rule, before anything starts
        console.print(f"[red]HL_DEV_ADMIN_KEY {problem}[/]")
        return None
    return key, not given


def run_stack(data_dir: Path | None) -> int:
    data_dir = default_data_dir(data_dir)
    lock = DataFolderLock(data_dir)
    try:
        lock_fd = lock.acquire()
    except StackLocked as exc:
        console.print(f"[red]{exc}[/]")
        return 3
    try:
        return _run_locked(data_dir, lock_fd)
    finally:
        lock.release()


def _run_locked(data_dir: Path, lock_fd: int) -> int:
    if (admin := _admin_key()) is None:
        return 2
    try:
        ports = choose_ports()
    except PortBusy as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    credentials = service_credentials(data_dir)
    store = object_store(data_dir, ports)
    env = stack_environment(data_dir, ports, credentials, admin[0]) | store.stack_environment()
    database_urls = {
        name: env[info.env_prefix + "DATABASE_URL"]
        for name, info in SERVICES.items()
        if info.env_prefix + "DATABASE_URL" in env
    }
    state = StackState(os.getpid(), str(data_dir), dict(ports), database_urls=database_urls)
    supervisor = Supervisor(console, keep_fds=[lock_fd])
    supervisor.on_change = lambda: _save_state(data_dir, state, supervisor)
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for spec in infrastructure(data_dir, ports, store):
            console.print(f"starting {spec.name} …")
            supervisor.start(spec)
        console.print("migrating the service databases …")
        migrated = supervisor.run_once("migrate", [sys.executable, "-m", "hl_stack", "migrate", "all"], env)
        if migrated.returncode != 0:
            console.print(migrated.stderr)
            console.print("[red]migrations failed[/]")
            return 1
        for spec in service_specs(env, ports):
            supervisor.start(spec)
            console.print(f"[green]✓[/] {spec.name} ready")
        _save_state(data_dir, state, supervisor)
        _summary(ports, admin[0], admin[1], data_dir)
        supervisor.watch(lambda: stopping)
        console.print("stopping …")
        return 0
    except StartFailed as exc:
        console.print(f"[red]✗ {exc}[/]")
        return 1
    finally:
        supervisor.stop_all()
        console.print("stopped.")


def _save_state(data_dir: Path, state: StackState, supervisor: Supervisor) -> None:
    state.pids = supervisor.pids()
    write_state(data_dir, state)
