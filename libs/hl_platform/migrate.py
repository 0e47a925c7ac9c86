"""Alembic, driven from code: each service has its own `migrations/` folder and database.

`upgrade(service)` runs that service's migrations to head; each `migrations/env.py` is two lines
that hand its metadata to `run_env`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from hl_platform.tables import metadata as platform_metadata

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(service: str, url: str) -> Config:
    folder = ROOT / "services" / service / "migrations"
    config = Config()
    config.set_main_option("script_location", str(folder))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["service"] = service
    return config


def upgrade(service: str, url: str, revision: str = "head") -> None:
    """Bring `service`'s database at `url` to `revision` (safe to run again)."""
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(service, url), revision)


def run_env(target: MetaData) -> None:
    """The body of every service's `migrations/env.py` (async engine, one code path)."""

    def run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=[platform_metadata, target],
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = async_engine_from_config(
            context.config.get_section(context.config.config_ini_section, {})
            | {"sqlalchemy.url": context.config.get_main_option("sqlalchemy.url")},
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        async with engine.connect() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(
            url=context.config.get_main_option("sqlalchemy.url"), target_metadata=[platform_metadata, target]
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(main())
    else:  # called from inside an event loop (tests): run in a fresh thread's loop
        import threading

        errors: list[BaseException] = []

        def target_thread() -> None:
            try:
                asyncio.run(main())
            except BaseException as exc:  # re-raised in the caller
                errors.append(exc)

        thread = threading.Thread(target=target_thread)
        thread.start()
        thread.join()
        if errors:
            raise errors[0]
