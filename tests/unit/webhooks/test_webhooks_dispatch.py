"""The deliverer's decisions with fakes for the network: the address check at delivery time (DNS
rebinding), the pinned connection, the signature headers, and what follows an attempt."""

from __future__ import annotations

import ipaddress
import random
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from hl_platform.errors import InvalidInput
from hl_platform.master_key import MasterKey
from hl_webhooks.adapters.http_sender import pinned_url, retry_after
from hl_webhooks.adapters.secret_box import SecretBox
from hl_webhooks.application.dispatcher import Dispatcher, DispatchRules
from hl_webhooks.application.ports import Job
from hl_webhooks.application.subscriptions import OutboundRules, SubscriptionService
from hl_webhooks.domain.addresses import parse_target
from hl_webhooks.domain.attempts import AttemptResult, DeliveryStatus
from hl_webhooks.domain.retry import RetryPolicy
from hl_webhooks.domain.signing import new_secret
from tests.support.events import found
from tests.unit.webhooks.fakes import FakeOwners, FakeResolver, FakeSender, FakeUnitsOfWork

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SECRET = new_secret()
BOX = SecretBox(MasterKey(bytes(32), "webhooks"))


def _job(url: str = "https://hooks.example.org/in", attempts: int = 0, started: datetime | None = None) -> Job:
    event = found()
    return Job(
        delivery_id="d-1",
        subscription_id="s-1",
        owner_id="key-1",
        url=url,
        event_id=event.id,
        body=event.to_json().decode(),
        attempts=attempts,
        window_started_at=started,
        signing_secrets=[SECRET],
    )


def _dispatcher(resolver: FakeResolver, sender: FakeSender, **rules: object) -> Dispatcher:
    values: dict[str, object] = {"policy": RetryPolicy(base_s=1, max_interval_s=10, window_s=60)}
    values.update(rules)
    return Dispatcher(
        None,  # type: ignore[arg-type]  # these decisions never reach the database
        BOX,
        FakeOwners(),
        resolver,
        sender,
        DispatchRules(**values),  # type: ignore[arg-type]
        clock=lambda: datetime.now(UTC),
        rng=random.Random(3),
    )


@pytest.mark.asyncio
async def test_a_name_that_resolves_inward_after_subscribing_is_blocked_at_delivery() -> None:
    resolver = FakeResolver({"hooks.example.org": ["93.184.215.14"]})
    service = SubscriptionService(FakeUnitsOfWork(), resolver, OutboundRules())
    await service.check_target(parse_target("https://hooks.example.org/in", require_https=True))  # public: fine
    resolver.answers["hooks.example.org"] = ["93.184.215.14", "10.0.0.5"]  # rebound
    sender = FakeSender()
    result = await _dispatcher(resolver, sender)._send(_job())
    assert result.error == "blocked: 10.0.0.5 is a private address" and sender.sent == []
    with pytest.raises(InvalidInput):
        await service.check_target(parse_target("https://hooks.example.org/in", require_https=True))


@pytest.mark.asyncio
async def test_the_connection_goes_to_the_checked_address_signed() -> None:
    resolver = FakeResolver({"hooks.example.org": ["93.184.215.14"]})
    sender = FakeSender()
    job = _job()
    result = await _dispatcher(resolver, sender)._send(job)
    assert result.delivered
    ((url, address, headers),) = sender.sent
    assert (url, address) == (job.url, ipaddress.ip_address("93.184.215.14"))
    assert headers["webhook-id"] == job.event_id
    assert headers["Content-Type"].startswith("application/cloudevents+json")
    Webhook(SECRET).verify(job.body, headers)


@pytest.mark.asyncio
async def test_an_unresolvable_host_fails_like_any_unreachable_receiver() -> None:
    result = await _dispatcher(FakeResolver(), FakeSender())._send(_job())
    assert result.error == "blocked: the host resolves to no address"


def test_what_follows_an_attempt() -> None:
    dispatcher = _dispatcher(FakeResolver(), FakeSender())
    dispatcher.clock = lambda: NOW
    assert dispatcher._end(_job(), AttemptResult(5, 204), NOW).status == DeliveryStatus.DELIVERED
    retry = dispatcher._end(_job(attempts=2, started=NOW - timedelta(seconds=10)), AttemptResult(5, 500), NOW)
    assert retry.status == DeliveryStatus.PENDING and retry.next_attempt_at is not None
    assert NOW + timedelta(seconds=2) <= retry.next_attempt_at <= NOW + timedelta(seconds=4)
    spent = dispatcher._end(_job(attempts=9, started=NOW - timedelta(seconds=59)), AttemptResult(5, None, "x"), NOW)
    assert spent.status == DeliveryStatus.PARKED
    assert AttemptResult(5, 302).summary == "the receiver answered HTTP 302", "a redirect is a failure"


def test_the_pinned_request_keeps_the_host_for_the_header_and_tls() -> None:
    assert pinned_url("https://hooks.example.org/in?a=1", ipaddress.ip_address("93.184.215.14")) == (
        "https://93.184.215.14:443/in?a=1",
        "hooks.example.org",
    )
    assert pinned_url("http://hooks.example.org:8080", ipaddress.ip_address("2606:4700::1111")) == (
        "http://[2606:4700::1111]:8080/",
        "hooks.example.org:8080",
    )
    assert (retry_after("120"), retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), retry_after(None)) == (120.0, None, None)
