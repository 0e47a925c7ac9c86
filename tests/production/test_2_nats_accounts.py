"""The JetStream cluster the compose file builds, seen from outside: the event streams at R3 on
three nodes that fsync every write, and the least-privilege accounts of deploy/nats/auth.conf on
this real cluster — a bureau reads through its own consumer and may publish nothing."""

from __future__ import annotations

import asyncio
import json

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import APIError

from hl_platform.nats_io import STREAMS
from tests.production.stack import Stack

pytestmark = [pytest.mark.timeout(180)]

BUREAU = "bureau-weihai"
SUBJECT = "hl.v1.hazard.found.37.3710.371002"


async def test_the_event_streams_are_r3_on_three_nodes_that_fsync(stack: Stack) -> None:
    nc = await stack.nats("hl-admin")
    try:
        js = nc.jetstream(timeout=10)
        for stream in STREAMS.values():
            info = await js.stream_info(stream)
            assert info.config.num_replicas == 3, stream
            assert info.cluster is not None and info.cluster.leader
            peers = info.cluster.replicas or []
            assert len(peers) == 2 and all(peer.current for peer in peers), f"{stream}: {peers}"
            names = {info.cluster.leader, *(peer.name for peer in peers)}
            assert names == {"nats-1", "nats-2", "nats-3"}
    finally:
        await nc.close()
    for node in ("nats-1", "nats-2", "nats-3"):
        varz = json.loads(stack.exec(stack.container(node), "wget", "-q", "-O", "-", "http://127.0.0.1:8222/varz"))
        assert varz["jetstream"]["config"]["sync_always"] is True, node


async def test_a_bureau_reads_through_its_own_consumer_and_may_publish_nothing(stack: Stack) -> None:
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    admin = await stack.nats("hl-admin")
    bureau = await stack.nats(BUREAU, error_cb=on_error)
    try:
        before = (await admin.jetstream(timeout=10).stream_info("HL_HAZARD")).state.messages
        js = bureau.jetstream(timeout=3)

        # Publishing an event, plainly or through JetStream, is refused by the server.
        await bureau.publish(SUBJECT, b'{"forged": true}')
        await bureau.flush()
        with pytest.raises((nats.errors.NoRespondersError, nats.errors.TimeoutError, APIError)):
            await js.publish(SUBJECT, b'{"forged": true}')
        for _ in range(50):
            if any("permissions violation for publish" in e.lower() for e in errors):
                break
            await asyncio.sleep(0.1)
        assert any("permissions violation for publish" in e.lower() and SUBJECT in e for e in errors), errors
        # Nor may it delete the log or another service's durable.
        with pytest.raises((nats.errors.TimeoutError, APIError, nats.errors.NoRespondersError)):
            await js.delete_stream("HL_HAZARD")
        with pytest.raises((nats.errors.TimeoutError, APIError, nats.errors.NoRespondersError)):
            await js.delete_consumer("HL_HAZARD", "reporting-hazard")
        assert (await admin.jetstream(timeout=10).stream_info("HL_HAZARD")).state.messages == before

        # What it may do: its own durable, from the start, on its own region's subjects.
        await js.add_consumer(
            "HL_HAZARD",
            ConsumerConfig(  # named: the create request then carries the filter the server checks
                name=BUREAU,
                durable_name=BUREAU,
                deliver_policy=DeliverPolicy.ALL,
                ack_policy=AckPolicy.EXPLICIT,
                filter_subject="hl.v1.hazard.*.37.3710.>",
            ),
        )
        try:
            sub = await js.pull_subscribe_bind(BUREAU, "HL_HAZARD")
            messages = await sub.fetch(10, timeout=10)
            assert messages, "the bureau reads the hazard events of its region"
            for message in messages:
                event = json.loads(message.data)
                assert event["specversion"] == "1.0" and event["type"].startswith("hazard.")
                await message.ack()
        finally:
            await js.delete_consumer("HL_HAZARD", BUREAU)
    finally:
        await bureau.close()
        await admin.close()
