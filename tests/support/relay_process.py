"""A relay in its own process, so that a test can SIGKILL it mid-stream."""

from __future__ import annotations

import asyncio
import sys

import nats

from hl_platform.db import Database
from hl_platform.relay import OutboxRelay


async def main(db_url: str, nats_url: str) -> None:
    nc = await nats.connect(nats_url)
    relay = OutboxRelay(Database(db_url), nc.jetstream, "hazard", batch_size=50, poll_interval=0.01)
    await relay.run(asyncio.Event())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
