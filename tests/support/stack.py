"""`./hl up` as a real process for tests, on free ports chosen by the test (every port of the stack
is set explicitly, as an operator may), with its output in `<data_dir>/up.log`.

    up = start_up(tmp_path / "data")
    up.state().pids["hazard"]          # what the launcher wrote to <data>/hl-up.json
    up.internal("hazard") + "/readyz"
    up.stop()                          # SIGINT, then SIGKILL after a grace period
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from hl_stack.services import SERVICES
from hl_stack.state import StackState, read_state
from tests.support_nats import free_ports

ROOT = Path(__file__).resolve().parents[2]
ADMIN_KEY = "hl_stack_tests_admin_key_0001"
# Every port of the stack explicit: another stack on this machine may take a default one at any moment.
PORT_VARIABLES = (
    "HL_PORT",
    *(info.env_prefix + "PORT" for name, info in SERVICES.items() if name != "gateway"),
    "HL_NATS_PORT",
    "HL_NATS_MONITOR_PORT",
    "HL_GATEWAY_METRICS_PORT",
    "HL_S3_PORT",
)


def hl(*args: str, env: Mapping[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python -m hl_stack <args>` (what ./hl runs) and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "hl_stack", *args],
        cwd=ROOT,
        env=dict(env if env is not None else os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def eventually(
    check: Callable[[], Any], timeout: float = 30.0, interval: float = 0.2, why: Callable[[], str] | None = None
) -> Any:
    """Poll `check` until it returns something true; `why` explains a failure (e.g. logs)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout:.0f} s" + (f"\n{why()}" if why else ""))
        time.sleep(interval)


def ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


class UpProcess:
    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir = data_dir
        self.env = env
        self.log_path = data_dir.parent / f"{data_dir.name}-up.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.env['HL_PORT']}"

    def internal(self, service: str) -> str:
        return f"http://127.0.0.1:{self.env[f'HL_{service.upper()}_PORT']}"

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.env['HL_NATS_PORT']}"

    def client(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
        return httpx.Client(base_url=f"{self.gateway}/api/v1", headers=headers, timeout=30)

    def launch(self) -> UpProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hl_stack", "up", "--data-dir", str(self.data_dir)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_ready(self, timeout: float = 150.0) -> UpProcess:
        deadline = time.monotonic() + timeout
        while not ok(f"{self.gateway}/readyz") or "Ctrl-C stops everything" not in self.output():
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"./hl up exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"./hl up not ready in {timeout:.0f} s:\n{self.output()[-3000:]}")
            time.sleep(0.3)
        return self

    def state(self) -> StackState:
        state = read_state(self.data_dir)
        assert state is not None, "no state file"
        return state

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def diagnosis(self) -> str:
        """The ends of the launcher's output and of the nats-server log, for a failure message."""
        try:
            nats_log = (self.data_dir / "nats" / "nats-server.log").read_text(errors="replace")
        except OSError:
            nats_log = ""
        return f"--- ./hl up ---\n{self.output()[-2500:]}\n--- nats-server ---\n{nats_log[-2500:]}"

    def stop(self, timeout: float = 60.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(10)


def up_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in PORT_VARIABLES}
    env.update(zip(PORT_VARIABLES, map(str, free_ports(len(PORT_VARIABLES))), strict=True))
    env["HL_DEV_ADMIN_KEY"] = ADMIN_KEY
    env.update(extra or {})
    return env


def start_up(data_dir: Path, extra_env: Mapping[str, str] | None = None, timeout: float = 150.0) -> UpProcess:
    """`./hl up --data-dir data_dir`, ready (gateway /readyz and the summary printed)."""
    up = UpProcess(data_dir, up_environment(extra_env)).launch()
    try:
        return up.wait_ready(timeout)
    except BaseException:
        up.stop(10)
        raise


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status
