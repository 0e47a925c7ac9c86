"""Managing subscriptions and reading their delivery logs (the API's use cases).

Who: the roles that may read the event feed (admin, platform, supervisor, inspector, bureau) —
a webhook is the feed pushed. A subscription belongs to the identity that made it; its owner
manages it, and an admin may manage those inside its region. Any other id is "not found".
Where: a region prefix inside the owner's region (by default the owner's own), and a URL whose
host resolves to allowed addresses only (domain/addresses.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hl_contracts.roles import Permission, roles_for
from hl_platform.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from hl_platform.identity import Caller
from hl_platform.ids import new_id
from hl_webhooks.application.ports import Resolver, UnitOfWork, UnitOfWorkFactory
from hl_webhooks.application.views import DeliveryLog, DeliveryView
from hl_webhooks.domain.addresses import IPNetwork, Target, first_refusal, parse_target
from hl_webhooks.domain.attempts import DeliveryStatus
from hl_webhooks.domain.commands import SubscribeWebhook
from hl_webhooks.domain.signing import new_secret
from hl_webhooks.domain.subscription import Status, Subscription, event_selector

SUBSCRIBERS = roles_for(Permission.MANAGE_WEBHOOKS)
REDELIVERABLE = (DeliveryStatus.PARKED.value, DeliveryStatus.DELIVERED.value)


@dataclass(frozen=True)
class OutboundRules:
    allowed: tuple[IPNetwork, ...] = ()
    require_https: bool = False
    rotation_grace: timedelta = timedelta(days=1)


class SubscriptionService:
    """The subscription handlers, each in one unit of work of `units` (wired in `bootstrap.py`)."""

    def __init__(
        self,
        units: UnitOfWorkFactory,
        resolver: Resolver,
        rules: OutboundRules,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.units = units
        self.resolver = resolver
        self.rules = rules
        self.clock = clock or (lambda: datetime.now(UTC))

    async def create(self, caller: Caller, cmd: SubscribeWebhook) -> Subscription:
        """A new subscription; its secret is in the returned value (to show once)."""
        if caller.role not in SUBSCRIBERS:
            raise Forbidden(f"the role {caller.role!r} may not subscribe webhooks")
        region = cmd.region_code or caller.region_code
        if not region.startswith(caller.region_code):
            raise Forbidden(f"region {region} is outside your region {caller.region_code or '(none)'}")
        event_types = event_selector(list(cmd.event_types))
        await self.check_target(parse_target(cmd.url, require_https=self.rules.require_https))
        now = self.clock()
        sub = Subscription(
            id=new_id(),
            owner=caller,
            url=cmd.url,
            event_types=event_types,
            region_code=region,
            description=cmd.description,
            status=Status.ACTIVE,
            secret=new_secret(),
            created_at=now,
            updated_at=now,
        )
        async with self.units() as uow:
            await uow.subscriptions.add(sub)
        return sub

    async def check_target(self, target: Target) -> None:
        """422 on `url` unless every address of its host may receive webhooks."""
        literal = target.literal
        addresses = [literal] if literal is not None else await self.resolver.addresses(target.host, target.port)
        if reason := first_refusal(addresses, self.rules.allowed):
            raise InvalidInput("url", f"not an allowed destination: {reason}")

    async def page(self, caller: Caller, after: str | None, limit: int) -> list[Subscription]:
        """The caller's subscriptions (an admin's: its region's), oldest first, after `after`."""
        owner = None if caller.role == "admin" else caller.id
        async with self.units(write=False) as uow:
            return await uow.subscriptions.page(
                owner_id=owner, region_prefix=caller.region_code, after=after, limit=limit
            )

    async def get(self, caller: Caller, subscription_id: str) -> Subscription:
        async with self.units(write=False) as uow:
            return await self._visible(uow, caller, subscription_id)

    async def pause(self, caller: Caller, subscription_id: str) -> Subscription:
        return await self._change(caller, subscription_id, lambda sub, now: sub.paused(now))

    async def resume(self, caller: Caller, subscription_id: str) -> Subscription:
        return await self._change(caller, subscription_id, lambda sub, now: sub.resumed(now))

    async def delete(self, caller: Caller, subscription_id: str) -> None:
        await self._change(caller, subscription_id, lambda sub, now: sub.deleted(now))

    async def rotate_secret(self, caller: Caller, subscription_id: str) -> Subscription:
        grace = self.rules.rotation_grace
        return await self._change(caller, subscription_id, lambda sub, now: sub.rotated(new_secret(), now, grace))

    async def deliveries(
        self, caller: Caller, subscription_id: str, status: str | None, before: str | None, limit: int
    ) -> list[DeliveryView]:
        """The subscription's delivery log, newest first, before `before`."""
        async with self.units(write=False) as uow:
            await self._visible(uow, caller, subscription_id)
            return await uow.deliveries.page(subscription_id, status, before, limit)

    async def delivery(self, caller: Caller, subscription_id: str, delivery_id: str) -> DeliveryLog:
        async with self.units(write=False) as uow:
            await self._visible(uow, caller, subscription_id)
            found = await self._delivery(uow, subscription_id, delivery_id)
            return DeliveryLog(found, await uow.deliveries.attempts_of(delivery_id))

    async def redeliver(self, caller: Caller, subscription_id: str, delivery_id: str) -> DeliveryLog:
        """Send a parked (or delivered) event again, with a fresh retry window; 409 otherwise."""
        async with self.units() as uow:
            sub = await self._visible(uow, caller, subscription_id)
            found = await self._delivery(uow, subscription_id, delivery_id)
            if found.status not in REDELIVERABLE or sub.status == Status.REVOKED:
                state = {"status": found.status, "subscription_status": sub.status.value}
                detail = (
                    f"only a parked or delivered delivery of a live webhook can be redelivered; it is {found.status}"
                )
                raise RuleViolation("invalid-transition", detail, state)
            await uow.deliveries.requeue(delivery_id, self.clock())
        return await self.delivery(caller, subscription_id, delivery_id)

    async def _delivery(self, uow: UnitOfWork, subscription_id: str, delivery_id: str) -> DeliveryView:
        found = await uow.deliveries.get(subscription_id, delivery_id)
        if found is None:
            raise NotFound(f"no delivery {delivery_id} of webhook {subscription_id}")
        return found

    async def _change(
        self, caller: Caller, subscription_id: str, change: Callable[[Subscription, datetime], Subscription]
    ) -> Subscription:
        async with self.units() as uow:
            sub = change(await self._visible(uow, caller, subscription_id), self.clock())
            await uow.subscriptions.save(sub)
        return sub

    async def _visible(self, uow: UnitOfWork, caller: Caller, subscription_id: str) -> Subscription:
        sub = await uow.subscriptions.get(subscription_id)
        mine = sub is not None and sub.owner.id == caller.id
        administered = sub is not None and caller.role == "admin" and sub.region_code.startswith(caller.region_code)
        if sub is None or not (mine or administered):
            raise NotFound(f"no webhook {subscription_id}")
        return sub
