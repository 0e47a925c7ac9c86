"""One node of a 3-node JetStream cluster stopped while the services run against all three URLs
with R3 streams: the node leading HL_HAZARD is stopped mid-stream and stays down; reports keep
being acknowledged, the relay and the projectors move to the survivors, and every acknowledged
report is published once and projected once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest

from tests.faults.harness import Writer, check_exactly_once, register_enterprise, running_stack
from tests.support_nats import NatsCluster

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

TOTAL = 200
STOP_AFTER = 80


async def _stream_leader(urls: list[str]) -> str:
    nc = await nats.connect(urls, connect_timeout=2)
    try:
        js = nc.jetstream(timeout=5)
        async with asyncio.timeout(30):
            while True:
                info = await js.stream_info("HL_HAZARD")
                if info.cluster is not None and info.cluster.leader:
                    assert info.config.num_replicas == 3
                    return info.cluster.leader
                await asyncio.sleep(0.2)
    finally:
        await nc.close()


async def test_cluster_node_stopped_mid_stream(tmp_path: Path) -> None:
    with NatsCluster(tmp_path / "nats", size=3) as cluster:
        async with running_stack(tmp_path / "data", cluster.urls, stream_replicas=3) as stack:
            writer = Writer(stack["hazard"].base_url, stack.token, await register_enterprise(stack), total=TOTAL)
            writing = writer.start(timeout=90)
            try:
                await writer.acked_at_least(STOP_AFTER)
                leader = await _stream_leader(cluster.urls)
                victim = cluster.index(leader)
                await asyncio.to_thread(cluster.stop_node, victim)
                await writing
            finally:
                writing.cancel()
            survivors = [node.url for node in cluster.nodes if node.running]
            assert len(survivors) == 2
            await check_exactly_once(stack, writer, clean=True, nats_urls=survivors)
            assert await _stream_leader(survivors) != leader
