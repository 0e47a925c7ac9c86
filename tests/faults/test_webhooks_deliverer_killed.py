"""The webhooks service (the deliverer) SIGKILLed twice while it fans a backlog out and delivers
it — with attempts in flight, claims held and a fetched stream batch not yet acked — then started
again on the same database and NATS: the receiver sees every event id (none lost), each at least
once; duplicates are only the attempts the kill cut short, and every delivery ends delivered."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import Counter
from pathlib import Path

import httpx
import nats
import pytest

from hl_contracts import CloudEvent, subject_for
from hl_platform.nats_io import ensure_stream, stream_for
from hl_stack.nats_server import NatsServer
from tests.integration.webhooks.support import Receiver, Served
from tests.support.events import found
from tests.support.processes import ServiceStack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

ADMIN_KEY = "hl_faults_webhooks_admin_key"
EVENTS = 300  # in two waves of 150
KILL_AT = (60, 120)  # received events at which the deliverer is killed (the 2nd, as wave 2 arrives)


def _environment(stack: ServiceStack) -> None:
    gateway, webhooks = stack["gateway"], stack["webhooks"]
    gateway.env |= {
        "HL_GATEWAY_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        "HL_GATEWAY_WEBHOOKS_URL": webhooks.base_url,
        "HL_GATEWAY_RATE_LIMIT_PER_S": "10000",
        "HL_GATEWAY_RATE_LIMIT_BURST": "10000",
    }
    webhooks.env |= {
        "HL_WEBHOOKS_GATEWAY_URL": gateway.base_url,
        "HL_WEBHOOKS_ALLOWED_NETWORKS": json.dumps(["127.0.0.1/32"]),
        "HL_WEBHOOKS_RETRY_BASE_S": "0.2",
        "HL_WEBHOOKS_RETRY_MAX_INTERVAL_S": "1",
        "HL_WEBHOOKS_DISPATCH_POLL_INTERVAL_S": "0.05",
        "HL_WEBHOOKS_ATTEMPT_TIMEOUT_S": "2",
        "HL_WEBHOOKS_CONNECT_TIMEOUT_S": "1",
    }


async def _publish(nats_url: str, events: list[CloudEvent]) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, stream_for("hazard"))
        for event in events:
            await js.publish(
                subject_for(event.type, event.regioncode), event.to_json(), headers={"Nats-Msg-Id": event.id}
            )
    finally:
        await nc.close()


async def _subscribe(gateway_url: str, receiver_url: str) -> str:
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as client:
        admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
        issued = await client.post(
            "/api/v1/api-keys", json={"role": "platform", "name": "省平台", "region_code": "37"}, headers=admin
        )
        assert issued.status_code == 201, issued.text
        key = {"Authorization": f"Bearer {issued.json()['key']}"}
        hook = await client.post("/api/v1/webhooks", json={"url": receiver_url, "event_types": ["*"]}, headers=key)
        assert hook.status_code == 201, hook.text
        return str(hook.json()["id"])


def _claimed(path: Path) -> int:
    """Deliveries claimed by a replica and not finished: attempts in flight (at a kill: cut short)."""
    with sqlite3.connect(path) as db:
        sql = "SELECT count(*) FROM deliveries WHERE status = 'pending' AND claimed_by IS NOT NULL"
        return int(db.execute(sql).fetchone()[0])


async def _attempts_in_flight(path: Path, timeout: float) -> None:
    """Until the deliverer has claimed some deliveries (on a loaded machine it may be between batches)."""
    async with asyncio.timeout(timeout):
        while _claimed(path) == 0:
            await asyncio.sleep(0.005)


async def _settled(path: Path, timeout: float) -> None:
    """Until no delivery is pending any more."""
    async with asyncio.timeout(timeout):
        while True:
            with sqlite3.connect(path) as db:
                pending = int(db.execute("SELECT count(*) FROM deliveries WHERE status = 'pending'").fetchone()[0])
            if pending == 0:
                return
            await asyncio.sleep(0.1)


async def _unacked(nats_url: str) -> int:
    nc = await nats.connect(nats_url)
    try:
        return int((await nc.jetstream().consumer_info("HL_HAZARD", "webhooks-hazard")).num_ack_pending or 0)
    finally:
        await nc.close()


async def _received(receiver: Receiver, count: int, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while len(set(receiver.event_ids())) < count:
            await asyncio.sleep(0.01)


async def test_the_deliverer_killed_mid_batch_loses_nothing(nats_server: NatsServer, tmp_path: Path) -> None:
    stack = ServiceStack(tmp_path / "data", nats_server.url, services=("webhooks", "gateway"))
    _environment(stack)
    await stack.migrate()
    receiver = Receiver(delay=0.03)
    receiver.served = await Served(receiver, lifespan="off").start()
    try:
        await stack.start()
        hook_id = await _subscribe(stack["gateway"].base_url, receiver.url)
        events = [found(region="371002") for _ in range(EVENTS)]
        await _publish(nats_server.url, events[: EVENTS // 2])
        kills = []
        for number, at in enumerate(KILL_AT):
            await _received(receiver, at, timeout=60)
            if number == 1:
                await _publish(nats_server.url, events[EVENTS // 2 :])  # a backlog being fanned out
                await asyncio.sleep(0.02)
            await _attempts_in_flight(stack.sqlite_path("webhooks"), timeout=10)  # kill mid-attempt
            stack["webhooks"].kill()
            kills.append(
                (len(receiver.requests), _claimed(stack.sqlite_path("webhooks")), await _unacked(nats_server.url))
            )
            await stack["webhooks"].restart()
        await _received(receiver, EVENTS, timeout=90)
        # A killed replica's claims lapse (claim TTL, ~8 s here) and are attempted again: wait for
        # them, so that what was cut short is delivered (and counted as a duplicate if it had landed).
        await _settled(stack.sqlite_path("webhooks"), timeout=60)
    finally:
        stack.stop()
        await receiver.served.stop()

    assert any(claimed for _, claimed, _ in kills), f"a kill caught attempts in flight: {kills}"
    seen = Counter(receiver.event_ids())
    assert set(seen) == {event.id for event in events}, "every event delivered, none invented"
    duplicates = sum(count - 1 for count in seen.values())
    in_flight_at_kills = 4 * len(KILL_AT)  # at most max_in_flight_per_subscription per kill
    assert duplicates <= in_flight_at_kills, f"{duplicates} duplicates after kills at {kills}"
    print(f"kills (received, claims in flight, stream messages unacked): {kills}; duplicates seen: {duplicates}")
    with sqlite3.connect(stack.sqlite_path("webhooks")) as db:
        rows = db.execute(
            "SELECT status, count(*) FROM deliveries WHERE subscription_id = ? GROUP BY status", (hook_id,)
        )
        assert dict(rows.fetchall()) == {"delivered": EVENTS}, "one delivery per event, each delivered"
