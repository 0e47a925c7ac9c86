"""The embedded stack's NATS refuses what it must, on the real `./hl up` (SQLite and PostgreSQL):
no client without credentials; no service publishing another's events; a forged event that gets
into a stream (from the enterprise account, or with a source that is not the hazard service) is
parked by the consumers and never counted; a bureau reads its region and nothing else, writes
nothing, and loses access when revoked."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import nats
import nats.js.errors
import pytest
import sqlalchemy as sa
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from hl_contracts import CloudEvent, subject_for
from hl_platform.nats_io import inbox_prefix
from hl_stack.state import StackState, read_state
from tests.e2e.conftest import Stack
from tests.support.events import found
from tests.support.stack import hl

pytestmark = pytest.mark.slow
SHANGHAI = ZoneInfo("Asia/Shanghai")
REGION = "371002"
# A publish or request the permissions refuse gets no answer: a timeout, or "no responders".
REFUSED = (nats.errors.TimeoutError, nats.errors.NoRespondersError, nats.js.errors.NoStreamResponseError)


def _state(stack: Stack) -> StackState:
    state = read_state(stack.data_dir)
    assert state is not None
    return state


def _password(stack: Stack, user: str) -> str:
    users = json.loads((stack.data_dir / "secrets" / "nats-users.json").read_text())
    return str(users[user]["password"])


@pytest.fixture
async def connect(stack: Stack) -> AsyncIterator[Any]:
    opened: list[Client] = []

    async def _connect(user: str, password: str | None = None, errors: list[str] | None = None) -> Client:
        async def on_error(exc: Exception) -> None:
            if errors is not None:
                errors.append(str(exc))

        nc = await nats.connect(
            _state(stack).nats_url,
            user=user,
            password=password or _password(stack, user),
            inbox_prefix=inbox_prefix(user),
            allow_reconnect=False,
            connect_timeout=3,
            error_cb=on_error,
        )
        opened.append(nc)
        return nc

    yield _connect
    for nc in opened:
        if not nc.is_closed:
            await nc.close()


def _period() -> str:
    today = datetime.now(SHANGHAI).date()
    if today.day <= 24:
        return f"{today:%Y-%m}"
    return f"{(today.replace(day=1) + timedelta(days=32)):%Y-%m}"


def _self_found(stack: Stack) -> int:
    with stack.client() as admin:
        answer = admin.get("/reports/monthly", params={"period": _period(), "region_code": "3710"})
    assert answer.status_code == 200, answer.text
    table = answer.json()
    for section in table["sections"]:
        for row in section["rows"]:
            for figure in row["figures"]:
                if figure["key"] == "self_inspection_major_found":
                    return int(figure["value"])
    raise KeyError("self_inspection_major_found")


def _dead_letters(stack: Stack, event_ids: set[str]) -> dict[str, set[str]]:
    """consumer -> ids of `event_ids` it parked (read from the reporting service's database)."""
    state = _state(stack)
    url = state.database_urls.get("reporting") or f"sqlite:///{stack.data_dir / 'reporting.db'}"
    engine = sa.create_engine(url.replace("+aiosqlite", ""))
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT consumer, event_id, error FROM dead_letters")).all()
    finally:
        engine.dispose()
    parked: dict[str, set[str]] = {}
    for consumer, event_id, error in rows:
        if event_id in event_ids:
            assert error.startswith("refused: ")
            parked.setdefault(consumer, set()).add(event_id)
    return parked


async def test_a_client_without_credentials_is_refused(stack: Stack) -> None:
    with pytest.raises(nats.errors.Error, match=r"(?i)authorization violation"):
        await nats.connect(_state(stack).nats_url, allow_reconnect=False, connect_timeout=3)
    with pytest.raises(nats.errors.Error, match=r"(?i)authorization violation"):
        await nats.connect(
            _state(stack).nats_url, user="hazard", password="guess", allow_reconnect=False, connect_timeout=3
        )


async def test_forged_hazards_are_refused_or_parked_and_never_counted(stack: Stack, connect: Any) -> None:
    before = _self_found(stack)
    forged = found(region=REGION)  # a well-formed major self-inspection hazard: it would count
    errors: list[str] = []
    enterprise = await connect("enterprise", errors=errors)
    js = enterprise.jetstream(timeout=2)
    # The enterprise user may not publish on hazard subjects at all ...
    with pytest.raises(REFUSED):
        await js.publish(subject_for(forged.type, REGION), forged.to_json(), timeout=1)
    await _until(lambda: any("permissions violation" in e for e in errors))
    # ... and what it publishes on its own subjects is not a hazard for anyone.
    smuggled = found(region=REGION)
    await js.publish(f"hl.v1.enterprise.found.37.3710.{REGION}", smuggled.to_json())
    # The hazard user's stream, but not the hazard service's event: another source.
    hazard = (await connect("hazard")).jetstream(timeout=2)
    impostor = found(region=REGION).model_copy(update={"source": "/somebody-else"})
    await hazard.publish(subject_for(impostor.type, REGION), impostor.to_json())
    # A real event on the wrong subject (another region's) is refused as well.
    misrouted = found(region=REGION)
    await hazard.publish(subject_for(misrouted.type, "370102"), misrouted.to_json())

    ids = {smuggled.id, impostor.id, misrouted.id}
    parked = await _until(lambda: (p := _dead_letters(stack, ids)) and len(p.get("reporting-hazard", ())) == 2 and p)
    assert parked["reporting-hazard"] == {impostor.id, misrouted.id}
    assert smuggled.id in parked["reporting-enterprise"]
    assert _self_found(stack) == before, "nothing forged is counted"


async def test_a_bureau_reads_its_region_only_and_writes_nothing(stack: Stack, connect: Any) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HL_")}
    bureau_id = f"e2e{os.getpid() % 100000}"
    added = hl("bureaus", "add", bureau_id, "--region", "3710", "--data-dir", str(stack.data_dir), env=env)
    assert added.returncode == 0, added.stderr
    assert "nats-server reloaded" in added.stderr
    password = added.stdout.strip().splitlines()[-1]
    user = f"bureau-{bureau_id}"
    hazard = (await connect("hazard")).jetstream(timeout=2)
    inside, outside = found(region=REGION), found(region="370102")
    for event in (inside, outside):  # what the hazard service would publish, for two cities
        await hazard.publish(subject_for(event.type, event.regioncode), event.to_json())

    errors: list[str] = []
    bureau = await connect(user, password, errors)
    js = bureau.jetstream(timeout=2)
    config = ConsumerConfig(
        name=user,
        durable_name=user,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        filter_subject="hl.v1.hazard.*.37.3710.>",
    )
    await js.add_consumer("HL_HAZARD", config)
    subscription = await js.pull_subscribe_bind(user, "HL_HAZARD")
    seen: list[CloudEvent] = []
    while True:
        try:
            msgs = await subscription.fetch(200, timeout=2)
        except (TimeoutError, nats.errors.TimeoutError):  # nothing more to fetch
            break
        for msg in msgs:
            seen.append(CloudEvent.from_json(msg.data))
            await msg.ack()
    assert inside.id in {event.id for event in seen}
    assert all(event.regioncode.startswith("3710") for event in seen)
    assert not [e for e in errors if "permissions violation" in e]

    with pytest.raises(REFUSED):
        await js.add_consumer(
            "HL_HAZARD",
            ConsumerConfig(name=user, durable_name=user, filter_subject="hl.v1.hazard.*.37.3701.>"),
            timeout=1,
        )
    with pytest.raises(REFUSED):
        await js.publish(subject_for(inside.type, REGION), found(region=REGION).to_json(), timeout=1)
    await bureau.subscribe("hl.v1.>")
    await _until(lambda: sum("permissions violation" in e for e in errors) >= 3)

    revoked = hl("bureaus", "revoke", bureau_id, "--data-dir", str(stack.data_dir), env=env)
    assert revoked.returncode == 0, revoked.stderr
    await _until(lambda: bureau.is_closed or not bureau.is_connected)
    with pytest.raises(nats.errors.Error, match=r"(?i)authorization violation"):
        await nats.connect(
            _state(stack).nats_url, user=user, password=password, allow_reconnect=False, connect_timeout=3
        )


async def _until(check: Any, timeout: float = 30.0) -> Any:
    async with asyncio.timeout(timeout):
        while not (result := check()):
            await asyncio.sleep(0.2)
    return result
