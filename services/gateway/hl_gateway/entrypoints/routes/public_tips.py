"""/api/v1/public/tips: tip-offs from the public (有奖举报), without a key, relayed to the tips service.

They are limited per client address (tighter than keyed clients), carry the tip's secret in the
`Tip-Secret` header, and pass the `Idempotency-Key` on to the tips service, which keeps it with the
tip: the gateway keeps no copy of an answer that holds a secret.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request, Response

from hl_api.tips import SECRET_HEADER, TipCreate, TipReceipt, TipStatusPublic
from hl_gateway.entrypoints.deps import GatewayDep, IdempotencyKey
from hl_gateway.entrypoints.docs import problems
from hl_gateway.entrypoints.relaying import segment
from hl_gateway.entrypoints.routes.tips import headers_for, send
from hl_platform.identity import Caller

router = APIRouter()
# The public routes' stand-in caller: a role that may do nothing (the tips service's public routes
# read no caller; its officer routes refuse this one).
PUBLIC = Caller(id="public", name="public", role="bureau")
PUBLIC_WRITE = problems(400, 404, 409, 413, 422, 429, 502, 503, 504)
PUBLIC_READ = problems(404, 422, 429, 502, 503, 504)
Number = Annotated[str, Path(min_length=4, max_length=40, pattern=r"^[A-Za-z0-9-]+$", description="举报编号")]
Secret = Annotated[str, Header(alias=SECRET_HEADER, min_length=1, max_length=64, description="the tip's secret")]
IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "description": "the photo's bytes (JPEG or PNG, at most 1 MB); EXIF and other metadata are removed",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in ("image/jpeg", "image/png")},
    }
}


async def public_limit(request: Request, gateway: GatewayDep) -> None:
    """One token of the client address's bucket (these routes have no key to count by)."""
    gateway.public_limiter.take(f"address:{request.client.host if request.client else '?'}")


PublicLimited = Depends(public_limit)


def _public(number: str, action: str = "") -> str:
    return f"/public/tips/{segment(number)}" + (f"/{action}" if action else "")


@router.post(
    "/public/tips",
    status_code=201,
    response_model=TipReceipt,
    responses=PUBLIC_WRITE,
    tags=["tips (public)"],
    dependencies=[PublicLimited],
    summary="File a tip (举报), named or anonymous",
)
async def file_tip(body: TipCreate, gateway: GatewayDep, idempotency_key: IdempotencyKey = None) -> Response:
    """No account needed. The answer holds the tracking number and the secret, shown once: keep both
    to follow the tip and claim its reward. Omit `identity` to stay anonymous; a given identity is
    sealed at once and only the officer handling the tip can read it. A retry with the same
    Idempotency-Key returns the same tip with a new secret."""
    content = body.model_dump_json(exclude_unset=True).encode()
    return await send(gateway, PUBLIC, "POST", "/public/tips", body=content, headers=headers_for(key=idempotency_key))


@router.get(
    "/public/tips/{number}",
    response_model=TipStatusPublic,
    responses=PUBLIC_READ,
    tags=["tips (public)"],
    dependencies=[PublicLimited],
    summary="Follow a tip",
)
async def tip_status(number: Number, secret: Secret, gateway: GatewayDep) -> Response:
    """The tip's progress and, once approved, its reward. A wrong number or secret is 404."""
    return await send(gateway, PUBLIC, "GET", _public(number), headers=headers_for(secret=secret))


@router.post(
    "/public/tips/{number}/photos",
    status_code=201,
    response_model=TipStatusPublic,
    responses=PUBLIC_WRITE,
    tags=["tips (public)"],
    dependencies=[PublicLimited],
    openapi_extra=IMAGE_BODY,
    summary="Add a photo to a tip",
)
async def add_photo(
    number: Number, secret: Secret, request: Request, gateway: GatewayDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """A JPEG or PNG as the body; its type is read from the bytes and its metadata removed."""
    headers = headers_for(secret=secret, key=idempotency_key)
    return await send(gateway, PUBLIC, "POST", _public(number, "photos"), body=await request.body(), headers=headers)


@router.post(
    "/public/tips/{number}/reward-claim",
    response_model=TipStatusPublic,
    responses=PUBLIC_WRITE,
    tags=["tips (public)"],
    dependencies=[PublicLimited],
    summary="Claim the approved reward (申领奖励)",
)
async def claim_reward(
    number: Number, secret: Secret, gateway: GatewayDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """With the number and the secret; an anonymous tip's reward is paid only against this claim."""
    headers = headers_for(secret=secret, key=idempotency_key)
    return await send(gateway, PUBLIC, "POST", _public(number, "reward-claim"), headers=headers)


@router.post(
    "/public/tips/{number}/identity-erasure",
    response_model=TipStatusPublic,
    responses=PUBLIC_WRITE,
    tags=["tips (public)"],
    dependencies=[PublicLimited],
    summary="Erase my identity from the tip",
)
async def erase_own_identity(
    number: Number, secret: Secret, gateway: GatewayDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """Destroys the key of your sealed identity: nobody can read it again; the tip goes on."""
    headers = headers_for(secret=secret, key=idempotency_key)
    return await send(gateway, PUBLIC, "POST", _public(number, "identity-erasure"), headers=headers)
