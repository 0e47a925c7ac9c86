"""A 3-node JetStream cluster on loopback keeps working when one node dies.

The stream is provisioned at R3 with the services' own code (hl_platform.nats_io), the client is
connected to all three URLs with the services' own connection settings, and publishing follows the
relay's rule (retry with the same Nats-Msg-Id until a PubAck). The node leading the stream is
killed (SIGKILL) mid-stream; publishing and consuming go on; then the node is restarted and must
catch up. Nothing may be lost, and nothing may be stored twice.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from pathlib import Path

import pytest
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js.errors import Error as JetStreamError

from hl_contracts import CloudEvent
from hl_platform.consumer import ConsumerRunner
from hl_platform.eventstore import EventStore
from hl_platform.nats_io import ConsumerSpec, connect, ensure_consumer, ensure_stream, stream_for
from hl_platform.relay import OutboxRelay
from tests.support.db import migrated
from tests.support.events import found, next_event
from tests.support_nats import NatsCluster, NatsNode, free_ports

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_NATS = ROOT / "deploy" / "nats"

TOTAL = 200
STOP_AFTER = 80  # events published before the stream leader is killed
SUBJECT = "hl.v1.hazard.found.37.3710.371002"
DURABLE = "reporting-hazard"


async def _publish(nc: Client, event_id: str, deadline: float) -> None:
    """The relay's rule: wait for the PubAck; on any failure retry with the same Nats-Msg-Id."""
    js = nc.jetstream(timeout=2.0)
    while True:
        try:
            await js.publish(SUBJECT, event_id.encode(), headers={"Nats-Msg-Id": event_id})
            return
        except (TimeoutError, NatsError, JetStreamError, OSError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


class Consumer:
    """Fetches from the shared durable and acks after 'applying' (recording) each event."""

    def __init__(self, nc: Client) -> None:
        self.nc = nc
        self.deliveries: dict[str, list[int]] = defaultdict(list)  # event id → delivery counts seen
        self.stream_seqs: dict[str, set[int]] = defaultdict(set)  # event id → stream sequences
        self.applied_during_outage = 0
        self.outage = False

    async def run(self, stop: asyncio.Event) -> None:
        subscription = None
        while not stop.is_set():
            try:
                if subscription is None:
                    subscription = await self.nc.jetstream(timeout=2.0).pull_subscribe_bind(DURABLE, "HL_HAZARD")
                msgs = await subscription.fetch(50, timeout=1.0)
            except (TimeoutError, NatsError, JetStreamError, OSError):
                subscription = None if not self.nc.is_connected else subscription
                await asyncio.sleep(0.1)
                continue
            for msg in msgs:
                event_id = msg.data.decode()
                self.deliveries[event_id].append(msg.metadata.num_delivered)
                self.stream_seqs[event_id].add(msg.metadata.sequence.stream)
                if self.outage:
                    self.applied_during_outage += 1
                try:
                    await msg.ack_sync(timeout=2.0)
                except (TimeoutError, NatsError, JetStreamError, OSError):
                    pass  # not acked: it comes back, flagged as a redelivery


async def _stream_leader(nc: Client) -> str:
    """The name of the server leading HL_HAZARD."""
    cluster = (await nc.jetstream(timeout=5.0).stream_info("HL_HAZARD")).cluster
    assert cluster is not None and cluster.leader is not None, "a clustered stream has a leader"
    return str(cluster.leader)


def _stream_messages(cluster: NatsCluster, server_name: str) -> int | None:
    """How many HL_HAZARD messages the replica on `server_name` holds (from its monitoring port)."""
    jsz = cluster.node(server_name).monitor("/jsz?streams=true")
    for account in jsz.get("account_details") or []:
        for stream in account.get("stream_detail") or []:
            if stream["name"] == "HL_HAZARD":
                return int(stream["state"]["messages"])
    return None


async def test_cluster_survives_the_loss_of_the_stream_leader(tmp_path: Path) -> None:
    ids = [f"evt-{i:04d}" for i in range(TOTAL)]
    with NatsCluster(tmp_path, size=3, sync_interval="always") as cluster:
        nc = await connect(",".join(cluster.urls), "cluster-test")
        try:
            js = nc.jetstream(timeout=5.0)
            async with asyncio.timeout(20):
                while True:  # the meta leader may still be settling
                    try:
                        await ensure_stream(js, stream_for("hazard", replicas=3))
                        await ensure_consumer(js, ConsumerSpec("HL_HAZARD", DURABLE))
                        break
                    except (NatsError, JetStreamError):
                        await asyncio.sleep(0.2)
            info = await js.stream_info("HL_HAZARD")
            assert info.config.num_replicas == 3

            consumer = Consumer(nc)
            stop = asyncio.Event()
            consuming = asyncio.create_task(consumer.run(stop))
            deadline = time.monotonic() + 40
            for event_id in ids[:STOP_AFTER]:
                await _publish(nc, event_id, deadline)

            leader = await _stream_leader(nc)
            victim = cluster.index(leader)
            cluster.kill(victim)
            consumer.outage = True
            for event_id in ids[STOP_AFTER:]:
                await _publish(nc, event_id, deadline)
            async with asyncio.timeout(20):
                while len(consumer.deliveries) < TOTAL:
                    await asyncio.sleep(0.05)
            consumer.outage = False
            assert consumer.applied_during_outage > 0, "consuming went on with one node down"
            new_leader = await _stream_leader(nc)
            assert new_leader != leader

            cluster.restart(victim)  # waits for /healthz: its replicas are current again
            async with asyncio.timeout(20):
                while _stream_messages(cluster, leader) != TOTAL:
                    await asyncio.sleep(0.1)
            stop.set()
            await consuming

            # Nothing lost: every event was stored and consumed.
            assert sorted(consumer.deliveries) == ids
            state = (await js.stream_info("HL_HAZARD")).state
            assert (state.messages, state.first_seq, state.last_seq) == (TOTAL, 1, TOTAL)
            # Nothing stored twice: each event id sits at exactly one stream sequence.
            assert all(len(seqs) == 1 for seqs in consumer.stream_seqs.values())
            # A repeated delivery only ever comes flagged as a redelivery, with a higher delivery
            # count (the idempotent consumer skips it by aggregate version): no silent duplicate.
            assert all(counts == sorted(set(counts)) for counts in consumer.deliveries.values())
            for node in cluster:
                assert _stream_messages(cluster, node.name) == TOTAL, f"replica on {node.name} caught up"
            final = await js.consumer_info("HL_HAZARD", DURABLE)
            assert final.num_pending == 0
        finally:
            await nc.close()


async def test_the_compose_node_configuration_forms_an_authenticated_r3_cluster(tmp_path: Path) -> None:
    """deploy/nats/nats-server.conf + auth.conf as docker-compose.yml runs them (routes with the
    route password on the command line), moved to loopback ports: the nodes cluster, the hazard
    service user provisions its R3 stream and gets a PubAck, and fsync-always is in force."""
    template = (DEPLOY_NATS / "nats-server.conf").read_text(encoding="utf-8")
    ports = free_ports(9)
    route_password = "test-route"
    env = {
        "HL_NATS_ROUTE_PASSWORD": route_password,
        **{
            f"HL_NATS_{user}_PASSWORD": f"test-{user.lower()}"
            for user in (
                "SYS",
                "ADMIN",
                "HAZARD",
                "ENTERPRISE",
                "TIPS",
                "REPORTING",
                "WEBHOOKS",
                "GATEWAY",
                "BUREAU_WEIHAI",
            )
        },
    }
    routes = ",".join(f"nats://route:{route_password}@127.0.0.1:{ports[3 * i + 2]}" for i in range(3))
    nodes = []
    for i in range(3):
        client, monitor, cluster_port = ports[3 * i : 3 * i + 3]
        name = f"nats-{i + 1}"
        config = (
            template.replace("listen: 0.0.0.0:4222", f"listen: 127.0.0.1:{client}")
            .replace("http: 0.0.0.0:8222", f"http: 127.0.0.1:{monitor}")
            .replace("listen: 0.0.0.0:6222", f"listen: 127.0.0.1:{cluster_port}")
            .replace("store_dir: /data", f'store_dir: "{tmp_path / name / "data"}"')
        )
        assert config.count("127.0.0.1") == 3, "the compose config's listen addresses changed: update this test"
        node = NatsNode(  # `include` copies auth.conf beside the config, which includes it
            name,
            tmp_path,
            include=DEPLOY_NATS / "auth.conf",
            env={**env, "NATS_SERVER_NAME": name},
            ports=(client, monitor, cluster_port),
            config=config,
            args=["--routes", routes],
        )
        nodes.append(node)
    try:
        for node in nodes:
            node.launch()
        for node in nodes:
            node.wait_healthy(30)
        assert nodes[0].monitor("/varz")["jetstream"]["config"]["sync_always"] is True
        routez = nodes[0].monitor("/routez")
        assert {route["remote_name"] for route in routez["routes"]} >= {"nats-2", "nats-3"}

        urls = ",".join(node.url_for("hazard", "test-hazard") for node in nodes)
        nc = await connect(urls, "compose-config-test")
        try:
            js = nc.jetstream(timeout=5.0)
            async with asyncio.timeout(20):
                while True:
                    try:
                        await ensure_stream(js, stream_for("hazard", replicas=3))
                        break
                    except (NatsError, JetStreamError):
                        await asyncio.sleep(0.2)
            ack = await js.publish(SUBJECT, b"{}", headers={"Nats-Msg-Id": "evt-compose"})
            assert ack.stream == "HL_HAZARD"
            info = await js.stream_info("HL_HAZARD")
            assert info.config.num_replicas == 3
            assert info.cluster is not None and len(info.cluster.replicas or []) == 2
        finally:
            await nc.close()
    finally:
        for node in nodes:
            node.stop()


class RecordingProjection:
    """A projection that records which events it applied (inside the consumer's transaction)."""

    def __init__(self) -> None:
        self.applied: list[str] = []

    async def apply(self, conn: object, event: CloudEvent) -> None:
        self.applied.append(event.id)


async def test_the_services_relay_and_projector_ride_out_a_node_failure(tmp_path: Path) -> None:
    """The hazard service's outbox relay publishes and the reporting service's consumer runner
    projects, both connected to the 3-node cluster, while the stream leader is killed and restarted:
    every event appended to the event store is applied exactly once."""
    hazard_db = await migrated("hazard", f"sqlite+aiosqlite:///{tmp_path / 'hazard.db'}")
    reporting_db = await migrated("reporting", f"sqlite+aiosqlite:///{tmp_path / 'reporting.db'}")
    store, appended = EventStore(), []

    async def append(aggregates: int) -> None:
        async with hazard_db.write() as conn:
            for _ in range(aggregates):
                first = found()
                second = next_event(first, "plan")
                await store.append(conn, "hazard", [first, second])
                appended.extend([first.id, second.id])

    with NatsCluster(tmp_path / "nats", size=3, sync_interval="always") as cluster:
        nc = await connect(",".join(cluster.urls), "services-cluster-test")
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        try:
            js = nc.jetstream(timeout=5.0)
            async with asyncio.timeout(20):
                while True:
                    try:
                        await ensure_stream(js, stream_for("hazard", replicas=3))
                        break
                    except (NatsError, JetStreamError):
                        await asyncio.sleep(0.2)
            relay = OutboxRelay(hazard_db, nc.jetstream, "hazard", poll_interval=0.05, publish_timeout=2.0)
            projection = RecordingProjection()
            runner = ConsumerRunner(
                reporting_db,
                nc.jetstream,
                ConsumerSpec("HL_HAZARD", DURABLE),
                projection,
                batch_size=50,
                fetch_timeout=0.5,
            )
            tasks = [asyncio.create_task(relay.run(stop)), asyncio.create_task(runner.run(stop))]

            await append(40)
            async with asyncio.timeout(30):
                while len(projection.applied) < 40:
                    await asyncio.sleep(0.05)
            leader = await _stream_leader(nc)
            cluster.kill(cluster.index(leader))
            await append(60)  # written while a node is down
            async with asyncio.timeout(40):
                while len(set(projection.applied)) < len(appended):
                    await asyncio.sleep(0.05)
            cluster.restart(cluster.index(leader))
            await append(10)
            async with asyncio.timeout(30):
                while len(set(projection.applied)) < len(appended):
                    await asyncio.sleep(0.05)

            assert sorted(projection.applied) == sorted(appended), "every event applied, none twice"
            state = (await js.stream_info("HL_HAZARD")).state
            assert state.messages == len(appended), "the stream holds each event once"
        finally:
            stop.set()
            if tasks:
                await asyncio.wait(tasks, timeout=10)
            await nc.close()
            await hazard_db.dispose()
            await reporting_db.dispose()
