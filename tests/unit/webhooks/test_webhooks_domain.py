"""The webhooks domain: outbound address rules, the retry schedule, signatures, subscriptions."""

from __future__ import annotations

import ipaddress
import random
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from hl_platform.errors import InvalidInput, RuleViolation
from hl_platform.identity import Caller
from hl_webhooks.domain.addresses import first_refusal, networks, parse_target, refusal
from hl_webhooks.domain.retry import RetryPolicy
from hl_webhooks.domain.signing import new_secret, signature_headers
from hl_webhooks.domain.subscription import Status, Subscription, event_selector, selects
from tests.support.events import found

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
OWNER = Caller(id="key-1", name="省平台", role="platform", region_code="3710")


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.0.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("100.64.0.1", "globally routable"),  # shared address space (CGNAT)
        ("::ffff:192.168.0.1", "private"),  # an IPv4-mapped inner address
        ("240.0.0.1", "private"),  # IANA "reserved", which Python counts private
    ],
)
def test_inner_addresses_are_refused(address: str, kind: str) -> None:
    reason = refusal(ipaddress.ip_address(address))
    assert reason is not None and kind in reason


def test_public_addresses_pass_and_an_operator_allowance_opens_exactly_its_network() -> None:
    assert refusal(ipaddress.ip_address("93.184.215.14")) is None
    assert refusal(ipaddress.ip_address("2606:4700::1111")) is None
    allowed = networks(["127.0.0.1/32"])
    assert refusal(ipaddress.ip_address("127.0.0.1"), allowed) is None
    assert refusal(ipaddress.ip_address("127.0.0.2"), allowed) is not None
    assert first_refusal([ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("10.0.0.1")]) is not None
    assert first_refusal([]) == "the host resolves to no address"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/", "scheme"),
        ("https:///path", "no host"),
        ("https://user:pw@example.org/", "credentials"),
        ("https://example.org/#frag", "fragment"),
        ("https://example.org:99999/", "not a URL"),
    ],
)
def test_a_target_url_is_http_with_a_host(url: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_target(url, require_https=False)
    assert refused.value.field == "url" and reason in refused.value.reason


def test_https_can_be_required_and_ports_default_by_scheme() -> None:
    assert parse_target("https://example.org/h", require_https=True).port == 443
    assert parse_target("http://[::1]:8080/h", require_https=False).literal == ipaddress.ip_address("::1")
    with pytest.raises(InvalidInput):
        parse_target("http://example.org/h", require_https=True)


def test_the_back_off_doubles_with_jitter_up_to_its_cap_and_parks_after_the_window() -> None:
    policy = RetryPolicy(base_s=5, max_interval_s=3600, window_s=86_400)
    rng = random.Random(7)
    for attempt in range(1, 15):
        step = policy.step(attempt)
        assert step == min(3600, 5 * 2 ** (attempt - 1))
        assert step / 2 <= policy.delay(attempt, rng) <= step
    assert sum(policy.schedule()) <= 86_400 and policy.schedule()[:3] == [5, 10, 20]
    started = NOW
    assert policy.next_attempt(window_started=started, now=NOW, attempt=1, retry_after_s=None, rng=rng) is not None
    late = NOW + timedelta(seconds=86_399)
    assert policy.next_attempt(window_started=started, now=late, attempt=20, retry_after_s=None, rng=rng) is None


def test_a_retry_after_lengthens_the_wait_but_never_past_the_cap() -> None:
    policy = RetryPolicy(base_s=1, max_interval_s=60, window_s=3600)
    rng = random.Random(1)
    at = policy.next_attempt(window_started=NOW, now=NOW, attempt=1, retry_after_s=30, rng=rng)
    assert at == NOW + timedelta(seconds=30)
    capped = policy.next_attempt(window_started=NOW, now=NOW, attempt=1, retry_after_s=10_000, rng=rng)
    assert capped == NOW + timedelta(seconds=60)


def test_signatures_follow_standard_webhooks_and_verify_with_its_reference_library() -> None:
    old, new = new_secret(), new_secret()
    body = found().to_json().decode()
    headers = signature_headers("evt-1", body, [new, old], datetime.now(UTC))
    assert headers["webhook-id"] == "evt-1" and headers["webhook-signature"].count("v1,") == 2
    for secret in (new, old):
        Webhook(secret).verify(body, headers)


def _subscription(**changes: object) -> Subscription:
    values: dict[str, object] = {
        "id": "sub-1",
        "owner": OWNER,
        "url": "https://platform.example/hook",
        "event_types": ("hazard.*",),
        "region_code": "3710",
        "description": "",
        "status": Status.ACTIVE,
        "secret": new_secret(),
        "created_at": NOW - timedelta(days=1),
        "updated_at": NOW - timedelta(days=1),
    }
    values.update(changes)
    return Subscription(**values)  # type: ignore[arg-type]


def test_a_subscription_wants_its_types_in_its_region_recorded_after_it_began() -> None:
    sub = _subscription(region_code="371002")
    assert sub.wants(found(region="371002"))
    assert not sub.wants(found(region="371003")), "another county"
    assert not _subscription(event_types=("hazard.overdue",)).wants(found(region="371002"))
    assert not _subscription(created_at=datetime.now(UTC) + timedelta(hours=1)).wants(found(region="371002"))
    wider = _subscription(region_code="37")  # a stored region wider than its owner's
    assert not wider.wants(found(region="370102")), "the owner's reach bounds it (Caller.sees)"
    assert not _subscription(status=Status.REVOKED).wants(found(region="371002"))
    assert _subscription(status=Status.PAUSED).wants(found(region="371002")), "paused: queued"


def test_selectors_take_types_contexts_or_everything() -> None:
    assert event_selector(["hazard.found", "enterprise.*", "hazard.found"]) == ("hazard.found", "enterprise.*")
    assert selects(("*",), "enterprise.registered") and selects(("hazard.*",), "hazard.deadline_approaching")
    with pytest.raises(InvalidInput) as refused:
        event_selector(["hazard.founded"])
    assert refused.value.field == "event_types"


def test_transitions_and_the_rotation_grace() -> None:
    sub = _subscription()
    assert sub.paused(NOW).resumed(NOW).status == Status.ACTIVE
    rotated = sub.rotated(new_secret(), NOW, timedelta(hours=1))
    assert rotated.signing_secrets(NOW) == [rotated.secret, sub.secret]
    assert rotated.signing_secrets(NOW + timedelta(hours=1)) == [rotated.secret]
    with pytest.raises(RuleViolation) as refused:
        sub.revoked(NOW).resumed(NOW)
    assert refused.value.current_state == {"status": "revoked"}
