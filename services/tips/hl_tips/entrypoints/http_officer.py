"""The tips service's routes for officers (callers vouched for by the gateway), scoped by region."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.evidence import DownloadLink
from hl_api.hazards import HistoryEntry
from hl_api.tips import (
    ClosureCreate,
    DuplicateLinkCreate,
    Empty,
    EnforcementLink,
    HazardLink,
    IdentityPublic,
    IdentityViewCreate,
    RewardApprovalCreate,
    RewardPaymentCreate,
    RewardRulePublic,
    TipPublic,
    TipVerification,
)
from hl_contracts.vocabulary import RewardStatus, TipCategory, TipStatus
from hl_platform.identity import Caller, CallerDep
from hl_tips.application.handling import Command
from hl_tips.application.ports import Filters
from hl_tips.domain import commands
from hl_tips.entrypoints.deps import IdempotencyKey, IfMatch, ServiceDep, once_for, parse_if_match

router = APIRouter(prefix="/tips", tags=["tips"])
INTERNAL = {"x-internal": True}  # called by the gateway as a step of a public route, never forwarded as is


@router.get("", summary="List tips (举报台账)")
async def list_tips(
    caller: CallerDep,
    service: ServiceDep,
    region_code: str = "",
    status: TipStatus | None = None,
    category: TipCategory | None = None,
    overdue: bool | None = None,
    reward_status: RewardStatus | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Page[dict[str, Any]]:
    filters = Filters(
        region_code=region_code,
        status=status.value if status else None,
        category=category.value if category else None,
        overdue=overdue,
        reward_status=reward_status.value if reward_status else None,
    )
    items, next_cursor = await service.handling.list(caller, filters, cursor, limit)
    return Page(items=items, next_cursor=next_cursor)


@router.get("/reward-rules", summary="The reward rule in force for a region")
async def reward_rule(caller: CallerDep, service: ServiceDep, region_code: str = "") -> RewardRulePublic:
    return service.handling.rule(caller, region_code)


@router.get("/{tip_id}", summary="Read a tip")
async def get_tip(tip_id: str, caller: CallerDep, service: ServiceDep, response: Response) -> TipPublic:
    view = await service.handling.get(caller, tip_id)
    response.headers["ETag"] = f'"{view.version}"'
    return view


@router.get("/{tip_id}/history", summary="The tip's event history")
async def tip_history(tip_id: str, caller: CallerDep, service: ServiceDep) -> list[HistoryEntry]:
    events = await service.handling.history(caller, tip_id)
    return [
        HistoryEntry(
            version=e.sequence,
            event_id=e.id,
            type=e.type,
            occurred_at=e.time,
            recorded_at=e.recordedtime,
            actor=e.actor.model_dump(),
            data=e.data,
        )
        for e in events
    ]


@router.get("/{tip_id}/photos/{photo_id}", summary="A photo of the tip", response_class=Response)
async def tip_photo(tip_id: str, photo_id: str, caller: CallerDep, service: ServiceDep) -> Response:
    data, content_type = await service.handling.photo(caller, tip_id, photo_id)
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, no-store"})


@router.get("/{tip_id}/photos/{photo_id}/download", summary="A short-lived signed link to a photo of the tip")
async def tip_photo_link(tip_id: str, photo_id: str, caller: CallerDep, service: ServiceDep) -> DownloadLink:
    """A presigned GET of the private photo bucket, valid for `HL_TIPS_PHOTO_LINK_TTL_S` (5 minutes)."""
    return await service.handling.photo_link(caller, tip_id, photo_id)


@router.post("/{tip_id}/identity-views", summary="Read the tipster's identity (handler only, audited)")
async def view_identity(
    tip_id: str, body: IdentityViewCreate, caller: CallerDep, service: ServiceDep
) -> IdentityPublic:
    identity = await service.handling.view_identity(caller, tip_id, commands.ViewIdentity(purpose=body.purpose))
    return identity


async def _run(
    request: Request,
    response: Response,
    service: ServiceDep,
    caller: Caller,
    tip_id: str,
    command: Command,
    key: str | None,
    if_match: str | None,
) -> TipPublic:
    once = await once_for(caller.id, request, key)
    view = await service.handling.execute(caller, tip_id, command, parse_if_match(if_match), once)
    response.headers["ETag"] = f'"{view.version}"'
    return view


def _route(path: str, summary: str, body_type: type[Any], to_command: Any, **extra: Any) -> None:
    async def handler(
        tip_id: str,
        body: Any,
        request: Request,
        response: Response,
        caller: CallerDep,
        service: ServiceDep,
        idempotency_key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ) -> TipPublic:
        return await _run(request, response, service, caller, tip_id, to_command(body), idempotency_key, if_match)

    handler.__annotations__["body"] = body_type
    handler.__name__ = path.replace("-", "_")
    router.add_api_route(f"/{{tip_id}}/{path}", handler, methods=["POST"], summary=summary, **extra)


_route("take-up", "Take the tip up for handling", Empty, lambda b: commands.TakeUp())
_route("verification", "Verify the tip (查实)", TipVerification, lambda b: commands.Verify(**b.model_dump()))
_route(
    "hazard-link",
    "Link the hazard recorded for the tip",
    HazardLink,
    lambda b: commands.LinkHazard(**b.model_dump()),
    openapi_extra=INTERNAL,
)
_route(
    "enforcement-link",
    "Link an enforcement action taken because of the tip",
    EnforcementLink,
    lambda b: commands.LinkEnforcement(**b.model_dump()),
    openapi_extra=INTERNAL,
)
_route("closure", "Close the tip as unfounded", ClosureCreate, lambda b: commands.CloseUnfounded(**b.model_dump()))
_route(
    "duplicate-link",
    "Link the tip to the earlier tip it repeats",
    DuplicateLinkCreate,
    lambda b: commands.LinkDuplicate(**b.model_dump()),
)
_route("reward-computation", "Compute the reward by the region's rule", Empty, lambda b: commands.ComputeReward())
_route(
    "reward-approval", "Approve the reward", RewardApprovalCreate, lambda b: commands.ApproveReward(**b.model_dump())
)
_route("reward-payment", "Record the reward paid", RewardPaymentCreate, lambda b: commands.PayReward(**b.model_dump()))
_route(
    "identity-erasure",
    "Erase the tipster's identity (crypto-shredding)",
    Empty,
    lambda b: commands.EraseIdentity(requested_by="officer"),
)
