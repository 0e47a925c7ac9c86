"""/api/v1/api-keys: an admin issues, lists and revokes keys for identities in its region."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Path, Query, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.keys import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from hl_api.values import QueryBool
from hl_gateway.domain.access import Operation
from hl_gateway.domain.credentials import StoredKey
from hl_gateway.domain.reply import Reply
from hl_gateway.entrypoints.deps import GatewayDep, IdempotencyKey
from hl_gateway.entrypoints.docs import LOCAL_READ, LOCAL_WRITE, problems
from hl_gateway.entrypoints.forwarding import ForwardDep
from hl_gateway.entrypoints.routes.spec import Route
from hl_platform.identity import Caller

JSON = {"content-type": "application/json"}


def public(key: StoredKey) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=key.id,
        prefix=key.prefix,
        **key.identity.model_dump(),
        created_at=key.created_at,
        created_by=key.created_by,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


def _without_secret(reply: Reply) -> Reply:
    """What an Idempotency-Key keeps of an issued key: everything but the key itself."""
    body = json.loads(reply.body)
    body["key"] = ""
    return Reply(reply.status, reply.headers, json.dumps(body).encode())


async def issue_key(
    body: ApiKeyCreate, caller: Caller, gateway: GatewayDep, forward: ForwardDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """A new key for an identity inside your region. The key is in this response only: keep it."""

    async def issue() -> Reply:
        stored, key = await gateway.keys.issue_for(caller, body.model_dump(), gateway.upstream)
        created = ApiKeyCreated(**public(stored).model_dump(), key=key)
        headers = {**JSON, "location": f"/api/v1/api-keys/{stored.id}"}
        return Reply(201, headers, created.model_dump_json().encode())

    return await forward.once(caller, idempotency_key, issue, redact=_without_secret)


async def list_keys(
    caller: Caller,
    gateway: GatewayDep,
    cursor: Annotated[
        str | None, Query(pattern=r"^[A-Za-z0-9_.:-]{1,64}$", description="next_cursor of the page before")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    include_revoked: QueryBool = False,
) -> Page[ApiKeyPublic]:
    """Keys of identities in your region, oldest first; never the keys themselves."""
    keys = await gateway.keys.list_for(caller, cursor, limit + 1, include_revoked)
    next_cursor = keys[limit - 1].id if len(keys) > limit else None
    return Page(items=[public(key) for key in keys[:limit]], next_cursor=next_cursor)


async def revoke_key(
    key_id: Annotated[str, Path(min_length=1, max_length=64)], caller: Caller, gateway: GatewayDep
) -> Response:
    """The key stops working at once. Revoking again is harmless."""
    await gateway.keys.revoke_for(caller, key_id)
    return Response(status_code=204)


def _keys(name: str, method: str, path: str, summary: str, **metadata: Any) -> Route:
    return Route(name, method, path, "identities", summary, "", Operation.MANAGE_KEYS, **metadata)


ROUTES = (
    _keys(
        "issue_key",
        "POST",
        "/api-keys",
        "Issue an API key",
        status=201,
        response_model=ApiKeyCreated,
        responses=LOCAL_WRITE,
        endpoint=issue_key,
    ),
    _keys(
        "list_keys",
        "GET",
        "/api-keys",
        "List API keys",
        response_model=Page[ApiKeyPublic],
        responses=LOCAL_READ,
        endpoint=list_keys,
    ),
    _keys(
        "revoke_key",
        "DELETE",
        "/api-keys/{key_id}",
        "Revoke an API key",
        status=204,
        responses=problems(401, 403, 404, 422, 429),
        endpoint=revoke_key,
    ),
)
