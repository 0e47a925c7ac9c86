"""/api/v1/public/tips and /api/v1/tips: tip-offs from the public (有奖举报), relayed to the tips service.

The public routes take no key. They are limited per client address (tighter than keyed clients),
carry the tip's secret in the `Tip-Secret` header, and pass the `Idempotency-Key` on to the tips
service, which keeps it with the tip (the gateway keeps no copy of an answer holding a secret). The
officers' routes are scoped like hazards; a verification or an enforcement action is recorded in
the hazard or enterprise service too, then linked to the tip (`TipOutcomes`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.enterprises import EnforcementActionCreate
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
    TipCreate,
    TipPublic,
    TipReceipt,
    TipStatusPublic,
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
# The public routes' stand-in caller: a role that may do nothing (the tips service's public routes
# read no caller; its officer routes refuse this one).
PUBLIC = Caller(id="public", name="public", role="bureau")
PUBLIC_WRITE = problems(400, 404, 409, 413, 422, 429, 502, 503, 504)
PUBLIC_READ = problems(404, 422, 429, 502, 503, 504)
Number = Annotated[str, Path(min_length=4, max_length=40, pattern=r"^[A-Za-z0-9-]+$", description="举报编号")]
Secret = Annotated[str, Header(alias=SECRET_HEADER, min_length=1, max_length=64, description="the tip's secret")]
TipId = Annotated[str, Path(min_length=1, max_length=64, description="the tip's id")]
IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "description": "the photo's bytes (JPEG or PNG, at most 1 MB); EXIF and other metadata are removed",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in ("image/jpeg", "image/png")},
    }
}
Reader = Annotated[Caller, allowed(Operation.READ_TIPS)]
Handler = Annotated[Caller, allowed(Operation.HANDLE_TIPS)]


async def public_limit(request: Request, gateway: GatewayDep) -> None:
    """One token of the client address's bucket (these routes have no key to count by)."""
    gateway.public_limiter.take(f"address:{request.client.host if request.client else '?'}")


PublicLimited = Depends(public_limit)


async def _send(
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


def _headers(**values: str | None) -> dict[str, str]:
    names = {"key": "Idempotency-Key", "secret": SECRET_HEADER, "if_match": "If-Match"}
    return {names[name]: value for name, value in values.items() if value is not None}


def _public(number: str, action: str = "") -> str:
    return f"/public/tips/{segment(number)}" + (f"/{action}" if action else "")


def _tip(tip_id: str, action: str = "") -> str:
    return f"/tips/{segment(tip_id)}" + (f"/{action}" if action else "")


# --- public: no key ------------------------------------------------------------------------------


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
    return await _send(gateway, PUBLIC, "POST", "/public/tips", body=content, headers=_headers(key=idempotency_key))


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
    return await _send(gateway, PUBLIC, "GET", _public(number), headers=_headers(secret=secret))


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
    headers = _headers(secret=secret, key=idempotency_key)
    return await _send(gateway, PUBLIC, "POST", _public(number, "photos"), body=await request.body(), headers=headers)


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
    headers = _headers(secret=secret, key=idempotency_key)
    return await _send(gateway, PUBLIC, "POST", _public(number, "reward-claim"), headers=headers)


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
    headers = _headers(secret=secret, key=idempotency_key)
    return await _send(gateway, PUBLIC, "POST", _public(number, "identity-erasure"), headers=headers)


# --- officers --------------------------------------------------------------------------------------


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
    return await _send(gateway, caller, "GET", "/tips", query=query)


@router.get(
    "/tips/reward-rules", response_model=RewardRulePublic, responses=READ, tags=["tips"], summary="The reward rule"
)
async def reward_rule(
    caller: Reader,
    gateway: GatewayDep,
    region_code: Annotated[str, Query(max_length=12, description="default: your region")] = "",
) -> Response:
    """The rule in force for a region: the national rule with the region's own amounts (data)."""
    return await _send(gateway, caller, "GET", "/tips/reward-rules", query=params(region_code=region_code or None))


@router.get("/tips/{tip_id}", response_model=TipPublic, responses=READ, tags=["tips"], summary="Read a tip")
async def get_tip(tip_id: TipId, caller: Reader, gateway: GatewayDep) -> Response:
    """The tip as it is now; its `ETag` is the version to send as `If-Match`."""
    return await _send(gateway, caller, "GET", _tip(tip_id))


@router.get(
    "/tips/{tip_id}/history", response_model=list[HistoryEntry], responses=READ, tags=["tips"], summary="Tip history"
)
async def tip_history(tip_id: TipId, caller: Reader, gateway: GatewayDep) -> Response:
    """Every event of the tip: who did what, when; who read the identity and why (never what)."""
    return await _send(gateway, caller, "GET", _tip(tip_id, "history"))


@router.get(
    "/tips/{tip_id}/photos/{photo_id}",
    response_class=Response,
    responses={
        200: {
            "description": "the photo",
            "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in ("image/jpeg", "image/png")},
        },
        **READ,
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
    return await _send(gateway, caller, "GET", _tip(tip_id, f"photos/{segment(photo_id)}"))


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
    response = await _send(gateway, caller, "POST", _tip(tip_id, "identity-views"), body=content)
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
        headers = _headers(key=idempotency_key, if_match=if_match)
        return await _send(gateway, caller, "POST", _tip(tip_id, path), body=content, headers=headers)

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
