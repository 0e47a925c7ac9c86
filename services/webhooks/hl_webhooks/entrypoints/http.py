"""The webhooks service's internal HTTP API: the public paths and bodies, called by the gateway."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.webhooks import (
    DeliveryDetail,
    DeliveryPublic,
    DeliveryStatus,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
    WebhookSecretRotated,
)
from hl_platform.cursors import decode_cursor, encode_cursor
from hl_platform.identity import CallerDep
from hl_webhooks.application.subscriptions import SubscriptionService
from hl_webhooks.domain.commands import SubscribeWebhook
from hl_webhooks.entrypoints.presenters import delivery_detail, delivery_public, webhook_created, webhook_public

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


async def subscription_service(request: Request) -> SubscriptionService:  # async: no worker thread
    service: SubscriptionService = request.app.state.subscriptions
    return service


ServiceDep = Annotated[SubscriptionService, Depends(subscription_service)]
WebhookId = Annotated[str, Path(min_length=1, max_length=64)]
DeliveryId = Annotated[str, Path(min_length=1, max_length=64)]
Cursor = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@router.post("", status_code=201, response_model=WebhookCreated, summary="Subscribe a URL")
async def create_webhook(
    body: WebhookCreate, caller: CallerDep, service: ServiceDep, response: Response
) -> WebhookCreated:
    """A new subscription; the signing secret is in this answer only."""
    command = SubscribeWebhook(body.url, tuple(body.event_types), body.region_code, body.description)
    sub = await service.create(caller, command)
    response.headers["Location"] = f"/webhooks/{sub.id}"
    return webhook_created(sub)


@router.get("", response_model=Page[WebhookPublic], summary="List webhooks")
async def list_webhooks(
    caller: CallerDep, service: ServiceDep, cursor: Cursor = None, limit: Limit = 50
) -> Page[WebhookPublic]:
    """Your subscriptions (an admin: those in its region), oldest first."""
    subs = await service.page(caller, decode_cursor(cursor) if cursor else None, limit + 1)
    more = len(subs) > limit
    return Page(
        items=[webhook_public(s) for s in subs[:limit]], next_cursor=encode_cursor(subs[limit - 1].id) if more else None
    )


@router.get("/{webhook_id}", response_model=WebhookPublic, summary="Read a webhook")
async def get_webhook(webhook_id: WebhookId, caller: CallerDep, service: ServiceDep) -> WebhookPublic:
    """The subscription, without its secret."""
    return webhook_public(await service.get(caller, webhook_id))


@router.post("/{webhook_id}/pause", response_model=WebhookPublic, summary="Pause deliveries")
async def pause_webhook(webhook_id: WebhookId, caller: CallerDep, service: ServiceDep) -> WebhookPublic:
    """Stop sending; new events are still queued and go out on resume."""
    return webhook_public(await service.pause(caller, webhook_id))


@router.post("/{webhook_id}/resume", response_model=WebhookPublic, summary="Resume deliveries")
async def resume_webhook(webhook_id: WebhookId, caller: CallerDep, service: ServiceDep) -> WebhookPublic:
    """Send again, the queue first."""
    return webhook_public(await service.resume(caller, webhook_id))


@router.delete("/{webhook_id}", status_code=204, response_class=Response, summary="Delete a webhook")
async def delete_webhook(webhook_id: WebhookId, caller: CallerDep, service: ServiceDep) -> Response:
    """The subscription ends; what it had queued is cancelled."""
    await service.delete(caller, webhook_id)
    return Response(status_code=204)


@router.post("/{webhook_id}/secret-rotation", response_model=WebhookSecretRotated, summary="Rotate the secret")
async def rotate_secret(webhook_id: WebhookId, caller: CallerDep, service: ServiceDep) -> WebhookSecretRotated:
    """A new signing secret, shown once; the old one also signs until `previous_secret_expires_at`."""
    sub = await service.rotate_secret(caller, webhook_id)
    assert sub.previous_secret_expires_at is not None
    return WebhookSecretRotated(id=sub.id, secret=sub.secret, previous_secret_expires_at=sub.previous_secret_expires_at)


@router.get("/{webhook_id}/deliveries", response_model=Page[DeliveryPublic], summary="The delivery log")
async def list_deliveries(
    webhook_id: WebhookId,
    caller: CallerDep,
    service: ServiceDep,
    status: DeliveryStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[DeliveryPublic]:
    """Deliveries of this webhook, newest first: status, attempts, the latest answer and latency."""
    rows = await service.deliveries(caller, webhook_id, status, decode_cursor(cursor) if cursor else None, limit + 1)
    more = len(rows) > limit
    items = [delivery_public(row) for row in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(rows[limit - 1].id) if more else None)


@router.get("/{webhook_id}/deliveries/{delivery_id}", response_model=DeliveryDetail, summary="One delivery")
async def get_delivery(
    webhook_id: WebhookId, delivery_id: DeliveryId, caller: CallerDep, service: ServiceDep
) -> DeliveryDetail:
    """The delivery with every attempt made."""
    return delivery_detail(await service.delivery(caller, webhook_id, delivery_id))


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redelivery", response_model=DeliveryDetail, summary="Redeliver an event"
)
async def redeliver(
    webhook_id: WebhookId, delivery_id: DeliveryId, caller: CallerDep, service: ServiceDep
) -> DeliveryDetail:
    """Queue a parked (or delivered) event again, with a fresh retry window; 409 for any other."""
    return delivery_detail(await service.redeliver(caller, webhook_id, delivery_id))
