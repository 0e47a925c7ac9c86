"""Webhook deliveries end to end on 127.0.0.1: a real receiver, real nats-server, the gateway and
the webhooks service over HTTP, the webhooks database on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from standardwebhooks import Webhook, WebhookVerificationError

from hl_platform.db import Database
from hl_stack.nats_server import NatsServer
from hl_webhooks.adapters.tables import delivery_attempts, subscriptions
from hl_webhooks.entrypoints.app import create_app
from tests.integration.webhooks.support import ADMIN_KEY, Served, hook_stack, webhooks_settings
from tests.support.events import found, next_event

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(120)]


async def test_a_delivery_is_a_signed_cloudevent_the_reference_library_verifies(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    async with hook_stack(nats_server.url, database_url, tmp_path) as stack:
        receiver = await stack.receiver()
        key_id, key = await stack.key()
        hook = await stack.subscribe(key, receiver.url, event_types=["hazard.found"], description="省平台")
        assert hook["secret"].startswith("whsec_") and hook["region_code"] == "3710" and hook["owner_id"] == key_id
        event = found(region="371002")
        await stack.publish(event, next_event(event))  # hazard.rectified is not subscribed
        await receiver.wait_for(1)
        request = receiver.requests[0]
        assert Webhook(hook["secret"]).verify(request.body, request.headers) == json.loads(event.to_json())
        assert request.headers["webhook-id"] == event.id
        assert request.headers["content-type"].startswith("application/cloudevents+json")
        with pytest.raises(WebhookVerificationError):
            Webhook(hook["secret"]).verify(request.body.replace(b"371002", b"371003"), request.headers)

        (delivery,) = await stack.settled(key, hook["id"], "delivered")
        assert (delivery["event_id"], delivery["attempts"], delivery["last_status_code"]) == (event.id, 1, 200)
        assert delivery["last_latency_ms"] >= 0
        read = (await stack.client.get(f"/api/v1/webhooks/{hook['id']}", headers=stack.as_(key))).json()
        assert "secret" not in read and read["status"] == "active"
        await asyncio.sleep(0.3)
        assert len(receiver.requests) == 1, "the unsubscribed type was not sent"
        metrics = (await stack.client.get(f"{stack.webhooks.url}/metrics")).text
        assert 'hl_webhook_attempts_total{outcome="delivered"}' in metrics


async def test_failures_are_retried_with_back_off_until_the_receiver_recovers(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    async with hook_stack(nats_server.url, database_url, tmp_path) as stack:
        receiver = await stack.receiver(script=[500, 503, 429])
        _, key = await stack.key()
        hook = await stack.subscribe(key, receiver.url)
        event = found(region="371002")
        await stack.publish(event)
        await receiver.wait_for(4)
        assert receiver.event_ids() == [event.id] * 4, "the same webhook-id on every attempt"
        gaps = [later.at - earlier.at for earlier, later in zip(receiver.requests, receiver.requests[1:], strict=False)]
        assert all(gap >= 0.09 for gap in gaps), gaps  # base 0.2 s, at least half of it (equal jitter)
        (delivery,) = await stack.settled(key, hook["id"], "delivered")
        detail = (
            await stack.client.get(f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}", headers=stack.as_(key))
        ).json()
        log = [(a["number"], a["status_code"], a["outcome"]) for a in detail["attempts_log"]]
        assert log == [(1, 500, "failed"), (2, 503, "failed"), (3, 429, "failed"), (4, 200, "delivered")]


async def test_a_delivery_is_parked_after_the_window_and_redelivered_by_hand(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    async with hook_stack(nats_server.url, database_url, tmp_path, retry_window_s=0.8) as stack:
        receiver = await stack.receiver(status=500)
        _, key = await stack.key()
        hook = await stack.subscribe(key, receiver.url)
        event = found(region="371002")
        await stack.publish(event)
        (parked,) = await stack.settled(key, hook["id"], "parked")
        assert parked["attempts"] >= 2 and parked["parked_at"] and parked["last_status_code"] == 500
        attempts = len(receiver.requests)
        await asyncio.sleep(0.5)
        assert len(receiver.requests) == attempts, "a parked delivery is not retried"

        receiver.status = 200
        path = f"/api/v1/webhooks/{hook['id']}/deliveries/{parked['id']}/redelivery"
        again = await stack.client.post(path, headers=stack.as_(key))
        assert again.status_code == 200 and again.json()["status"] == "pending"
        (delivered,) = await stack.settled(key, hook["id"], "delivered")
        assert delivered["attempts"] == attempts + 1 and receiver.event_ids()[-1] == event.id
        conflict = await stack.client.post(
            f"/api/v1/webhooks/{hook['id']}/deliveries/{parked['id']}/redelivery", headers=stack.as_(ADMIN_KEY)
        )
        assert conflict.status_code == 200, "an admin of the region may redeliver a delivered one too"
        missing = await stack.client.post(
            f"/api/v1/webhooks/{hook['id']}/deliveries/nope/redelivery", headers=stack.as_(key)
        )
        assert missing.status_code == 404


async def test_nothing_is_delivered_outside_the_owners_region(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    async with hook_stack(nats_server.url, database_url, tmp_path) as stack:
        receiver = await stack.receiver()
        _, key = await stack.key(region_code="3710")
        outside = await stack.client.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "event_types": ["*"], "region_code": "3701"},
            headers=stack.as_(key),
        )
        assert outside.status_code == 403, outside.text
        county = await stack.subscribe(key, receiver.url, event_types=["*"], region_code="371002")
        city = await stack.subscribe(key, receiver.url, event_types=["*"])
        jinan, huancui, wendeng = found(region="370102"), found(region="371002"), found(region="371003")
        await stack.publish(jinan, huancui, wendeng)
        await stack.settled(key, city["id"], "delivered", count=2)
        await stack.settled(key, county["id"], "delivered", count=1)
        await asyncio.sleep(0.3)
        assert sorted(receiver.event_ids()) == sorted([huancui.id, huancui.id, wendeng.id])
        assert jinan.id not in receiver.event_ids()


async def test_private_loopback_and_other_inner_addresses_are_refused(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    async with hook_stack(nats_server.url, database_url, tmp_path) as stack:
        _, key = await stack.key()
        for url, kind in (
            ("http://10.20.30.40/hook", "private"),
            ("http://192.168.1.10:8080/hook", "private"),
            ("http://[::1]:8080/hook", "loopback"),
            ("http://127.0.0.2/hook", "loopback"),  # only 127.0.0.1/32 is allowed in these tests
            ("http://169.254.169.254/latest/meta-data", "link-local"),
            ("http://224.0.0.251/hook", "multicast"),
            ("http://0.0.0.0/hook", "unspecified"),
            ("http://[::ffff:10.0.0.1]/hook", "private"),
        ):
            answer = await stack.client.post(
                "/api/v1/webhooks", json={"url": url, "event_types": ["*"]}, headers=stack.as_(key)
            )
            assert answer.status_code == 422, (url, answer.text)
            (error,) = answer.json()["errors"]
            assert error["field"] == "url" and kind in error["reason"], (url, error)
        bad = await stack.client.post(
            "/api/v1/webhooks", json={"url": "ftp://example.org/x", "event_types": ["*"]}, headers=stack.as_(key)
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "url"
        unknown = await stack.client.post(
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1/x", "event_types": ["hazard.nope"]},
            headers=stack.as_(key),
        )
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "event_types"


async def test_an_address_allowed_when_subscribing_is_checked_again_at_delivery(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    async with hook_stack(nats_server.url, database_url, tmp_path) as stack:
        receiver = await stack.receiver()
        _, key = await stack.key()
        hook = await stack.subscribe(key, receiver.url)
        # The operator withdraws the allowance: the webhooks service restarts without it.
        await stack.webhooks.stop()
        settings = webhooks_settings(database_url, tmp_path, stack.nats_url, stack.gateway.url, allowed_networks=[])
        stack.webhooks = await Served(create_app(settings), stack.webhooks.port).start()
        await stack.publish(found(region="371002"))
        async with asyncio.timeout(20):
            while not (items := await stack.deliveries(key, hook["id"])) or items[0]["attempts"] < 1:
                await asyncio.sleep(0.05)
        assert items[0]["last_error"] == "blocked: 127.0.0.1 is a loopback address"
        assert items[0]["status"] == "pending" and receiver.requests == []


async def test_revoking_the_owners_key_stops_its_deliveries(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    async with hook_stack(nats_server.url, database_url, tmp_path) as stack:
        receiver = await stack.receiver()
        key_id, key = await stack.key()
        hook = await stack.subscribe(key, receiver.url)
        first = found(region="371002")
        await stack.publish(first)
        await receiver.wait_for(1)
        revoked = await stack.client.delete(f"/api/v1/api-keys/{key_id}", headers=stack.as_(ADMIN_KEY))
        assert revoked.status_code == 204
        await asyncio.sleep(0.4)  # the owner check's cache (0.2 s in these tests) runs out
        second = found(region="371002")
        await stack.publish(second)
        async with asyncio.timeout(20):
            while (await stack.client.get(f"/api/v1/webhooks/{hook['id']}", headers=stack.as_(ADMIN_KEY))).json()[
                "status"
            ] != "revoked":
                await asyncio.sleep(0.05)
        statuses = {d["event_id"]: d["status"] for d in await stack.deliveries(ADMIN_KEY, hook["id"])}
        assert statuses == {first.id: "delivered", second.id: "cancelled"}
        assert receiver.event_ids() == [first.id]
        resume = await stack.client.post(f"/api/v1/webhooks/{hook['id']}/resume", headers=stack.as_(ADMIN_KEY))
        assert resume.status_code == 409 and resume.json()["current_state"] == {"status": "revoked"}


async def test_pause_queues_resume_sends_and_a_rotated_secret_signs_beside_the_old(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    async with hook_stack(nats_server.url, database_url, tmp_path) as stack:
        receiver = await stack.receiver()
        _, key = await stack.key(role="bureau", region_code="37")
        hook = await stack.subscribe(key, receiver.url, event_types=["hazard.found", "enterprise.*"])
        paused = await stack.client.post(f"/api/v1/webhooks/{hook['id']}/pause", headers=stack.as_(key))
        assert paused.json()["status"] == "paused"
        event = found(region="370102")
        await stack.publish(event)
        await asyncio.sleep(0.5)
        assert receiver.requests == [] and (await stack.deliveries(key, hook["id"]))[0]["status"] == "pending"
        await stack.client.post(f"/api/v1/webhooks/{hook['id']}/resume", headers=stack.as_(key))
        await receiver.wait_for(1)

        rotation = await stack.client.post(f"/api/v1/webhooks/{hook['id']}/secret-rotation", headers=stack.as_(key))
        assert rotation.status_code == 200, rotation.text
        new_secret = rotation.json()["secret"]
        assert new_secret != hook["secret"]
        later = found(region="370102")
        await stack.publish(later)
        await receiver.wait_for(2)
        request = receiver.requests[1]
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        for secret in (new_secret, hook["secret"]):  # a receiver on either secret accepts it
            Webhook(secret).verify(request.body, request.headers)
        stored = await _stored_secrets(database_url, hook["id"])  # what a copy of the database holds
        assert all(value.startswith("v1.") for value in stored)
        assert not {new_secret, hook["secret"]} & set(stored) and not any(
            secret in value for secret in (new_secret, hook["secret"]) for value in stored
        )

        listed = (await stack.client.get("/api/v1/webhooks", headers=stack.as_(key))).json()["items"]
        assert [item["id"] for item in listed] == [hook["id"]] and "secret" not in listed[0]
        other_id, other = await stack.key(role="bureau", region_code="37")
        assert (await stack.client.get(f"/api/v1/webhooks/{hook['id']}", headers=stack.as_(other))).status_code == 404
        assert (await stack.client.delete(f"/api/v1/webhooks/{hook['id']}", headers=stack.as_(key))).status_code == 204
        assert (await stack.client.get(f"/api/v1/webhooks/{hook['id']}", headers=stack.as_(key))).status_code == 404
        enterprise_key = await stack.client.post(
            "/api/v1/webhooks", json={"url": receiver.url, "event_types": ["*"]}, headers=stack.as_(ADMIN_KEY)
        )
        assert enterprise_key.status_code == 201, "the admin is an API-key identity too"
        assert other_id


async def test_a_slow_receiver_delays_no_other_subscription(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    async with hook_stack(nats_server.url, database_url, tmp_path, attempt_timeout_s=8.0) as stack:
        slow, fast = await stack.receiver(delay=30.0), await stack.receiver()
        _, key = await stack.key()
        stuck = await stack.subscribe(key, slow.url)
        await stack.subscribe(key, fast.url)
        events = [found(region="371002") for _ in range(20)]
        await stack.publish(*events)
        await fast.wait_for(20, timeout=15)
        assert sorted(fast.event_ids()) == sorted(event.id for event in events)
        # Causal, not a stopwatch: every fast delivery went out while the slow receiver's first
        # attempts were still hanging (none has timed out and been recorded yet).
        assert {d["attempts"] for d in await stack.deliveries(key, stuck["id"])} == {0}
        assert len(slow.requests) == 0, "the slow receiver has answered nothing yet"


async def test_two_replicas_share_the_durable_and_each_delivery_is_attempted_by_one(
    nats_server: NatsServer, database_url: str, tmp_path: Path
) -> None:
    async with hook_stack(nats_server.url, database_url, tmp_path) as stack:
        settings = webhooks_settings(database_url, tmp_path, stack.nats_url, stack.gateway.url)
        second = await Served(create_app(settings)).start()
        try:
            receiver = await stack.receiver(delay=0.02)
            _, key = await stack.key()
            await stack.subscribe(key, receiver.url)
            events = [found(region="371002") for _ in range(60)]
            await stack.publish(*events)
            await receiver.wait_for(60)
            await asyncio.sleep(0.5)
        finally:
            await second.stop()
        assert sorted(receiver.event_ids()) == sorted(event.id for event in events), "each once, none lost"
        db = Database(database_url)
        async with db.read() as conn:
            replicas = (await conn.execute(select(func.count(func.distinct(delivery_attempts.c.replica))))).scalar()
        await db.dispose()
        assert replicas in (1, 2)


async def _stored_secrets(database_url: str, hook_id: str) -> tuple[str, str]:
    """The subscription's current and previous secret as stored (sealed, secret_box.py)."""
    db = Database(database_url)
    try:
        async with db.read() as conn:
            t = subscriptions
            row = (await conn.execute(select(t.c.secret, t.c.previous_secret).where(t.c.id == hook_id))).one()
    finally:
        await db.dispose()
    return row.secret, row.previous_secret
