"""The reporting service (the projector) SIGKILLed while it applies a backlog — at the moment it
holds a fetched batch it has not acked, after it committed earlier ones; twice while the backlog
lasts — then restarted: messages it applied but never acked come back and are skipped, messages
it fetched but never committed are applied once; the dispatch table is exact."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest
from nats.js import JetStreamContext

from hl_stack.nats_server import NatsServer
from tests.faults.harness import (
    Writer,
    check_exactly_once,
    query_sqlite,
    read_truth,
    register_enterprise,
    running_stack,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

HAZARDS = 300  # with plans and listings: ~525 events, three of the consumer's 200-event batches
KILLS = 2
DURABLE = "reporting-hazard"


def _applied(path: Path) -> int:
    """Hazard events the projector has committed (the versions it recorded per hazard)."""
    sql = "SELECT coalesce(sum(version), 0) FROM consumer_progress WHERE consumer = ?"
    return int(query_sqlite(path, sql, DURABLE)[0][0])


async def _mid_batch(js: JetStreamContext, path: Path, after: int, total: int, timeout: float = 30.0) -> bool:
    """Wait until the projector has committed more than `after` events and holds a fetched batch
    it has not acked yet (the moment to kill it); False if it finished the backlog first."""
    async with asyncio.timeout(timeout):
        while True:
            applied = _applied(path)
            if applied >= total:
                return False
            if applied > after and ((await js.consumer_info("HL_HAZARD", DURABLE)).num_ack_pending or 0) > 0:
                return True
            await asyncio.sleep(0.005)


async def test_projector_killed_mid_backlog(nats_server: NatsServer, tmp_path: Path) -> None:
    async with running_stack(tmp_path / "data", nats_server.url, start=("enterprise", "hazard")) as stack:
        reporting = stack["reporting"]
        writer = Writer(
            stack["hazard"].base_url,
            stack.token,
            await register_enterprise(stack),
            total=HAZARDS,
            escalate_every=2,
            plan_majors=True,
        )
        await writer.run(timeout=90)
        async with asyncio.timeout(30):  # the whole backlog is in the stream before the projector starts
            while read_truth(stack.sqlite_path("hazard")).unpublished:
                await asyncio.sleep(0.1)

        path, total = stack.sqlite_path("reporting"), read_truth(stack.sqlite_path("hazard")).events
        kills: list[tuple[int, int]] = []  # (events applied, messages fetched but never acked) at each kill
        nc = await nats.connect(nats_server.url)
        try:
            js = nc.jetstream(timeout=10)
            reporting.launch()
            while len(kills) < KILLS and await _mid_batch(js, path, kills[-1][0] if kills else 0, total):
                reporting.kill()
                unacked = (await js.consumer_info("HL_HAZARD", DURABLE)).num_ack_pending or 0
                kills.append((_applied(path), unacked))
                await reporting.restart()
        finally:
            await nc.close()
        assert kills and all(0 < applied < total for applied, _ in kills), (
            f"the projector was killed with part of the backlog applied: {kills} of {total}"
        )
        assert any(unacked for _, unacked in kills), f"a kill caught a fetched batch before its acks: {kills}"
        await reporting.wait_ready()
        await check_exactly_once(stack, writer, clean=True, nats_urls=nats_server.url)
