"""The tips service's public routes (no account; the gateway rate-limits them by address).

The tracking number is in the path and the secret in the `Tip-Secret` header, never in a URL that
proxies and logs keep.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from hl_api.tips import TipCreate, TipReceipt, TipStatusPublic
from hl_tips.domain.commands import FileTip
from hl_tips.domain.identity import Identity
from hl_tips.entrypoints.deps import (
    PUBLIC_CLIENT,
    REPLAY_HEADER,
    IdempotencyKey,
    Secret,
    ServiceDep,
    from_gateway,
    once_for,
)

router = APIRouter(prefix="/public/tips", tags=["tips (public)"], dependencies=[Depends(from_gateway)])
Number = Annotated[str, Path(min_length=4, max_length=40, description="the tip's tracking number (举报编号)")]


def _command(body: TipCreate) -> FileTip:
    identity = Identity.from_dict(body.identity.model_dump()) if body.identity is not None else None
    return FileTip(**body.model_dump(exclude={"identity"}), identity=identity)


@router.post("", status_code=201, summary="File a tip (举报)")
async def file_tip(
    body: TipCreate, request: Request, response: Response, service: ServiceDep, idempotency_key: IdempotencyKey = None
) -> TipReceipt:
    """The tracking number and the secret, shown once; a retry with the same Idempotency-Key gets the
    same tip again, with a new secret (the first one is not kept)."""
    filed = await service.intake.file(_command(body), await once_for(PUBLIC_CLIENT, request, idempotency_key))
    if filed.replayed:
        response.headers[REPLAY_HEADER] = "true"
    return filed.receipt


@router.get("/{number}", summary="Follow a tip")
async def tip_status(number: Number, secret: Secret, service: ServiceDep) -> TipStatusPublic:
    return await service.intake.status(number, secret)


@router.post("/{number}/photos", status_code=201, summary="Add a photo (JPEG or PNG)")
async def add_photo(
    number: Number, secret: Secret, request: Request, service: ServiceDep, idempotency_key: IdempotencyKey = None
) -> TipStatusPublic:
    """The raw image as the body; its metadata (EXIF, GPS) is removed before it is stored."""
    once = await once_for(PUBLIC_CLIENT, request, idempotency_key)
    return await service.intake.add_photo(number, secret, await request.body(), once)


@router.post("/{number}/reward-claim", summary="Claim the approved reward (申领奖励)")
async def claim_reward(
    number: Number, secret: Secret, request: Request, service: ServiceDep, idempotency_key: IdempotencyKey = None
) -> TipStatusPublic:
    return await service.intake.claim(number, secret, await once_for(PUBLIC_CLIENT, request, idempotency_key))


@router.post("/{number}/identity-erasure", summary="Erase my identity from the tip")
async def erase_identity(
    number: Number, secret: Secret, request: Request, service: ServiceDep, idempotency_key: IdempotencyKey = None
) -> TipStatusPublic:
    """The key of the sealed identity is destroyed: nobody can read it again; the tip's history stays."""
    return await service.intake.erase(number, secret, await once_for(PUBLIC_CLIENT, request, idempotency_key))
