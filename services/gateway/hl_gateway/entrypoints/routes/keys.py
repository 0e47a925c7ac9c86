"""/api/v1/api-keys: an admin issues, lists and revokes keys for identities in its region."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.keys import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from hl_api.values import QueryBool
from hl_gateway.domain.access import Operation
from hl_gateway.domain.credentials import StoredKey
from hl_gateway.domain.reply import Reply
from hl_gateway.entrypoints.deps import GatewayDep, IdempotencyKey, allowed
from hl_gateway.entrypoints.docs import LOCAL_READ, LOCAL_WRITE, problems
from hl_gateway.entrypoints.relaying import RelayDep
from hl_platform.identity import Caller

router = APIRouter(prefix="/api-keys", tags=["identities"])
Admin = Annotated[Caller, allowed(Operation.MANAGE_KEYS)]
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


@router.post("", status_code=201, response_model=ApiKeyCreated, responses=LOCAL_WRITE, summary="Issue an API key")
async def issue_key(
    body: ApiKeyCreate, caller: Admin, gateway: GatewayDep, relay: RelayDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """A new key for an identity inside your region. The key is in this response only: keep it."""

    async def issue() -> Reply:
        stored, key = await gateway.keys.issue_for(caller, body.model_dump(), gateway.upstream)
        created = ApiKeyCreated(**public(stored).model_dump(), key=key)
        headers = {**JSON, "location": f"/api/v1/api-keys/{stored.id}"}
        return Reply(201, headers, created.model_dump_json().encode())

    return await relay.once(caller, idempotency_key, issue, redact=_without_secret)


@router.get("", response_model=Page[ApiKeyPublic], responses=LOCAL_READ, summary="List API keys")
async def list_keys(
    caller: Admin,
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


@router.delete(
    "/{key_id}",
    status_code=204,
    response_class=Response,
    responses=problems(401, 403, 404, 422, 429),
    summary="Revoke an API key",
)
async def revoke_key(
    key_id: Annotated[str, Path(min_length=1, max_length=64)], caller: Admin, gateway: GatewayDep
) -> Response:
    """The key stops working at once. Revoking again is harmless."""
    await gateway.keys.revoke_for(caller, key_id)
    return Response(status_code=204)
