"""Deliveries in the service's database: queued by the fan-out, claimed and finished by the
deliverer, listed and redelivered through the API.

A claim is a compare-and-set: `UPDATE … WHERE status = 'pending' AND the claim has lapsed`,
which PostgreSQL re-checks on the locked row and SQLite runs under its one writer, so of two
replicas claiming the same delivery only one gets it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_platform.sql import dialect_insert, in_chunks
from hl_webhooks.adapters.secret_box import SecretBox
from hl_webhooks.adapters.subscription_store import subscription_of
from hl_webhooks.adapters.tables import deliveries, delivery_attempts, subscriptions
from hl_webhooks.application.ports import Job
from hl_webhooks.application.views import AttemptView, DeliveryView
from hl_webhooks.domain.attempts import AttemptResult, DeliveryStatus
from hl_webhooks.domain.subscription import Status

d = deliveries
PENDING = DeliveryStatus.PENDING.value


async def queue(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert deliveries; one that exists for its (subscription, event) is left alone."""
    for chunk in in_chunks(list(rows)):
        await conn.execute(dialect_insert(conn.dialect, d).on_conflict_do_nothing(), chunk)


def _lapsed(now: datetime) -> Any:
    return or_(d.c.claimed_until.is_(None), d.c.claimed_until < now)


async def claim(
    conn: AsyncConnection,
    box: SecretBox,
    *,
    now: datetime,
    holder: str,
    until: datetime,
    room: Mapping[str, int],
    default_room: int,
    limit: int,
) -> list[Job]:
    """Claim up to `limit` due deliveries of active subscriptions, at most `room[s]` (else
    `default_room`) of subscription s; a subscription with no room is not even looked at."""
    full = [subscription for subscription, free in room.items() if free <= 0]
    query = (
        select(d.c.id, d.c.subscription_id)
        .join(subscriptions, subscriptions.c.id == d.c.subscription_id)
        .where(d.c.status == PENDING, d.c.next_attempt_at <= now, _lapsed(now))
        .where(subscriptions.c.status == Status.ACTIVE.value)
        .order_by(d.c.next_attempt_at)
        .limit(limit * 4)
    )
    if full:
        query = query.where(d.c.subscription_id.not_in(full))
    taken: Counter[str] = Counter()
    chosen: list[str] = []
    for delivery_id, subscription_id in await conn.execute(query):
        if len(chosen) < limit and taken[subscription_id] < room.get(subscription_id, default_room):
            chosen.append(delivery_id)
            taken[subscription_id] += 1
    if not chosen:
        return []
    won = update(d).where(d.c.id.in_(chosen), d.c.status == PENDING, _lapsed(now))
    claimed = list((await conn.scalars(won.values(claimed_by=holder, claimed_until=until).returning(d.c.id))).all())
    return await _jobs(conn, box, claimed, now) if claimed else []


async def _jobs(conn: AsyncConnection, box: SecretBox, ids: list[str], now: datetime) -> list[Job]:
    rows = list(await conn.execute(select(d).where(d.c.id.in_(ids)).order_by(d.c.next_attempt_at)))
    wanted = select(subscriptions).where(subscriptions.c.id.in_({row.subscription_id for row in rows}))
    subs = {row.id: subscription_of(row, box) for row in await conn.execute(wanted)}
    return [
        Job(
            delivery_id=row.id,
            subscription_id=row.subscription_id,
            owner_id=subs[row.subscription_id].owner.id,
            url=subs[row.subscription_id].url,
            event_id=row.event_id,
            body=row.body,
            attempts=row.attempts,
            window_started_at=row.window_started_at,
            signing_secrets=subs[row.subscription_id].signing_secrets(now),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Finish:
    """How an attempt ends the delivery's claim."""

    status: DeliveryStatus
    next_attempt_at: datetime | None = None


async def finish(
    conn: AsyncConnection, job: Job, result: AttemptResult, end: Finish, *, holder: str, started_at: datetime
) -> bool:
    """Record an attempt and its consequence; False if the claim was lost meanwhile (logged all the same)."""
    values: dict[str, Any] = {
        "status": end.status.value,
        "attempts": job.attempts + 1,
        "next_attempt_at": end.next_attempt_at,
        "window_started_at": job.window_started_at or started_at,
        "claimed_by": None,
        "claimed_until": None,
        "last_status_code": result.status_code,
        "last_error": result.summary,
        "last_latency_ms": result.latency_ms,
    }
    if end.status == DeliveryStatus.DELIVERED:
        values["delivered_at"] = started_at
    elif end.status == DeliveryStatus.PARKED:
        values["parked_at"] = started_at
    mine = d.c.id == job.delivery_id, d.c.claimed_by == holder, d.c.status == PENDING
    updated = (await conn.execute(update(d).where(*mine).values(values))).rowcount == 1
    outcome = {DeliveryStatus.DELIVERED: "delivered", DeliveryStatus.PARKED: "parked"}.get(end.status, "failed")
    await conn.execute(
        insert(delivery_attempts).values(
            delivery_id=job.delivery_id,
            number=job.attempts + 1,
            started_at=started_at,
            latency_ms=result.latency_ms,
            status_code=result.status_code,
            error=result.summary,
            outcome=outcome,
            replica=holder,
        )
    )
    return updated


async def release(conn: AsyncConnection, job: Job, *, holder: str, retry_at: datetime) -> None:
    """Hand a claimed delivery back without an attempt (its owner could not be checked)."""
    mine = d.c.id == job.delivery_id, d.c.claimed_by == holder, d.c.status == PENDING
    await conn.execute(update(d).where(*mine).values(claimed_by=None, claimed_until=None, next_attempt_at=retry_at))


def _view(row: Any) -> DeliveryView:
    return DeliveryView(
        id=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        last_latency_ms=row.last_latency_ms,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        parked_at=row.parked_at,
    )


async def page(
    conn: AsyncConnection, subscription_id: str, status: str | None, before: str | None, limit: int
) -> list[DeliveryView]:
    """A subscription's deliveries, newest first."""
    query = select(d).where(d.c.subscription_id == subscription_id).order_by(d.c.id.desc()).limit(limit)
    if status:
        query = query.where(d.c.status == status)
    if before:
        query = query.where(d.c.id < before)
    return [_view(row) for row in await conn.execute(query)]


async def get(conn: AsyncConnection, subscription_id: str, delivery_id: str) -> DeliveryView | None:
    query = select(d).where(d.c.id == delivery_id, d.c.subscription_id == subscription_id)
    row = (await conn.execute(query)).first()
    return _view(row) if row is not None else None


async def attempts_of(conn: AsyncConnection, delivery_id: str) -> list[AttemptView]:
    t = delivery_attempts
    query = select(t).where(t.c.delivery_id == delivery_id).order_by(t.c.number, t.c.id)
    return [
        AttemptView(row.number, row.started_at, row.latency_ms, row.status_code, row.error, row.outcome)
        for row in await conn.execute(query)
    ]


async def requeue(conn: AsyncConnection, delivery_id: str, now: datetime) -> None:
    """Send a parked (or delivered) delivery again, with a fresh retry window."""
    await conn.execute(
        update(d)
        .where(d.c.id == delivery_id)
        .values(
            status=PENDING,
            next_attempt_at=now,
            window_started_at=None,
            parked_at=None,
            delivered_at=None,
            claimed_by=None,
            claimed_until=None,
        )
    )
