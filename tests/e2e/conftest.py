"""The whole embedded stack (`./hl up`'s code path) as separate processes, for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hl_stack.nats_server import free_port
from hl_stack.services import SERVICES
from tests.conftest import POSTGRES_URL

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


def _postgres_databases() -> Iterator[dict[str, str]]:
    """One fresh PostgreSQL database per service, as production has them; dropped afterwards."""
    import psycopg

    admin = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    names = {
        service: f"hl_e2e_{service}_{uuid.uuid4().hex[:8]}"
        for service in ("hazard", "enterprise", "tips", "reporting", "webhooks", "gateway")
    }
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names.values():
            conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield {f"HL_{service.upper()}_DATABASE_URL": f"{base}/{name}" for service, name in names.items()}
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The embedded stack on SQLite, and again with every service on its own PostgreSQL database."""
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip("HL_TEST_POSTGRES_URL is not set")
    with contextlib.ExitStack() as cleanup:
        databases = (
            cleanup.enter_context(contextlib.contextmanager(_postgres_databases)())
            if request.param == "postgres"
            else {}
        )
        yield from _run_stack(tmp_path_factory, databases)


def _run_stack(tmp_path_factory: pytest.TempPathFactory, databases: dict[str, str]) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("stack")
    port, nats_port = free_port(), free_port()
    env = {**os.environ, "HL_PORT": str(port), "HL_NATS_PORT": str(nats_port), "HL_DEV_ADMIN_KEY": ADMIN_KEY}
    # Every port explicit: another stack on this machine may take a default one at any moment.
    internal = [info.env_prefix + "PORT" for name, info in SERVICES.items() if name != "gateway"]
    for variable in (*internal, "HL_NATS_MONITOR_PORT", "HL_GATEWAY_METRICS_PORT", "HL_S3_PORT"):
        env[variable] = str(free_port())
    env["HL_HAZARD_OVERDUE_SCAN_INTERVAL_S"] = "1"
    env["HL_WEBHOOKS_ALLOWED_NETWORKS"] = '["127.0.0.1/32"]'  # the tests' receivers listen there
    env.update(databases)
    log = (data_dir / "stack.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "hl_stack", "up", "--data-dir", str(data_dir)], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # five services, started one after another, on a busy machine
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
