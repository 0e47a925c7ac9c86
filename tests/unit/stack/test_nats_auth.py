"""One source of NATS permissions: production's auth.conf is generated from it, the services' own
durables and streams are covered by it, bureaus are limited to their region, and the consumers'
check of where an event belongs refuses what does not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hl_contracts import Actor, CloudEvent, subject_for
from hl_hazard.entrypoints.app import ENTERPRISE_REPLICA
from hl_platform.consumer import provenance_problem
from hl_platform.nats_io import STREAMS, NatsCredentials, inbox_prefix
from hl_reporting.application.generations import Generation
from hl_stack.nats_auth import SERVICE_USERS, Bureau, read_bureaus_csv, render_production
from hl_stack.services import SERVICES

ROOT = Path(__file__).resolve().parents[3]
USERS = {user.name: user for user in SERVICE_USERS}


def test_production_auth_conf_is_generated_from_the_definitions() -> None:
    bureaus = read_bureaus_csv((ROOT / "deploy/nats/bureaus.csv").read_text(encoding="utf-8"))
    expected = render_production(bureaus)
    assert (ROOT / "deploy/nats/auth.conf").read_text(encoding="utf-8") == expected, (
        "deploy/nats/auth.conf is stale: run ./hl nats-auth-conf > deploy/nats/auth.conf"
    )


def test_every_service_has_a_nats_user() -> None:
    assert set(SERVICES) <= set(USERS)


def test_each_service_durable_is_its_users() -> None:
    generations = [Generation(number, None) for number in (0, 1, 2)]  # they alternate between two names
    durables = {(spec.stream, spec.durable) for generation in generations for spec in generation.specs()}
    assert durables == set(USERS["reporting"].durables)
    assert (ENTERPRISE_REPLICA.stream, ENTERPRISE_REPLICA.durable) in USERS["hazard"].durables


OWN_CONTEXT = {"hazard": "hazard", "enterprise": "enterprise", "tips": "tip"}  # the writing services


def test_a_service_publishes_only_its_own_events() -> None:
    assert set(OWN_CONTEXT.values()) == set(STREAMS)
    for name, user in USERS.items():
        events = [subject for subject in user.publish_allow() if subject.startswith("hl.v1.")]
        assert events == ([f"hl.v1.{OWN_CONTEXT[name]}.>"] if name in OWN_CONTEXT else [])


def test_every_user_subscribes_only_to_its_own_inbox() -> None:
    for user in [*SERVICE_USERS, Bureau("weihai", "3710").nats_user()]:
        assert user.permissions()["subscribe"] == {"allow": [inbox_prefix(user.name) + ".>"]}


@pytest.mark.parametrize(
    ("region", "hazard_filter"),
    [("37", "hl.v1.hazard.*.37.>"), ("3710", "hl.v1.hazard.*.37.3710.>"), ("371002", "hl.v1.hazard.*.37.3710.371002")],
)
def test_a_bureau_may_create_consumers_only_within_its_region(region: str, hazard_filter: str) -> None:
    bureau = Bureau("weihai", region)
    assert bureau.region_filter("hazard") == hazard_filter
    creates = [s for s in bureau.nats_user().publish_allow() if ".CONSUMER.CREATE." in s]
    assert creates == [
        f"$JS.API.CONSUMER.CREATE.HL_HAZARD.bureau-weihai.{hazard_filter}",
        f"$JS.API.CONSUMER.CREATE.HL_ENTERPRISE.bureau-weihai.{bureau.region_filter('enterprise')}",
        f"$JS.API.CONSUMER.CREATE.HL_TIPS.bureau-weihai.{bureau.region_filter('tip')}",
    ]
    assert not [s for s in bureau.nats_user().publish_allow() if s.startswith("hl.v1.") or "STREAM" in s]


@pytest.mark.parametrize(
    ("bureau_id", "region"), [("Weihai", "3710"), ("wei.hai", "3710"), ("weihai", "371"), ("weihai", "")]
)
def test_a_bureau_needs_a_plain_id_and_a_region_code(bureau_id: str, region: str) -> None:
    with pytest.raises(ValueError):
        Bureau(bureau_id, region)


def test_credentials_come_from_the_url_when_not_given() -> None:
    url = "nats://hazard:p%40ss@n1:4222,nats://hazard:p%40ss@n2:4222"
    assert NatsCredentials().for_urls(url) == NatsCredentials("hazard", "p@ss")
    assert NatsCredentials("gateway", "x").for_urls(url) == NatsCredentials("gateway", "x")
    assert NatsCredentials().for_urls("nats://127.0.0.1:4222") == NatsCredentials()


def _event(event_type: str = "hazard.found", source: str = "/hazard-ledger/hazard") -> CloudEvent:
    now = datetime.now(UTC)
    return CloudEvent(
        id=str(uuid.uuid4()),
        source=source,
        type=event_type,
        subject=str(uuid.uuid4()),
        time=now,
        dataschema=f"urn:hazard-ledger:schema:{event_type}:v1",
        sequence=1,
        regioncode="371002",
        industry="other",
        recordedtime=now,
        actorid="a",
        actorname="a",
        actorrole=Actor.system("hazard").role,
        data={},
    )


def test_an_event_where_it_belongs_passes() -> None:
    event = _event()
    assert provenance_problem(event, subject_for(event.type, event.regioncode), "HL_HAZARD") is None


@pytest.mark.parametrize(
    ("event", "subject", "stream", "reason"),
    [
        (_event(), "hl.v1.enterprise.found.37.3710.371002", "HL_ENTERPRISE", "does not belong on stream"),
        (_event(source="/somebody"), "hl.v1.hazard.found.37.3710.371002", "HL_HAZARD", "does not publish hazard"),
        (_event(source="/hazard-ledger/enterprise"), "hl.v1.hazard.found.37.3710.371002", "HL_HAZARD", "source"),
        (_event(), "hl.v1.hazard.found.37.3701.370102", "HL_HAZARD", "subject"),
        (_event(), "hl.v1.hazard.voided.37.3710.371002", "HL_HAZARD", "subject"),
    ],
)
def test_an_event_out_of_place_is_refused(event: CloudEvent, subject: str, stream: str, reason: str) -> None:
    problem = provenance_problem(event, subject, stream)
    assert problem is not None and reason in problem
