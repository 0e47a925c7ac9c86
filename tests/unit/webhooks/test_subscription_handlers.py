"""The subscription handlers on the in-memory unit of work: who may subscribe and where, whose
subscriptions one sees, the transitions, the delivery log and redelivery (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hl_platform.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from hl_platform.identity import Caller
from hl_webhooks.application.subscriptions import OutboundRules, SubscriptionService
from hl_webhooks.application.views import AttemptView, DeliveryView
from hl_webhooks.domain.commands import SubscribeWebhook
from hl_webhooks.domain.subscription import Status
from tests.unit.webhooks.fakes import FakeResolver, FakeUnitsOfWork

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PLATFORM = Caller(id="key-1", name="市平台", role="platform", region_code="3710")
OTHER = Caller(id="key-2", name="区平台", role="platform", region_code="371002")
ADMIN = Caller(id="admin-1", name="市管理员", role="admin", region_code="3710")
FAR_ADMIN = Caller(id="admin-2", name="外市管理员", role="admin", region_code="3702")
OWNER_OF_AN_ENTERPRISE = Caller(id="ent-1", name="企业", role="enterprise", region_code="371002", enterprise_id="e1")
HOOK = SubscribeWebhook("https://hooks.example.org/in", ("hazard.*",))


def _service(units: FakeUnitsOfWork | None = None) -> tuple[SubscriptionService, FakeUnitsOfWork]:
    units = units or FakeUnitsOfWork()
    resolver = FakeResolver({"hooks.example.org": ["93.184.215.14"], "inside.example.org": ["10.0.0.5"]})
    rules = OutboundRules(require_https=True, rotation_grace=timedelta(hours=2))
    return SubscriptionService(units, resolver, rules, clock=lambda: NOW), units


def _delivery(delivery_id: str, status: str) -> DeliveryView:
    return DeliveryView(
        delivery_id, f"ev-{delivery_id}", "hazard.found", status, 3, None, 500, None, 12, NOW, None, None
    )


@pytest.mark.asyncio
async def test_a_subscription_is_stored_in_the_callers_region_with_a_secret_shown_once() -> None:
    service, units = _service()
    sub = await service.create(PLATFORM, HOOK)
    assert sub.region_code == "3710" and sub.owner == PLATFORM and sub.status is Status.ACTIVE
    assert sub.secret.startswith("whsec_") and sub.created_at == NOW
    assert units.rows.subscriptions == {sub.id: sub} and units.opened == [True]
    narrower = await service.create(PLATFORM, SubscribeWebhook(HOOK.url, ("hazard.overdue", "*"), "371002", "区"))
    assert narrower.region_code == "371002" and narrower.event_types == ("hazard.overdue", "*")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("caller", "command", "error", "field"),
    [
        (OWNER_OF_AN_ENTERPRISE, HOOK, Forbidden, None),
        (OTHER, SubscribeWebhook(HOOK.url, ("hazard.*",), "3710"), Forbidden, None),
        (PLATFORM, SubscribeWebhook("https://inside.example.org/in", ("hazard.*",)), InvalidInput, "url"),
        (PLATFORM, SubscribeWebhook("http://hooks.example.org/in", ("hazard.*",)), InvalidInput, "url"),
        (PLATFORM, SubscribeWebhook(HOOK.url, ("hazard.nothing",)), InvalidInput, "event_types"),
    ],
)
async def test_a_refused_subscription_writes_nothing(
    caller: Caller, command: SubscribeWebhook, error: type[Exception], field: str | None
) -> None:
    service, units = _service()
    with pytest.raises(error) as raised:
        await service.create(caller, command)
    if field is not None:
        assert isinstance(raised.value, InvalidInput) and raised.value.field == field
    assert units.rows.subscriptions == {} and units.opened == []


@pytest.mark.asyncio
async def test_an_owner_sees_its_own_and_an_admin_those_of_its_region() -> None:
    service, _ = _service()
    mine = sorted([await service.create(PLATFORM, HOOK) for _ in range(3)], key=lambda s: s.id)  # time order
    theirs = await service.create(OTHER, HOOK)
    assert [s.id for s in await service.page(PLATFORM, None, 10)] == [s.id for s in mine]
    assert [s.id for s in await service.page(PLATFORM, mine[0].id, 1)] == [mine[1].id]
    assert {s.id for s in await service.page(ADMIN, None, 10)} == {*(s.id for s in mine), theirs.id}
    assert await service.page(FAR_ADMIN, None, 10) == []
    with pytest.raises(NotFound):
        await service.get(OTHER, mine[0].id)
    with pytest.raises(NotFound):
        await service.pause(FAR_ADMIN, mine[0].id)
    assert (await service.pause(ADMIN, theirs.id)).status is Status.PAUSED


@pytest.mark.asyncio
async def test_pause_resume_rotate_and_delete_are_saved() -> None:
    service, units = _service()
    sub = await service.create(PLATFORM, HOOK)
    assert (await service.pause(PLATFORM, sub.id)).status is Status.PAUSED
    assert units.rows.subscriptions[sub.id].status is Status.PAUSED
    assert (await service.resume(PLATFORM, sub.id)).status is Status.ACTIVE
    rotated = await service.rotate_secret(PLATFORM, sub.id)
    assert rotated.secret != sub.secret and rotated.previous_secret == sub.secret
    assert rotated.previous_secret_expires_at == NOW + timedelta(hours=2)
    assert units.rows.subscriptions[sub.id] == rotated
    await service.delete(PLATFORM, sub.id)
    with pytest.raises(NotFound):
        await service.get(PLATFORM, sub.id)
    assert await service.page(PLATFORM, None, 10) == []


@pytest.mark.asyncio
async def test_an_illegal_transition_is_a_409_with_the_state_and_changes_nothing() -> None:
    service, units = _service()
    sub = await service.create(PLATFORM, HOOK)
    units.rows.subscriptions[sub.id] = sub.revoked(NOW)
    with pytest.raises(RuleViolation) as refused:
        await service.resume(PLATFORM, sub.id)
    assert refused.value.status == 409 and refused.value.current_state == {"status": "revoked"}
    assert units.rows.subscriptions[sub.id].status is Status.REVOKED


@pytest.mark.asyncio
async def test_the_delivery_log_and_redelivery() -> None:
    service, units = _service()
    sub = await service.create(PLATFORM, HOOK)
    for delivery_id, status in (("d1", "delivered"), ("d2", "parked"), ("d3", "pending")):
        units.rows.deliveries[delivery_id] = (sub.id, _delivery(delivery_id, status))
    attempt = AttemptView(1, NOW, 12, 500, None, "failed")
    units.rows.attempts["d2"] = [attempt]
    assert [d.id for d in await service.deliveries(PLATFORM, sub.id, None, None, 10)] == ["d3", "d2", "d1"]
    assert [d.id for d in await service.deliveries(PLATFORM, sub.id, "parked", None, 10)] == ["d2"]
    assert [d.id for d in await service.deliveries(PLATFORM, sub.id, None, "d3", 1)] == ["d2"]
    log = await service.delivery(PLATFORM, sub.id, "d2")
    assert log.delivery.status == "parked" and log.attempts == [attempt]
    again = await service.redeliver(PLATFORM, sub.id, "d2")
    assert again.delivery.status == "pending" and again.delivery.next_attempt_at == NOW
    with pytest.raises(RuleViolation) as refused:
        await service.redeliver(PLATFORM, sub.id, "d3")
    assert refused.value.current_state == {"status": "pending", "subscription_status": "active"}
    with pytest.raises(NotFound):
        await service.delivery(PLATFORM, sub.id, "nope")
    with pytest.raises(NotFound):
        await service.deliveries(OTHER, sub.id, None, None, 10)


@pytest.mark.asyncio
async def test_a_revoked_subscriptions_deliveries_are_not_redelivered() -> None:
    service, units = _service()
    sub = await service.create(PLATFORM, HOOK)
    units.rows.deliveries["d1"] = (sub.id, _delivery("d1", "delivered"))
    units.rows.subscriptions[sub.id] = sub.revoked(NOW)
    with pytest.raises(RuleViolation):
        await service.redeliver(PLATFORM, sub.id, "d1")
    assert units.rows.deliveries["d1"][1].status == "delivered"
