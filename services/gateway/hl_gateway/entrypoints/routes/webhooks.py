"""/api/v1/webhooks: subscribe URLs to events (relayed to the webhooks service), and the one
internal route the webhooks service calls back: whether a subscription's owner is still valid.

A webhook belongs to an API-key identity: revoking the key is what stops its deliveries (the
webhooks service asks `GET /internal/identities/{id}` before it sends, keeping the answer a few
seconds). A JWT identity cannot be revoked here, so it cannot subscribe.
"""

from __future__ import annotations

import hmac
import json
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response

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
from hl_gateway.application.relay import Call
from hl_gateway.domain.access import Operation
from hl_gateway.domain.errors import RoleNotPermitted, Unauthenticated
from hl_gateway.domain.reply import Reply
from hl_gateway.entrypoints.deps import GatewayDep, IdempotencyKey, allowed
from hl_gateway.entrypoints.docs import READ, WRITE, problems
from hl_gateway.entrypoints.relaying import RelayDep, params, segment, to_response
from hl_platform.errors import NotFound
from hl_platform.identity import TOKEN_HEADER, Caller

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
internal_router = APIRouter(prefix="/internal", include_in_schema=False)
Subscriber = Annotated[Caller, allowed(Operation.MANAGE_WEBHOOKS)]
WebhookId = Annotated[str, Path(min_length=1, max_length=64, description="the webhook's id")]
DeliveryId = Annotated[str, Path(min_length=1, max_length=64, description="the delivery's id")]
Cursor = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
SERVICE = "webhooks"


def _path(webhook_id: str, *rest: str) -> str:
    return "/".join([f"/webhooks/{segment(webhook_id)}", *rest])


def _without_secret(reply: Reply) -> Reply:
    """What an Idempotency-Key keeps of a created or rotated webhook: everything but the secret."""
    if reply.status >= 300:
        return reply
    body = json.loads(reply.body)
    body["secret"] = ""
    return Reply(reply.status, reply.headers, json.dumps(body).encode())


async def _relay_secret(relay: RelayDep, caller: Caller, path: str, body: bytes, key: str | None) -> Response:
    call = Call(SERVICE, "POST", path, caller, body=body)
    return await relay.once(caller, key, lambda: relay.gateway.upstream.send(call), redact=_without_secret)


@router.post("", status_code=201, response_model=WebhookCreated, responses=WRITE, summary="Subscribe a URL to events")
async def create_webhook(
    body: WebhookCreate,
    caller: Subscriber,
    gateway: GatewayDep,
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Deliver the named event types of a region inside yours to `url`, signed (see docs/webhooks.md).
    The signing secret is in this response only. Only an API-key identity may subscribe."""
    stored = await gateway.keys.store.get(caller.id)
    if stored is None or not stored.active or stored.caller() != caller:
        raise RoleNotPermitted(
            caller.role, "subscribe webhooks with a JWT: use an API key, whose revocation stops them"
        )
    content = body.model_dump_json(exclude_unset=True).encode()
    return await _relay_secret(relay, caller, "/webhooks", content, idempotency_key)


@router.get("", response_model=Page[WebhookPublic], responses=READ, summary="List webhooks")
async def list_webhooks(caller: Subscriber, relay: RelayDep, cursor: Cursor = None, limit: Limit = 50) -> Response:
    """Your subscriptions (an admin: every one in its region), oldest first; never their secrets."""
    return await relay.get(caller, SERVICE, "/webhooks", params(cursor=cursor, limit=limit))


@router.get("/{webhook_id}", response_model=WebhookPublic, responses=READ, summary="Read a webhook")
async def get_webhook(webhook_id: WebhookId, caller: Subscriber, relay: RelayDep) -> Response:
    """The subscription and its status (active, paused, revoked)."""
    return await relay.get(caller, SERVICE, _path(webhook_id))


@router.post("/{webhook_id}/pause", response_model=WebhookPublic, responses=WRITE, summary="Pause a webhook")
async def pause_webhook(
    webhook_id: WebhookId, caller: Subscriber, relay: RelayDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """Nothing is sent while paused; new events are queued and go out on resume."""
    call = Call(SERVICE, "POST", _path(webhook_id, "pause"), caller, body=b"{}")
    return await relay.once(caller, idempotency_key, lambda: relay.gateway.upstream.send(call))


@router.post("/{webhook_id}/resume", response_model=WebhookPublic, responses=WRITE, summary="Resume a webhook")
async def resume_webhook(
    webhook_id: WebhookId, caller: Subscriber, relay: RelayDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """Deliveries start again, the queued ones first. A revoked webhook cannot resume (409)."""
    call = Call(SERVICE, "POST", _path(webhook_id, "resume"), caller, body=b"{}")
    return await relay.once(caller, idempotency_key, lambda: relay.gateway.upstream.send(call))


@router.delete(
    "/{webhook_id}",
    status_code=204,
    response_class=Response,
    responses=problems(401, 403, 404, 422, 429, 502, 503, 504),
    summary="Delete a webhook",
)
async def delete_webhook(webhook_id: WebhookId, caller: Subscriber, relay: RelayDep) -> Response:
    """The subscription ends at once; its queued deliveries are cancelled."""
    return to_response(await relay.gateway.upstream.send(Call(SERVICE, "DELETE", _path(webhook_id), caller)))


@router.post(
    "/{webhook_id}/secret-rotation",
    response_model=WebhookSecretRotated,
    responses=WRITE,
    summary="Rotate the signing secret",
)
async def rotate_secret(
    webhook_id: WebhookId, caller: Subscriber, relay: RelayDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """A new secret, in this response only; until `previous_secret_expires_at` every delivery is
    signed with both, so receivers can switch without losing one."""
    return await _relay_secret(relay, caller, _path(webhook_id, "secret-rotation"), b"{}", idempotency_key)


@router.get("/{webhook_id}/deliveries", response_model=Page[DeliveryPublic], responses=READ, summary="The delivery log")
async def list_deliveries(
    webhook_id: WebhookId,
    caller: Subscriber,
    relay: RelayDep,
    status: DeliveryStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Response:
    """Each event's delivery, newest first: status, attempts, the latest answer and its latency."""
    query = params(status=status, cursor=cursor, limit=limit)
    return await relay.get(caller, SERVICE, _path(webhook_id, "deliveries"), query)


@router.get(
    "/{webhook_id}/deliveries/{delivery_id}", response_model=DeliveryDetail, responses=READ, summary="One delivery"
)
async def get_delivery(webhook_id: WebhookId, delivery_id: DeliveryId, caller: Subscriber, relay: RelayDep) -> Response:
    """The delivery with every attempt: when, the answer (or why none), how long it took."""
    return await relay.get(caller, SERVICE, _path(webhook_id, "deliveries", segment(delivery_id)))


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redelivery",
    response_model=DeliveryDetail,
    responses=WRITE,
    summary="Redeliver a parked event",
)
async def redeliver(
    webhook_id: WebhookId,
    delivery_id: DeliveryId,
    caller: Subscriber,
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Queue a parked (or already delivered) event again, with a fresh retry window."""
    path = _path(webhook_id, "deliveries", segment(delivery_id), "redelivery")
    call = Call(SERVICE, "POST", path, caller, body=b"{}")
    return await relay.once(caller, idempotency_key, lambda: relay.gateway.upstream.send(call))


@internal_router.get("/identities/{identity_id}")
async def identity_status(
    identity_id: Annotated[str, Path(min_length=1, max_length=120)],
    request: Request,
    gateway: GatewayDep,
    token: Annotated[str | None, Header(alias=TOKEN_HEADER)] = None,
) -> dict[str, object]:
    """Internal (services only, with the internal token): whether an API-key identity is active."""
    expected: str = request.app.state.settings.internal_token
    if token is None or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthenticated("internal routes accept calls from the services only")
    stored = await gateway.keys.store.get(identity_id)
    if stored is None:
        raise NotFound(f"no API key {identity_id}")
    return {"id": stored.id, "active": stored.active}
