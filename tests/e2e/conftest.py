"""The whole embedded stack (`./hl up`'s code path) as separate processes, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hl_stack.nats_server import free_port

ROOT = Path(__file__).resolve().parents[2]
ADMIN_KEY = "hl_e2e_admin_key_for_tests_only"


@dataclass
class Stack:
    base_url: str
    admin_key: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    nats_port: int

    def client(self, key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key or self.admin_key}"}
        return httpx.Client(base_url=f"{self.base_url}/api/v1", headers=headers, timeout=30)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("stack")
    port, nats_port = free_port(), free_port()
    env = {**os.environ, "HL_PORT": str(port), "HL_NATS_PORT": str(nats_port), "HL_DEV_ADMIN_KEY": ADMIN_KEY}
    env["HL_HAZARD_OVERDUE_SCAN_INTERVAL_S"] = "1"
    log = (data_dir / "stack.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "hl_stack", "up", "--data-dir", str(data_dir)], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"the stack exited with {process.returncode}: {(data_dir / 'stack.log').read_text()[-3000:]}"
            )
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise TimeoutError((data_dir / "stack.log").read_text()[-3000:])
        time.sleep(0.2)
    try:
        yield Stack(base_url, ADMIN_KEY, data_dir, process, nats_port)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
