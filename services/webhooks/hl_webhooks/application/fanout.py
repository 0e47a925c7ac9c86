"""Events → deliveries: the stream consumer's projection (inside `ConsumerRunner`'s transaction).

For each event of a fetched batch, one delivery row per subscription that wants it, inserted in
the transaction that records the consumer's progress, then acked. So the stream never waits for a
receiver (nothing here goes over the network), a crash before the commit redelivers the batch,
and a redelivered message queues nothing twice (the row is unique per subscription and event).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent
from hl_platform.ids import new_id
from hl_webhooks.adapters import delivery_store, subscription_store
from hl_webhooks.adapters.secret_box import SecretBox
from hl_webhooks.domain.attempts import DeliveryStatus
from hl_webhooks.domain.subscription import Subscription


def delivery_row(subscription: Subscription, event: CloudEvent, now: datetime) -> dict[str, Any]:
    return {
        "id": new_id(),
        "subscription_id": subscription.id,
        "event_id": event.id,
        "event_type": event.type,
        "body": event.to_json().decode(),
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


class FanOut:
    def __init__(self, box: SecretBox) -> None:
        self.box = box

    async def apply(self, conn: AsyncConnection, event: CloudEvent) -> None:
        await self.apply_all(conn, [event])

    async def apply_all(self, conn: AsyncConnection, events: Sequence[CloudEvent]) -> None:
        subscriptions = await subscription_store.queueing(conn, self.box)
        if not subscriptions:
            return
        now = datetime.now(UTC)
        rows = [delivery_row(sub, event, now) for event in events for sub in subscriptions if sub.wants(event)]
        if rows:
            await delivery_store.queue(conn, rows)
