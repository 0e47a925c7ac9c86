"""nats-server stopped and started again (same port, same store) while reports keep coming: the
hazard service answers 201 throughout (writes go to the outbox), and once NATS is back every
acknowledged report is published once and projected once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hl_stack.nats_server import NatsServer
from tests.faults.harness import Writer, check_exactly_once, read_truth, register_enterprise, running_stack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

TOTAL = 200
STOP_AFTER = 80
WRITTEN_WHILE_DOWN = 30


async def test_nats_restarted_mid_stream(nats_server: NatsServer, tmp_path: Path) -> None:
    async with running_stack(tmp_path / "data", nats_server.url) as stack:
        writer = Writer(stack["hazard"].base_url, stack.token, await register_enterprise(stack), total=TOTAL)
        writing = writer.start(timeout=90)
        try:
            await writer.acked_at_least(STOP_AFTER)
            await asyncio.to_thread(nats_server.stop)
            down_from = len(writer.acked)
            await writer.acked_at_least(down_from + WRITTEN_WHILE_DOWN)
            backlog = read_truth(stack.sqlite_path("hazard")).unpublished
            await asyncio.to_thread(nats_server.start)
            await writing
        finally:
            writing.cancel()
        assert backlog >= WRITTEN_WHILE_DOWN, "reports acknowledged while NATS was down waited in the outbox"
        assert len(writer.acked) >= TOTAL
        await check_exactly_once(stack, writer, clean=True, nats_urls=nats_server.url)
