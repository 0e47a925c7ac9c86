"""NATS least privilege, on a real nats-server running the production auth file deploy/nats/auth.conf.

Each service publishes only its own events and touches only its own stream and durables; a bureau
reads the public streams of its region through its own consumers and publishes nothing; every user
gets replies on its own inbox prefix; the stream/consumer provisioning code the services really run
(hl_platform.nats_io) works under these permissions; a client without credentials is refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import APIError

from hl_platform.nats_io import ConsumerSpec, ensure_consumer, ensure_stream, inbox_prefix, stream_for
from tests.support_nats import NatsNode, start_server

ROOT = Path(__file__).resolve().parents[2]
AUTH_CONF = ROOT / "deploy" / "nats" / "auth.conf"
HAZARD_SUBJECT = "hl.v1.hazard.found.37.3710.371002"
ENTERPRISE_SUBJECT = "hl.v1.enterprise.registered.37.3710.371002"
BUREAU = "bureau-weihai"  # deploy/nats/bureaus.csv: Weihai, city 3710
BUREAU_FILTER = "hl.v1.hazard.*.37.3710.>"

# Test passwords for every $HL_NATS_*_PASSWORD variable of auth.conf.
PASSWORDS = {
    "sys": "test-sys",
    "hazard": "test-hazard",
    "enterprise": "test-enterprise",
    "reporting": "test-reporting",
    "gateway": "test-gateway",
    "tips": "test-tips",
    "webhooks": "test-webhooks",
    "hl-admin": "test-admin",
    BUREAU: "test-bureau-weihai",
}
ENV = {
    "HL_NATS_SYS_PASSWORD": PASSWORDS["sys"],
    "HL_NATS_HAZARD_PASSWORD": PASSWORDS["hazard"],
    "HL_NATS_ENTERPRISE_PASSWORD": PASSWORDS["enterprise"],
    "HL_NATS_REPORTING_PASSWORD": PASSWORDS["reporting"],
    "HL_NATS_GATEWAY_PASSWORD": PASSWORDS["gateway"],
    "HL_NATS_TIPS_PASSWORD": PASSWORDS["tips"],
    "HL_NATS_WEBHOOKS_PASSWORD": PASSWORDS["webhooks"],
    "HL_NATS_ADMIN_PASSWORD": PASSWORDS["hl-admin"],
    "HL_NATS_BUREAU_WEIHAI_PASSWORD": PASSWORDS[BUREAU],
}


class User:
    """A connection as one configured user, collecting the asynchronous errors the server sends."""

    def __init__(self, nc: Client, errors: list[str]) -> None:
        self.nc = nc
        self.errors = errors
        self.js = nc.jetstream(timeout=2.0)

    def violations(self) -> list[str]:
        return [e for e in self.errors if "permissions violation" in e.lower()]

    async def wait_violation(self, fragment: str, timeout: float = 3.0) -> str:
        """Wait for the server's permissions violation naming `fragment` (nats-py lower-cases it)."""
        async with asyncio.timeout(timeout):
            while True:
                for error in self.violations():
                    if fragment.lower() in error.lower():
                        return error
                await asyncio.sleep(0.02)


Connect = Callable[..., Awaitable[User]]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsNode]:
    node = start_server(tmp_path_factory.mktemp("nats-security"), include=AUTH_CONF, env=ENV, sync_interval="always")
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
async def connect(server: NatsNode) -> AsyncIterator[Connect]:
    opened: list[Client] = []

    async def _connect(user: str, *, inbox: str | None = None) -> User:
        errors: list[str] = []

        async def on_error(exc: Exception) -> None:
            errors.append(str(exc))

        nc = await nats.connect(
            server.url_for(user, PASSWORDS[user]),
            inbox_prefix=inbox or inbox_prefix(user),
            error_cb=on_error,
            allow_reconnect=False,
            connect_timeout=2,
        )
        opened.append(nc)
        return User(nc, errors)

    yield _connect
    for nc in opened:
        await nc.close()


@pytest.fixture
async def streams(connect: Connect) -> None:
    """Both streams exist, created by their owners with the services' own provisioning code, and
    are empty, without consumers (an operator's `hl-admin` cleans up between tests)."""
    hazard = await connect("hazard")
    enterprise = await connect("enterprise")
    await ensure_stream(enterprise.js, stream_for("enterprise"))
    await ensure_stream(hazard.js, stream_for("hazard"))
    admin = await connect("hl-admin")
    for stream in ("HL_HAZARD", "HL_ENTERPRISE"):
        await admin.js.purge_stream(stream)
        for consumer in await admin.js.consumers_info(stream):
            await admin.js.delete_consumer(stream, consumer.name)


async def _count(connect: Connect, stream: str) -> int:
    admin = await connect("hl-admin")
    return int((await admin.js.stream_info(stream)).state.messages)


async def test_hazard_user_publishes_a_hazard_event_and_gets_a_puback(connect: Connect, streams: None) -> None:
    hazard = await connect("hazard")
    ack = await hazard.js.publish(HAZARD_SUBJECT, b"{}", headers={"Nats-Msg-Id": "evt-hazard-1"})
    assert ack.stream == "HL_HAZARD"
    assert ack.seq >= 1
    duplicate = await hazard.js.publish(HAZARD_SUBJECT, b"{}", headers={"Nats-Msg-Id": "evt-hazard-1"})
    assert duplicate.duplicate, "the relay's retries with the same Nats-Msg-Id are dropped"
    assert await _count(connect, "HL_HAZARD") == 1
    assert not hazard.violations()


async def test_enterprise_user_cannot_publish_hazard_events(connect: Connect, streams: None) -> None:
    enterprise = await connect("enterprise")
    await enterprise.js.publish(ENTERPRISE_SUBJECT, b"{}", headers={"Nats-Msg-Id": "evt-ent-1"})  # its own: fine
    with pytest.raises((nats.errors.TimeoutError, nats.errors.NoRespondersError)):
        await enterprise.js.publish(HAZARD_SUBJECT, b"{}", headers={"Nats-Msg-Id": "evt-forged"}, timeout=1.0)
    await enterprise.wait_violation(f'publish to "{HAZARD_SUBJECT}"')
    assert await _count(connect, "HL_HAZARD") == 0
    assert await _count(connect, "HL_ENTERPRISE") == 1


async def test_hazard_user_cannot_publish_enterprise_events_nor_touch_other_streams(
    connect: Connect, streams: None
) -> None:
    hazard = await connect("hazard")
    await hazard.nc.publish(ENTERPRISE_SUBJECT, b"{}")
    await hazard.wait_violation(f'publish to "{ENTERPRISE_SUBJECT}"')
    for request in (
        "$JS.API.STREAM.DELETE.HL_ENTERPRISE",
        "$JS.API.STREAM.UPDATE.HL_ENTERPRISE",
        "$JS.API.STREAM.PURGE.HL_HAZARD",
    ):
        with pytest.raises((nats.errors.TimeoutError, nats.errors.NoRespondersError)):
            await hazard.nc.request(request, b"{}", timeout=0.5)
        await hazard.wait_violation(request)
    assert await _count(connect, "HL_ENTERPRISE") == 0


async def test_bureau_publish_is_refused(connect: Connect, streams: None) -> None:
    bureau = await connect(BUREAU)
    with pytest.raises((nats.errors.TimeoutError, nats.errors.NoRespondersError)):
        await bureau.js.publish(HAZARD_SUBJECT, b"{}", headers={"Nats-Msg-Id": "evt-bureau"}, timeout=1.0)
    await bureau.wait_violation(f'publish to "{HAZARD_SUBJECT}"')
    await bureau.nc.publish(ENTERPRISE_SUBJECT, b"{}")
    await bureau.wait_violation(f'publish to "{ENTERPRISE_SUBJECT}"')
    assert await _count(connect, "HL_HAZARD") == 0
    assert await _count(connect, "HL_ENTERPRISE") == 0


async def test_bureau_creates_its_consumer_fetches_and_acks(connect: Connect, streams: None) -> None:
    hazard = await connect("hazard")
    for i, county in enumerate(["371002", "371002", "370102"]):
        await hazard.js.publish(
            f"hl.v1.hazard.found.{county[:2]}.{county[:4]}.{county}", b"{}", headers={"Nats-Msg-Id": f"e{i}"}
        )

    bureau = await connect(BUREAU)
    # A city bureau replays its city's history from the start (deliver_policy all). The consumer
    # has a name so that nats-py sends the create request that carries the filter subject.
    await bureau.js.add_consumer(
        "HL_HAZARD",
        ConsumerConfig(
            name=BUREAU,
            durable_name=BUREAU,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            filter_subject=BUREAU_FILTER,
        ),
    )
    subscription = await bureau.js.pull_subscribe_bind(BUREAU, "HL_HAZARD")
    msgs = await subscription.fetch(10, timeout=2.0)
    assert [m.headers["Nats-Msg-Id"] for m in msgs if m.headers] == ["e0", "e1"]
    for msg in msgs:
        await msg.ack_sync(timeout=2.0)
    consumer = await bureau.js.consumer_info("HL_HAZARD", BUREAU)
    assert consumer.num_ack_pending == 0
    assert consumer.num_pending == 0
    assert consumer.delivered.consumer_seq == 2
    # The same on the enterprise stream, one county of the city.
    await bureau.js.add_consumer(
        "HL_ENTERPRISE",
        ConsumerConfig(
            name=BUREAU,
            durable_name=BUREAU,
            ack_policy=AckPolicy.EXPLICIT,
            filter_subject="hl.v1.enterprise.registered.37.3710.371002",
        ),
    )
    await bureau.js.delete_consumer("HL_ENTERPRISE", BUREAU)
    assert not bureau.violations()
    await bureau.js.delete_consumer("HL_HAZARD", BUREAU)


async def test_bureau_consumes_nothing_outside_its_region(connect: Connect, streams: None) -> None:
    bureau = await connect(BUREAU)
    outside = [
        "hl.v1.hazard.*.37.3701.>",  # another city
        "hl.v1.hazard.*.37.>",  # the whole province
        "hl.v1.hazard.*.*.3710.>",  # a wildcard where its province must be
        "hl.v1.>",
        "hl.v1.enterprise.*.37.3710.>",  # its region, but on the other stream's create subject
    ]
    for filter_subject in outside:
        with pytest.raises((nats.errors.TimeoutError, nats.errors.NoRespondersError)):
            await bureau.js.add_consumer(
                "HL_HAZARD",
                ConsumerConfig(name=BUREAU, durable_name=BUREAU, filter_subject=filter_subject),
                timeout=0.5,
            )
        await bureau.wait_violation(filter_subject)
    # Without a filter, or by the legacy durable-create request that carries none: refused too.
    for request in (
        "$JS.API.CONSUMER.CREATE.HL_HAZARD.bureau-weihai",
        "$JS.API.CONSUMER.DURABLE.CREATE.HL_HAZARD.bureau-weihai",
    ):
        with pytest.raises((nats.errors.TimeoutError, nats.errors.NoRespondersError)):
            await bureau.nc.request(request, b"{}", timeout=0.5)
        await bureau.wait_violation(request)
    # Nor reads a stream's messages directly, nor its per-subject counts.
    for request in ("$JS.API.STREAM.MSG.GET.HL_HAZARD", "$JS.API.STREAM.INFO.HL_HAZARD"):
        with pytest.raises((nats.errors.TimeoutError, nats.errors.NoRespondersError)):
            await bureau.nc.request(request, b"{}", timeout=0.5)
        await bureau.wait_violation(request)


async def test_bureau_cannot_touch_other_consumers_or_streams(connect: Connect, streams: None) -> None:
    reporting = await connect("reporting")
    await ensure_consumer(reporting.js, ConsumerSpec(stream="HL_HAZARD", durable="reporting-hazard"))
    bureau = await connect(BUREAU)
    refused = [
        # someone else's durable: neither hijacked, reconfigured nor deleted
        ("$JS.API.CONSUMER.DURABLE.CREATE.HL_HAZARD.reporting-hazard", b"{}"),
        ("$JS.API.CONSUMER.DELETE.HL_HAZARD.reporting-hazard", b""),
        ("$JS.API.CONSUMER.MSG.NEXT.HL_HAZARD.reporting-hazard", b'{"batch": 1}'),
        # a consumer not named after the bureau
        ("$JS.API.CONSUMER.DURABLE.CREATE.HL_HAZARD.anything-else", b"{}"),
        # the streams themselves
        ("$JS.API.STREAM.DELETE.HL_HAZARD", b""),
        ("$JS.API.STREAM.PURGE.HL_HAZARD", b""),
        ("$JS.API.STREAM.CREATE.HL_BUREAU", b"{}"),
    ]
    for subject, payload in refused:
        with pytest.raises((nats.errors.TimeoutError, nats.errors.NoRespondersError)):
            await bureau.nc.request(subject, payload, timeout=0.5)
        await bureau.wait_violation(subject)
    assert (await reporting.js.consumer_info("HL_HAZARD", "reporting-hazard")).name == "reporting-hazard"


async def test_bureau_cannot_listen_to_events_or_other_inboxes(connect: Connect, streams: None) -> None:
    bureau = await connect(BUREAU)
    for subject in ("hl.v1.>", "_INBOX.>", ">"):
        await bureau.nc.subscribe(subject)
        await bureau.wait_violation(f'subscription to "{subject}"')


async def test_a_bureau_push_consumer_cannot_copy_events_into_another_stream(connect: Connect, streams: None) -> None:
    """JetStream does not check a push consumer's deliver subject against its creator's rights, but
    delivers only while someone subscribes to it; nobody in HL may subscribe to event subjects."""
    bureau = await connect(BUREAU)
    await bureau.js.add_consumer(
        "HL_HAZARD",
        ConsumerConfig(
            name=BUREAU,
            durable_name=BUREAU,
            filter_subject=BUREAU_FILTER,
            deliver_subject=ENTERPRISE_SUBJECT,
            ack_policy=AckPolicy.NONE,
        ),
    )
    hazard = await connect("hazard")
    await hazard.js.publish(HAZARD_SUBJECT, b"{}", headers={"Nats-Msg-Id": "evt-push"})
    await asyncio.sleep(1.0)
    assert await _count(connect, "HL_ENTERPRISE") == 0
    await bureau.js.delete_consumer("HL_HAZARD", BUREAU)


async def test_reporting_user_consumes_but_publishes_nothing(connect: Connect, streams: None) -> None:
    reporting = await connect("reporting")
    # What the reporting runtime does at start: check both streams, provision its durables.
    await ensure_stream(reporting.js, stream_for("hazard"))
    await ensure_stream(reporting.js, stream_for("enterprise"))
    for spec in (ConsumerSpec("HL_HAZARD", "reporting-hazard"), ConsumerSpec("HL_ENTERPRISE", "reporting-enterprise")):
        await ensure_consumer(reporting.js, spec)
        await ensure_consumer(reporting.js, spec)  # idempotent at the next start
    hazard = await connect("hazard")
    await hazard.js.publish(HAZARD_SUBJECT, b"{}", headers={"Nats-Msg-Id": "evt-r1"})
    subscription = await reporting.js.pull_subscribe_bind("reporting-hazard", "HL_HAZARD")
    msgs = await subscription.fetch(1, timeout=2.0)
    await msgs[0].ack_sync(timeout=2.0)
    assert not reporting.violations()

    with pytest.raises((nats.errors.TimeoutError, nats.errors.NoRespondersError)):
        await reporting.js.publish(HAZARD_SUBJECT, b"{}", headers={"Nats-Msg-Id": "evt-r2"}, timeout=1.0)
    await reporting.wait_violation(f'publish to "{HAZARD_SUBJECT}"')
    with pytest.raises((nats.errors.TimeoutError, nats.errors.NoRespondersError, APIError)):
        await reporting.js.add_consumer("HL_HAZARD", ConsumerConfig(durable_name="bureau-weihai"))
    await reporting.wait_violation("bureau-weihai")
    for spec in (ConsumerSpec("HL_HAZARD", "reporting-hazard"), ConsumerSpec("HL_ENTERPRISE", "reporting-enterprise")):
        await reporting.js.delete_consumer(spec.stream, spec.durable)  # own durables, for a rebuild


async def test_hazard_service_provisions_its_enterprise_replica_consumer(connect: Connect, streams: None) -> None:
    hazard = await connect("hazard")
    await ensure_stream(hazard.js, stream_for("enterprise"))  # exists: info only
    spec = ConsumerSpec("HL_ENTERPRISE", "hazard-enterprise-replica")
    await ensure_consumer(hazard.js, spec)
    enterprise = await connect("enterprise")
    await enterprise.js.publish(ENTERPRISE_SUBJECT, b"{}", headers={"Nats-Msg-Id": "evt-e1"})
    msgs = await (await hazard.js.pull_subscribe_bind(spec.durable, spec.stream)).fetch(1, timeout=2.0)
    await msgs[0].ack_sync(timeout=2.0)
    assert not hazard.violations()
    await hazard.js.delete_consumer(spec.stream, spec.durable)


async def test_gateway_user_reads_the_feed_only(connect: Connect, streams: None) -> None:
    hazard = await connect("hazard")
    await hazard.js.publish(HAZARD_SUBJECT, b"{}", headers={"Nats-Msg-Id": "evt-g1"})
    gateway = await connect("gateway")
    assert gateway.nc.is_connected
    # What GET /api/v1/events does: "get next message by subject", no consumer created.
    message = await gateway.js.get_msg("HL_HAZARD", seq=1, next=True, subject="hl.v1.hazard.>")
    assert message.subject == HAZARD_SUBJECT
    assert not gateway.violations()
    await gateway.nc.publish(HAZARD_SUBJECT, b"{}")
    await gateway.wait_violation(f'publish to "{HAZARD_SUBJECT}"')
    await gateway.nc.subscribe("hl.v1.>")
    await gateway.wait_violation('subscription to "hl.v1.>"')


async def test_wrong_password_is_refused(server: NatsNode) -> None:
    with pytest.raises(Exception):  # noqa: B017 - nats-py raises its own or an OSError depending on timing
        await nats.connect(server.url_for("hazard", "not-the-password"), allow_reconnect=False, connect_timeout=2)


async def test_a_client_without_credentials_is_refused(server: NatsNode) -> None:
    with pytest.raises(nats.errors.Error, match=r"(?i)authorization violation"):
        await nats.connect(server.url, allow_reconnect=False, connect_timeout=2)


async def test_a_user_cannot_read_another_users_replies(connect: Connect, streams: None) -> None:
    hazard = await connect("hazard")
    for subject in ("_INBOX.>", "_INBOX_reporting.>", "_INBOX_bureau-weihai.>"):
        await hazard.nc.subscribe(subject)
        await hazard.wait_violation(f'subscription to "{subject}"')
    # Its own inbox is enough for everything it does (the services connect with it by themselves).
    await ensure_stream(hazard.js, stream_for("hazard"))
    assert not [v for v in hazard.violations() if "_inbox_hazard" in v.lower()]


def test_server_runs_the_production_durability_setting(server: NatsNode) -> None:
    jetstream = server.monitor("/varz")["jetstream"]["config"]
    assert jetstream["sync_always"] is True


async def test_operators_admin_user_cannot_publish_events(connect: Connect, streams: None) -> None:
    admin = await connect("hl-admin")
    with pytest.raises((nats.errors.TimeoutError, nats.errors.NoRespondersError)):
        await admin.js.publish(HAZARD_SUBJECT, b"{}", headers={"Nats-Msg-Id": "evt-admin"}, timeout=1.0)
    await admin.wait_violation(f'publish to "{HAZARD_SUBJECT}"')
    assert await _count(connect, "HL_HAZARD") == 0
