"""A migrated database for a service, on the URL a test was given."""

from __future__ import annotations

import asyncio

from hl_platform.db import Database
from hl_platform.migrate import upgrade


async def migrated(service: str, url: str) -> Database:
    await asyncio.to_thread(upgrade, service, url)
    return Database(url)
