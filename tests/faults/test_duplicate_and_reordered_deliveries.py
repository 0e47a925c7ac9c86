"""Duplicate and reordered deliveries at the stream level. The hazard service writes real events
but its relay is off; the test publishes them straight into HL_HAZARD itself — every event twice
or three times under different `Nats-Msg-Id`s (so JetStream stores every copy), shuffled, and for
some hazards the later versions a whole wave before their `hazard.found` — while the reporting
service runs. The held versions wait in `pending_events`; in the end every hazard is projected
once at its last version and the figures are exact. Then the relay is switched on: it publishes
the same events under their own ids, which JetStream drops as duplicates."""

from __future__ import annotations

import asyncio
import json
import random
from collections import defaultdict
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client

from hl_stack.nats_server import NatsServer
from tests.faults.harness import (
    Writer,
    check_exactly_once,
    read_projection,
    read_truth,
    register_enterprise,
    running_stack,
    stream_messages,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

HAZARDS = 60
REVERSED = 10  # hazards whose later versions arrive a whole wave before their first


async def _drained(nc: Client, timeout: float = 30.0) -> None:
    """Until the reporting service has fetched and acked everything in the stream."""
    js = nc.jetstream(timeout=5)
    async with asyncio.timeout(timeout):
        while True:
            info = await js.consumer_info("HL_HAZARD", "reporting-hazard")
            if info.num_pending == 0 and info.num_ack_pending == 0:
                return
            await asyncio.sleep(0.1)


async def test_duplicate_and_reordered_deliveries(nats_server: NatsServer, tmp_path: Path) -> None:
    extra = {"HL_HAZARD_RELAY_ENABLED": "false"}
    async with running_stack(tmp_path / "data", nats_server.url, extra_env=extra) as stack:
        writer = Writer(
            stack["hazard"].base_url,
            stack.token,
            await register_enterprise(stack),
            total=HAZARDS,
            escalate_every=1,
            plan_majors=True,
        )
        await writer.run(timeout=60)
        truth = read_truth(stack.sqlite_path("hazard"))
        assert truth.unpublished == truth.events, "the relay is off: the test is the only publisher"

        rng = random.Random(20261124)
        by_hazard: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
        for hazard_id, version, subject, envelope in truth.envelopes:
            event_id = json.loads(envelope)["id"]
            copies = [event_id, f"{event_id}:copy-1"] + ([f"{event_id}:copy-2"] if rng.random() < 0.3 else [])
            by_hazard[hazard_id].extend((version, subject, envelope, msg_id) for msg_id in copies)
        three_versions = [h for h, v in truth.versions.items() if v >= 3]
        reversed_ids = set(three_versions[:REVERSED])
        assert len(reversed_ids) == REVERSED
        Delivery = tuple[int, str, str, str]  # version, subject, envelope, Nats-Msg-Id
        first: list[Delivery] = []
        second: list[Delivery] = []
        for hazard_id, deliveries in by_hazard.items():
            if hazard_id in reversed_ids:  # versions 2 and 3 (and their copies) now, version 1 a wave later
                first.extend(d for d in deliveries if d[0] > 1)
                second.extend(d for d in deliveries if d[0] == 1)
            else:
                rng.shuffle(deliveries)
                cut = rng.randrange(len(deliveries) + 1)
                first.extend(deliveries[:cut])
                second.extend(deliveries[cut:])
        rng.shuffle(first)
        rng.shuffle(second)

        nc = await nats.connect(nats_server.url)
        try:
            js = nc.jetstream(timeout=10)

            async def publish(wave: list[tuple[int, str, str, str]]) -> None:
                for _, subject, envelope, msg_id in wave:
                    ack = await js.publish(subject, envelope.encode(), headers={"Nats-Msg-Id": msg_id})
                    assert not ack.duplicate, "a copy under a new Nats-Msg-Id is stored, not dropped"

            await publish(first)
            await _drained(nc)
            held = read_projection(stack.sqlite_path("reporting"))
            assert held.pending >= 2 * REVERSED, "versions 2 and 3 of the reversed hazards are held"
            assert not reversed_ids & set(held.versions), "nothing of a hazard is projected before its found"
            await publish(second)
        finally:
            await nc.close()
        published = len(first) + len(second)
        assert published > 2 * truth.events

        hazard = stack["hazard"]
        hazard.stop()
        hazard.env["HL_HAZARD_RELAY_ENABLED"] = "true"
        await hazard.restart()
        await check_exactly_once(stack, writer, clean=True)
        assert await stream_messages(nats_server.url) == published, "the relay's own publishes were dropped"
