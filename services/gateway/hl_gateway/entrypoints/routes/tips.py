"""/api/v1/tips: the officers' side of tip-offs (有奖举报), relayed to the tips service.

Scoped like hazards (the tips service answers a tip outside the caller's region as not found). A
command's Idempotency-Key and If-Match go on to the tips service, which keeps the key with the
tip's events; a verification or an enforcement action is also recorded in the hazard or enterprise
service, then linked to the tip (`TipOutcomes`), under the gateway's own Idempotency-Key guard.
The public side (no key) is `public_tips.py`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.enterprises import EnforcementActionCreate
from hl_api.evidence import DownloadLink
from hl_api.hazards import HistoryEntry
from hl_api.tips import (
    SECRET_HEADER,
    ClosureCreate,
    DuplicateLinkCreate,
    Empty,
    HazardDetails,
    IdentityPublic,
    IdentityViewCreate,
    RewardApprovalCreate,
    RewardPaymentCreate,
    RewardRulePublic,
    TipPublic,
    VerificationCreate,
)
from hl_contracts.vocabulary import RewardStatus, TipCategory, TipStatus
from hl_gateway.application.relay import Call
from hl_gateway.application.tip_outcomes import TipOutcomes
from hl_gateway.domain.access import Operation
from hl_gateway.entrypoints.deps import GatewayDep, IdempotencyKey, IfMatch, allowed
from hl_gateway.entrypoints.docs import READ, WRITE, problems
from hl_gateway.entrypoints.relaying import RelayDep, params, segment, to_response
from hl_platform.identity import Caller

router = APIRouter()
TipId = Annotated[str, Path(min_length=1, max_length=64, description="the tip's id")]
Reader = Annotated[Caller, allowed(Operation.READ_TIPS)]
Handler = Annotated[Caller, allowed(Operation.HANDLE_TIPS)]


async def send(
    gateway: GatewayDep,
    caller: Caller,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> Response:
    call = Call("tips", method, path, caller, params=query or {}, body=body, headers=headers or {})
    return to_response(await gateway.upstream.send(call))


def headers_for(**values: str | None) -> dict[str, str]:
    names = {"key": "Idempotency-Key", "secret": SECRET_HEADER, "if_match": "If-Match"}
    return {names[name]: value for name, value in values.items() if value is not None}


def _tip(tip_id: str, action: str = "") -> str:
    return f"/tips/{segment(tip_id)}" + (f"/{action}" if action else "")


@router.get("/tips", response_model=Page[TipPublic], responses=READ, tags=["tips"], summary="List tips (举报台账)")
async def list_tips(
    caller: Reader,
    gateway: GatewayDep,
    region_code: Annotated[str, Query(max_length=12, description="a region prefix inside yours")] = "",
    status: TipStatus | None = None,
    category: TipCategory | None = None,
    overdue: bool | None = None,
    reward_status: RewardStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Response:
    """Tips in your region, newest first; their facts and handling, never the tipster."""
    query = params(
        region_code=region_code or None,
        status=status,
        category=category,
        overdue=overdue,
        reward_status=reward_status,
        cursor=cursor,
        limit=limit,
    )
    return await send(gateway, caller, "GET", "/tips", query=query)


@router.get(
    "/tips/reward-rules", response_model=RewardRulePublic, responses=READ, tags=["tips"], summary="The reward rule"
)
async def reward_rule(
    caller: Reader,
    gateway: GatewayDep,
    region_code: Annotated[str, Query(max_length=12, description="default: your region")] = "",
) -> Response:
    """The rule in force for a region: the national rule with the region's own amounts (data)."""
    return await send(gateway, caller, "GET", "/tips/reward-rules", query=params(region_code=region_code or None))


@router.get("/tips/{tip_id}", response_model=TipPublic, responses=READ, tags=["tips"], summary="Read a tip")
async def get_tip(tip_id: TipId, caller: Reader, gateway: GatewayDep) -> Response:
    """The tip as it is now; its `ETag` is the version to send as `If-Match`."""
    return await send(gateway, caller, "GET", _tip(tip_id))


@router.get(
    "/tips/{tip_id}/history", response_model=list[HistoryEntry], responses=READ, tags=["tips"], summary="Tip history"
)
async def tip_history(tip_id: TipId, caller: Reader, gateway: GatewayDep) -> Response:
    """Every event of the tip: who did what, when; who read the identity and why (never what)."""
    return await send(gateway, caller, "GET", _tip(tip_id, "history"))


@router.get(
    "/tips/{tip_id}/photos/{photo_id}",
    response_class=Response,
    responses={
        200: {
            "description": "the photo",
            "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in ("image/jpeg", "image/png")},
        },
        **READ,
        **problems(503),  # the object store is away
    },
    tags=["tips"],
    summary="A photo of the tip",
)
async def tip_photo(
    tip_id: TipId,
    photo_id: Annotated[str, Path(min_length=1, max_length=64)],
    caller: Reader,
    gateway: GatewayDep,
) -> Response:
    """The photo's bytes, as stored (without their metadata)."""
    return await send(gateway, caller, "GET", _tip(tip_id, f"photos/{segment(photo_id)}"))


@router.get(
    "/tips/{tip_id}/photos/{photo_id}/download",
    response_model=DownloadLink,
    responses={**READ, **problems(503)},
    tags=["tips"],
    summary="A short-lived signed link to a photo of the tip",
)
async def tip_photo_link(
    tip_id: TipId,
    photo_id: Annotated[str, Path(min_length=1, max_length=64)],
    caller: Reader,
    gateway: GatewayDep,
) -> Response:
    """A presigned GET of the private photo bucket, valid for `HL_TIPS_PHOTO_LINK_TTL_S` (5 minutes)."""
    return await send(gateway, caller, "GET", _tip(tip_id, f"photos/{segment(photo_id)}/download"))


@router.post(
    "/tips/{tip_id}/identity-views",
    response_model=IdentityPublic,
    responses=WRITE,
    tags=["tips"],
    summary="Read the tipster's identity (the handler only; audited)",
)
async def view_identity(
    tip_id: TipId,
    body: IdentityViewCreate,
    caller: Annotated[Caller, allowed(Operation.READ_TIP_IDENTITY)],
    gateway: GatewayDep,
) -> Response:
    """For the inspector who took the tip up. The read is recorded (who, when, why) before it is
    answered; the answer is never stored or cached by the gateway."""
    content = body.model_dump_json().encode()
    response = await send(gateway, caller, "POST", _tip(tip_id, "identity-views"), body=content)
    response.headers["Cache-Control"] = "no-store"
    return response


def _relayed(path: str, summary: str, doc: str, body_type: type[Any], operation: Operation) -> None:
    """A tip command relayed as is; its Idempotency-Key and If-Match go on to the tips service."""

    async def handler(
        tip_id: TipId,
        body: Any,
        caller: Caller,
        gateway: GatewayDep,
        idempotency_key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ) -> Response:
        content = body.model_dump_json(exclude_unset=True).encode()
        headers = headers_for(key=idempotency_key, if_match=if_match)
        return await send(gateway, caller, "POST", _tip(tip_id, path), body=content, headers=headers)

    # Set here, not in the signature: with postponed annotations a closure's names cannot be resolved.
    handler.__annotations__["body"] = body_type
    handler.__annotations__["caller"] = Annotated[Caller, allowed(operation)]
    handler.__name__ = path.replace("-", "_")
    handler.__doc__ = doc
    router.add_api_route(
        f"/tips/{{tip_id}}/{path}",
        handler,
        methods=["POST"],
        response_model=TipPublic,
        responses=WRITE,
        tags=["tips"],
        summary=summary,
    )


_relayed(
    "take-up",
    "Take the tip up for handling",
    "You become its handler: the one who may read the identity.",
    Empty,
    Operation.HANDLE_TIPS,
)
_relayed(
    "closure",
    "Close the tip as unfounded (不予查实)",
    "With the reason, which the tipster is shown.",
    ClosureCreate,
    Operation.HANDLE_TIPS,
)
_relayed(
    "duplicate-link",
    "Link the tip to the earlier one it repeats",
    "Only the first reporter of a fact is rewarded; the tip then follows its original.",
    DuplicateLinkCreate,
    Operation.HANDLE_TIPS,
)
_relayed(
    "reward-computation",
    "Compute the reward by the region's rule",
    "From the finding and the fines linked to the tip; the inputs and each step are kept with the amount.",
    Empty,
    Operation.HANDLE_TIPS,
)
_relayed(
    "reward-approval",
    "Approve the reward",
    "A supervisor approves the computed amount.",
    RewardApprovalCreate,
    Operation.APPROVE_TIP_REWARDS,
)
_relayed(
    "reward-payment",
    "Record the reward paid (发放)",
    "An anonymous tip's reward is paid only once the tipster claimed it with the number and secret.",
    RewardPaymentCreate,
    Operation.PAY_TIP_REWARDS,
)
_relayed(
    "identity-erasure",
    "Erase the tipster's identity (crypto-shredding)",
    "For the handler or an admin: the identity's key is destroyed; the history and the figures stay.",
    Empty,
    Operation.HANDLE_TIPS,
)


@router.post(
    "/tips/{tip_id}/verification",
    response_model=TipPublic,
    responses=WRITE,
    tags=["tips"],
    summary="Verify the tip (查实), recording its hazard",
)
async def verify_tip(
    tip_id: TipId, body: VerificationCreate, caller: Handler, relay: RelayDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """The tip is true. A hazard finding also records the hazard (source `public_report`, the tip's
    enterprise) and links it; a concealed accident needs its grade and the concealed deaths."""
    outcomes = TipOutcomes(relay.gateway.upstream)
    return await relay.once(caller, idempotency_key, lambda: outcomes.verify(caller, tip_id, body, idempotency_key))


@router.post(
    "/tips/{tip_id}/hazard",
    response_model=TipPublic,
    responses=WRITE,
    tags=["tips"],
    summary="Record the verified tip's hazard (when that step failed)",
)
async def record_tip_hazard(
    tip_id: TipId, body: HazardDetails, caller: Handler, relay: RelayDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """For a tip verified as a hazard whose hazard is not recorded yet; if it is, the tip as it is."""
    outcomes = TipOutcomes(relay.gateway.upstream)
    return await relay.once(
        caller, idempotency_key, lambda: outcomes.record_hazard(caller, tip_id, body, idempotency_key)
    )


@router.post(
    "/tips/{tip_id}/enforcement-actions",
    response_model=TipPublic,
    responses=WRITE,
    tags=["tips"],
    summary="Record an enforcement action taken because of the tip",
)
async def record_tip_enforcement(
    tip_id: TipId,
    body: EnforcementActionCreate,
    caller: Annotated[Caller, allowed(Operation.RECORD_ENFORCEMENT)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """On the verified tip's enterprise (dispatch table section 三), linked to the tip: its fine is
    what a major hazard's or an illegal act's reward is computed from."""
    outcomes = TipOutcomes(relay.gateway.upstream)
    return await relay.once(caller, idempotency_key, lambda: outcomes.enforce(caller, tip_id, body, idempotency_key))
