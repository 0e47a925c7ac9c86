"""The embedded stack reports a crashed service instead of hiding it, and Ctrl-C stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hl_stack.nats_server import free_port
from hl_stack.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _command(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")


def _start(tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = {
        **os.environ,
        "HL_PORT": str(port),
        "HL_NATS_PORT": str(free_port()),
        "HL_DEV_ADMIN_KEY": "hl_supervision_test",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "hl_stack", "up", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 180  # five services, started one after another, on a busy machine
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process, f"http://127.0.0.1:{port}"
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise TimeoutError("the stack did not start")


def test_a_crashed_service_is_reported_and_stops_the_stack(tmp_path: Path) -> None:
    process, _ = _start(tmp_path)
    hazard = next(pid for pid in _children(process.pid) if "serve hazard" in _command(pid))
    os.kill(hazard, signal.SIGKILL)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "hazard exited unexpectedly" in output


def test_ctrl_c_stops_every_process(tmp_path: Path) -> None:
    process, _ = _start(tmp_path)
    children = _children(process.pid)
    assert len(children) == 1 + len(SERVICES), "nats-server and every service"
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0 and "stopped." in output
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
