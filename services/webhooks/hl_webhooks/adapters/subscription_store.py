"""Subscriptions in the service's database, their signing secrets sealed (`secret_box.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_platform.identity import Caller
from hl_webhooks.adapters.secret_box import SecretBox
from hl_webhooks.adapters.tables import deliveries, subscriptions
from hl_webhooks.domain.attempts import DeliveryStatus
from hl_webhooks.domain.subscription import QUEUEING, Status, Subscription

t = subscriptions


def _row(sub: Subscription, box: SecretBox) -> dict[str, Any]:
    return {
        "id": sub.id,
        "owner_id": sub.owner.id,
        "owner": sub.owner.model_dump(mode="json"),
        "url": sub.url,
        "event_types": list(sub.event_types),
        "region_code": sub.region_code,
        "description": sub.description,
        "status": sub.status.value,
        "secret": box.seal(sub.secret, sub.id),
        "previous_secret": box.seal_optional(sub.previous_secret, sub.id),
        "previous_secret_expires_at": sub.previous_secret_expires_at,
        "secret_rotated_at": sub.secret_rotated_at,
        "created_at": sub.created_at,
        "updated_at": sub.updated_at,
    }


def subscription_of(row: Any, box: SecretBox) -> Subscription:
    return Subscription(
        id=row.id,
        owner=Caller.model_validate(row.owner),
        url=row.url,
        event_types=tuple(row.event_types),
        region_code=row.region_code,
        description=row.description,
        status=Status(row.status),
        secret=box.open(row.secret, row.id),
        previous_secret=box.open_optional(row.previous_secret, row.id),
        previous_secret_expires_at=row.previous_secret_expires_at,
        secret_rotated_at=row.secret_rotated_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def add(conn: AsyncConnection, sub: Subscription, box: SecretBox) -> None:
    await conn.execute(insert(t).values(_row(sub, box)))


async def get(conn: AsyncConnection, subscription_id: str, box: SecretBox) -> Subscription | None:
    row = (await conn.execute(select(t).where(t.c.id == subscription_id, t.c.status != Status.DELETED))).first()
    return subscription_of(row, box) if row else None


async def save(conn: AsyncConnection, sub: Subscription, box: SecretBox) -> None:
    fixed = ("id", "owner_id", "owner", "created_at")
    values = {key: value for key, value in _row(sub, box).items() if key not in fixed}
    await conn.execute(update(t).where(t.c.id == sub.id).values(values))
    if sub.status not in QUEUEING:
        await cancel_pending(conn, sub.id)


async def cancel_pending(conn: AsyncConnection, subscription_id: str) -> None:
    """A deleted or revoked subscription's queued deliveries will never go: say so in the log."""
    d = deliveries
    await conn.execute(
        update(d)
        .where(d.c.subscription_id == subscription_id, d.c.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED, next_attempt_at=None, claimed_by=None, claimed_until=None)
    )


async def page(
    conn: AsyncConnection,
    box: SecretBox,
    *,
    owner_id: str | None,
    region_prefix: str,
    after: str | None,
    limit: int,
) -> list[Subscription]:
    """Subscriptions oldest first (ids sort by time): an owner's own, or (owner_id None) a region's."""
    query = select(t).where(t.c.status != Status.DELETED).order_by(t.c.id).limit(limit)
    if owner_id is not None:
        query = query.where(t.c.owner_id == owner_id)
    query = query.where(t.c.region_code.startswith(region_prefix, autoescape=True))
    if after:
        query = query.where(t.c.id > after)
    return [subscription_of(row, box) for row in await conn.execute(query)]


async def queueing(conn: AsyncConnection, box: SecretBox) -> list[Subscription]:
    """Every subscription that takes new events (active or paused): the fan-out's list."""
    rows = await conn.execute(select(t).where(t.c.status.in_(list(QUEUEING))))
    return [subscription_of(row, box) for row in rows]


async def revoke_owner(conn: AsyncConnection, owner_id: str, now: datetime) -> list[str]:
    """Mark every live subscription of a revoked owner revoked and cancel its queue; their ids."""
    query = select(t.c.id).where(t.c.owner_id == owner_id, t.c.status.in_(list(QUEUEING)))
    ids = list((await conn.scalars(query)).all())
    if ids:
        await conn.execute(update(t).where(t.c.id.in_(ids)).values(status=Status.REVOKED, updated_at=now))
        for subscription_id in ids:
            await cancel_pending(conn, subscription_id)
    return ids
