"""/api/v1/webhooks: subscribe URLs to events (forwarded to the webhooks service), and the one
internal route the webhooks service calls back: whether a subscription's owner is still valid.

A webhook belongs to an API-key identity: revoking the key is what stops its deliveries (the
webhooks service asks `GET /internal/identities/{id}` before it sends, keeping the answer a few
seconds). A JWT identity cannot be revoked here, so it cannot subscribe. The webhooks service
keeps no Idempotency-Key: the gateway's copy (without the secret) answers a retry.
"""

from __future__ import annotations

import hmac
import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response

from hl_api.common import Page
from hl_api.webhooks import (
    DeliveryDetail,
    DeliveryPublic,
    DeliveryStatus,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
    WebhookSecretRotated,
)
from hl_gateway.application.forward import Call
from hl_gateway.domain.access import Operation
from hl_gateway.domain.errors import RoleNotPermitted, Unauthenticated
from hl_gateway.domain.reply import Reply
from hl_gateway.entrypoints.deps import GatewayDep, IdempotencyKey
from hl_gateway.entrypoints.docs import READ, WRITE, problems
from hl_gateway.entrypoints.forwarding import ForwardDep
from hl_gateway.entrypoints.routes.params import WEBHOOK, an_id, page
from hl_gateway.entrypoints.routes.spec import Idempotency, Route, Upstream, query
from hl_platform.errors import NotFound
from hl_platform.identity import TOKEN_HEADER, Caller

internal_router = APIRouter(prefix="/internal", include_in_schema=False)
SERVICE = "webhooks"
ONE = "/webhooks/{webhook_id}"
DELIVERY = {**WEBHOOK, "delivery_id": an_id("delivery")}


def _without_secret(reply: Reply) -> Reply:
    """What an Idempotency-Key keeps of a created or rotated webhook: everything but the secret."""
    if reply.status >= 300:
        return reply
    body = json.loads(reply.body)
    body["secret"] = ""
    return Reply(reply.status, reply.headers, json.dumps(body).encode())


async def create_webhook(
    body: WebhookCreate,
    caller: Caller,
    gateway: GatewayDep,
    forward: ForwardDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Deliver the named event types of a region inside yours to `url`, signed (see docs/webhooks.md).
    The signing secret is in this response only. Only an API-key identity may subscribe."""
    stored = await gateway.keys.store.get(caller.id)
    if stored is None or not stored.active or stored.caller() != caller:
        raise RoleNotPermitted(
            caller.role, "subscribe webhooks with a JWT: use an API key, whose revocation stops them"
        )
    call = Call(SERVICE, "POST", "/webhooks", caller, body=body.model_dump_json(exclude_unset=True).encode())
    return await forward.once(caller, idempotency_key, lambda: gateway.upstream.send(call), redact=_without_secret)


def _webhook(name: str, method: str, path: str, summary: str, doc: str, **metadata: Any) -> Route:
    params = DELIVERY if "{delivery_id}" in path else WEBHOOK if "{webhook_id}" in path else {}
    writes = method == "POST"
    defaults: dict[str, Any] = {"responses": WRITE if writes else READ, "path_params": params}
    if writes:
        defaults["idempotency"] = Idempotency.GATEWAY
    return Route(
        name,
        method,
        path,
        "webhooks",
        summary,
        doc,
        Operation.MANAGE_WEBHOOKS,
        Upstream(SERVICE, path),
        **{**defaults, **metadata},
    )


ROUTES = (
    Route(
        "create_webhook",
        "POST",
        "/webhooks",
        "webhooks",
        "Subscribe a URL to events",
        "",
        Operation.MANAGE_WEBHOOKS,
        Upstream(SERVICE, "/webhooks"),
        status=201,
        response_model=WebhookCreated,
        responses=WRITE,
        endpoint=create_webhook,
    ),
    _webhook(
        "list_webhooks",
        "GET",
        "/webhooks",
        "List webhooks",
        "Your subscriptions (an admin: every one in its region), oldest first; never their secrets.",
        response_model=Page[WebhookPublic],
        query=page(),
    ),
    _webhook(
        "get_webhook",
        "GET",
        ONE,
        "Read a webhook",
        "The subscription and its status (active, paused, revoked).",
        response_model=WebhookPublic,
    ),
    _webhook(
        "pause_webhook",
        "POST",
        ONE + "/pause",
        "Pause a webhook",
        "Nothing is sent while paused; new events are queued and go out on resume.",
        response_model=WebhookPublic,
    ),
    _webhook(
        "resume_webhook",
        "POST",
        ONE + "/resume",
        "Resume a webhook",
        "Deliveries start again, the queued ones first. A revoked webhook cannot resume (409).",
        response_model=WebhookPublic,
    ),
    _webhook(
        "delete_webhook",
        "DELETE",
        ONE,
        "Delete a webhook",
        "The subscription ends at once; its queued deliveries are cancelled.",
        status=204,
        responses=problems(401, 403, 404, 422, 429, 502, 503, 504),
    ),
    _webhook(
        "rotate_secret",
        "POST",
        ONE + "/secret-rotation",
        "Rotate the signing secret",
        """A new secret, in this response only; until `previous_secret_expires_at` every delivery is
    signed with both, so receivers can switch without losing one.""",
        response_model=WebhookSecretRotated,
        redact=_without_secret,
    ),
    _webhook(
        "list_deliveries",
        "GET",
        ONE + "/deliveries",
        "The delivery log",
        "Each event's delivery, newest first: status, attempts, the latest answer and its latency.",
        response_model=Page[DeliveryPublic],
        query=(query("status", DeliveryStatus | None, None), *page()),
    ),
    _webhook(
        "get_delivery",
        "GET",
        ONE + "/deliveries/{delivery_id}",
        "One delivery",
        "The delivery with every attempt: when, the answer (or why none), how long it took.",
        response_model=DeliveryDetail,
    ),
    _webhook(
        "redeliver",
        "POST",
        ONE + "/deliveries/{delivery_id}/redelivery",
        "Redeliver a parked event",
        "Queue a parked (or already delivered) event again, with a fresh retry window.",
        response_model=DeliveryDetail,
    ),
)


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
