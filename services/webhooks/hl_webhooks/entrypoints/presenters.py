"""Subscriptions and delivery rows as the public schemas show them."""

from __future__ import annotations

from hl_api.webhooks import AttemptPublic, DeliveryDetail, DeliveryPublic, WebhookCreated, WebhookPublic
from hl_webhooks.application.views import DeliveryLog, DeliveryView
from hl_webhooks.domain.subscription import Subscription


def webhook_public(sub: Subscription) -> WebhookPublic:
    return WebhookPublic(
        id=sub.id,
        url=sub.url,
        event_types=list(sub.event_types),
        region_code=sub.region_code,
        description=sub.description,
        status=sub.status.value,  # deleted ones are never shown
        owner_id=sub.owner.id,
        created_at=sub.created_at,
        updated_at=sub.updated_at,
        secret_rotated_at=sub.secret_rotated_at,
    )


def webhook_created(sub: Subscription) -> WebhookCreated:
    return WebhookCreated(**webhook_public(sub).model_dump(), secret=sub.secret)


def delivery_public(row: DeliveryView) -> DeliveryPublic:
    return DeliveryPublic(
        id=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        last_latency_ms=row.last_latency_ms,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        parked_at=row.parked_at,
    )


def delivery_detail(log: DeliveryLog) -> DeliveryDetail:
    attempts = [
        AttemptPublic(
            number=a.number,
            started_at=a.started_at,
            latency_ms=a.latency_ms,
            status_code=a.status_code,
            error=a.error,
            outcome=a.outcome,
        )
        for a in log.attempts
    ]
    return DeliveryDetail(**delivery_public(log.delivery).model_dump(), attempts_log=attempts)
