"""Fresh, migrated reporting databases: SQLite files, and PostgreSQL when HL_TEST_POSTGRES_URL is set.

Each test module gets a factory; every database it makes has a random name and is dropped (or
deleted with the module's temporary folder) when the module ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from hl_platform.migrate import upgrade
from tests.conftest import POSTGRES_URL

NewDatabase = Callable[[], str]


def _admin_url() -> str:
    return POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NewDatabase]:
    """A factory of migrated reporting databases (their SQLAlchemy URLs) on one backend."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("reporting")

        def sqlite_database() -> str:
            url = f"sqlite+aiosqlite:///{folder / f'{uuid.uuid4().hex[:8]}.db'}"
            upgrade("reporting", url)
            return url

        yield sqlite_database
        return
    if not POSTGRES_URL:
        pytest.skip("HL_TEST_POSTGRES_URL is not set")
    import psycopg

    names: list[str] = []

    def postgres_database() -> str:
        name = f"hl_reporting_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_admin_url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        names.append(name)
        url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
        upgrade("reporting", url)
        return url

    try:
        yield postgres_database
    finally:
        with psycopg.connect(_admin_url(), autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
