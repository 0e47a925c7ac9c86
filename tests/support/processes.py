"""The services as real processes (`python -m hl_stack serve <name>`), so that a test can SIGKILL
one mid-stream and start it again on the same port, database and NATS.

    stack = ServiceStack(tmp_path, nats_url, services=("enterprise", "hazard", "reporting"))
    await stack.migrate()
    await stack.start()                      # all of them, concurrently, until /readyz is 200
    stack["hazard"].kill()                   # SIGKILL: no shutdown, no flush
    await stack["hazard"].restart()
    ...
    stack.stop()                             # SIGTERM, then SIGKILL after a grace period

Every service gets `HL_<SVC>_*` variables as `hl_stack.launcher.stack_environment` sets them
(port, data dir, NATS URL — a comma-separated list for a cluster —, a fresh internal token) plus
an explicit SQLite database URL under the data dir. Each process writes its output to
`<data_dir>/<name>.log`, quoted when it fails to become ready.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx

from hl_platform.migrate import upgrade
from hl_stack.services import SERVICES
from tests.support_nats import free_ports

__all__ = ["ROOT", "ServiceProcess", "ServiceStack"]

ROOT = Path(__file__).resolve().parents[2]
_PREFIXES = tuple(info.env_prefix for info in SERVICES.values())


class ServiceProcess:
    """One service process; `start`/`kill`/`stop`/`restart` keep its port, environment and files."""

    def __init__(self, name: str, env: Mapping[str, str], log_path: Path) -> None:
        self.name = name
        self.env = dict(env)
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def prefix(self) -> str:
        return SERVICES[self.name].env_prefix

    @property
    def port(self) -> int:
        return int(self.env[self.prefix + "PORT"])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return self.env[self.prefix + "DATABASE_URL"]

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def launch(self) -> None:
        """Start the process (without waiting for it to be ready)."""
        if self.running:
            raise RuntimeError(f"{self.name} is already running (pid {self.pid})")
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts} of {self.name} =====\n".encode())
            log.flush()
            # A session of its own: a signal meant for pytest never reaches it, and ours reach only it.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hl_stack", "serve", self.name],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def wait_ready(self, timeout: float = 60.0) -> None:
        """Poll /readyz (database and NATS reachable) until 200; fail fast if the process exits."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while True:
                if self.process is None or self.process.poll() is not None:
                    code = None if self.process is None else self.process.returncode
                    raise RuntimeError(f"{self.name} exited with {code} while starting:\n{self.log_tail()}")
                try:
                    if (await client.get(f"{self.base_url}/readyz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if loop.time() > deadline:
                    raise TimeoutError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log_tail()}")
                await asyncio.sleep(0.1)

    async def start(self, timeout: float = 60.0) -> None:
        self.launch()
        await self.wait_ready(timeout)

    def kill(self) -> None:
        """A crash: SIGKILL to this process only (by its pid), then reap it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self, timeout: float = 15.0) -> None:
        """A graceful stop (SIGTERM); SIGKILL if it has not exited after `timeout` seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    async def restart(self, timeout: float = 60.0) -> None:
        """Start again after a kill or stop: same port, same database, same NATS."""
        if self.running:
            self.stop()
        await self.start(timeout)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class ServiceStack:
    """Several services sharing one data dir, one internal token and one NATS (server or cluster)."""

    def __init__(
        self,
        data_dir: Path,
        nats_urls: str | Iterable[str],
        *,
        services: Iterable[str] = ("enterprise", "hazard", "reporting"),
        stream_replicas: int = 1,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.nats_url = nats_urls if isinstance(nats_urls, str) else ",".join(nats_urls)
        self.token = secrets.token_urlsafe(24)
        names = list(services)
        base = {key: value for key, value in os.environ.items() if not key.startswith(_PREFIXES)}
        base["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
        ports = free_ports(len(names))
        self.processes: dict[str, ServiceProcess] = {}
        for name, port in zip(names, ports, strict=True):
            prefix = SERVICES[name].env_prefix
            env = dict(base)
            env.update(
                {
                    prefix + "PORT": str(port),
                    prefix + "HOST": "127.0.0.1",
                    prefix + "DATA_DIR": str(data_dir),
                    prefix + "DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / (name + '.db')}",
                    prefix + "NATS_URL": self.nats_url,
                    prefix + "NATS_STREAM_REPLICAS": str(stream_replicas),
                    prefix + "INTERNAL_TOKEN": self.token,
                    prefix + "ENVIRONMENT": "test",
                    prefix + "LOG_JSON": "false",
                    prefix + "LOG_LEVEL": "WARNING",
                    prefix + "TELEMETRY_EXPORTER": "none",
                }
            )
            env.update(extra_env or {})
            self.processes[name] = ServiceProcess(name, env, data_dir / f"{name}.log")

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.processes[name]

    def sqlite_path(self, name: str) -> Path:
        return self.data_dir / f"{name}.db"

    async def migrate(self) -> None:
        """Bring every service's database to the newest schema (what `hl_stack migrate` runs).
        One at a time: Alembic's `context` is process-global."""
        for name, process in self.processes.items():
            await asyncio.to_thread(upgrade, name, process.database_url)

    async def start(self, names: Iterable[str] | None = None, timeout: float = 60.0) -> None:
        chosen = [self.processes[name] for name in (names or self.processes)]
        for process in chosen:
            process.launch()
        await asyncio.gather(*(process.wait_ready(timeout) for process in chosen))

    def stop(self) -> None:
        for process in self.processes.values():
            if process.running:
                assert process.process is not None
                process.process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            process.stop()
