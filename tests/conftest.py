"""Fixtures shared by every test: real nats-server processes and real databases.

PostgreSQL runs when HL_TEST_POSTGRES_URL names a server (CI installs and starts one from apt);
each test gets a fresh database with a random name, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hl_stack.nats_server import NatsServer
from hl_stack.object_store import SeaweedFS

POSTGRES_URL = os.environ.get("HL_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "nats").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """One real SeaweedFS server (S3 API, generated credentials) for the session; tests that share
    it use a bucket of their own (`object_store_env`). A test that stops a store starts its own."""
    server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs")).start()
    try:
        yield server
    finally:
        server.stop(timeout=5)  # its graceful stop takes ~15 s; the data is thrown away anyway


@pytest.fixture
def object_store_env(seaweedfs: SeaweedFS) -> dict[str, str]:
    """The hazard service's settings for the shared SeaweedFS, with a fresh bucket."""
    return seaweedfs.service_environment(bucket=f"evidence-{uuid.uuid4().hex[:12]}")


def _admin_url(base: str) -> str:
    return base.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database; its SQLAlchemy URL."""
    if not POSTGRES_URL:
        pytest.skip("HL_TEST_POSTGRES_URL is not set")
    import psycopg

    name = f"hl_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_url(POSTGRES_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(_admin_url(POSTGRES_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that takes this runs on SQLite and (when available) on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    yield request.getfixturevalue("postgres_database")
