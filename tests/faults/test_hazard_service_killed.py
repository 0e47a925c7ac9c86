"""The hazard service SIGKILLed mid-stream and restarted: every report that got a 201 is in the
event store, published once and projected once; a report cut off by the kill is either absent or
there exactly once (it got no answer, so the client could not know)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hl_stack.nats_server import NatsServer
from tests.faults.harness import Writer, check_exactly_once, register_enterprise, running_stack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

TOTAL = 200
KILL_AFTER = 80


async def test_hazard_service_killed_mid_stream(nats_server: NatsServer, tmp_path: Path) -> None:
    async with running_stack(tmp_path / "data", nats_server.url) as stack:
        hazard = stack["hazard"]
        writer = Writer(hazard.base_url, stack.token, await register_enterprise(stack), total=TOTAL)
        writing = writer.start(timeout=90)
        try:
            await writer.acked_at_least(KILL_AFTER)
            hazard.kill()  # mid-stream: requests are in flight, the relay has rows in hand
            assert not hazard.running
            killed_at = len(writer.acked)
            await hazard.restart()
            await writing
        finally:
            writing.cancel()
        assert writer.failed, "the kill cut off some requests (otherwise nothing was tested)"
        assert killed_at < TOTAL <= len(writer.acked)
        truth = await check_exactly_once(stack, writer, clean=False, nats_urls=nats_server.url)
        unanswered_but_stored = set(truth.found) - set(writer.acked)
        assert len(unanswered_but_stored) <= writer.clients, "at most the requests in flight at the kill"
