"""/api/v1/tips: the officers' side of tip-offs (有奖举报), forwarded to the tips service.

Scoped like hazards (the tips service answers a tip outside the caller's region as not found). A
command's Idempotency-Key and If-Match go on to the tips service, which keeps the key with the
tip's events; a verification or an enforcement action is also recorded in the hazard or enterprise
service, then linked to the tip (`TipOutcomes`), under the gateway's own Idempotency-Key guard.
The public side (no key) is `public_tips.py`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Response
from pydantic import BaseModel

from hl_api.common import Page
from hl_api.enterprises import EnforcementActionCreate
from hl_api.evidence import DownloadLink
from hl_api.hazards import HistoryEntry
from hl_api.tips import (
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
from hl_gateway.application.tip_outcomes import TipOutcomes
from hl_gateway.domain.access import Operation
from hl_gateway.entrypoints.deps import IdempotencyKey
from hl_gateway.entrypoints.docs import READ, WRITE, problems
from hl_gateway.entrypoints.forwarding import ForwardDep
from hl_gateway.entrypoints.routes.params import REGION_PREFIX, TIP, page
from hl_gateway.entrypoints.routes.spec import Idempotency, Route, Upstream, query
from hl_platform.identity import Caller

TipId = Annotated[str, Path(min_length=1, max_length=64, description="the tip's id")]
ONE = "/tips/{tip_id}"
PHOTO = {**TIP, "photo_id": Annotated[str, Path(min_length=1, max_length=64)]}
IMAGE = {
    200: {
        "description": "the photo",
        "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in ("image/jpeg", "image/png")},
    },
    **READ,
    **problems(503),  # the object store is away
}


async def verify_tip(
    tip_id: TipId, body: VerificationCreate, caller: Caller, forward: ForwardDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """The tip is true. A hazard finding also records the hazard (source `public_report`, the tip's
    enterprise) and links it; a concealed accident needs its grade and the concealed deaths."""
    outcomes = TipOutcomes(forward.gateway.upstream)
    return await forward.once(caller, idempotency_key, lambda: outcomes.verify(caller, tip_id, body, idempotency_key))


async def record_tip_hazard(
    tip_id: TipId, body: HazardDetails, caller: Caller, forward: ForwardDep, idempotency_key: IdempotencyKey = None
) -> Response:
    """For a tip verified as a hazard whose hazard is not recorded yet; if it is, the tip as it is."""
    outcomes = TipOutcomes(forward.gateway.upstream)
    return await forward.once(
        caller, idempotency_key, lambda: outcomes.record_hazard(caller, tip_id, body, idempotency_key)
    )


async def record_tip_enforcement(
    tip_id: TipId,
    body: EnforcementActionCreate,
    caller: Caller,
    forward: ForwardDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """On the verified tip's enterprise (dispatch table section 三), linked to the tip: its fine is
    what a major hazard's or an illegal act's reward is computed from."""
    outcomes = TipOutcomes(forward.gateway.upstream)
    return await forward.once(caller, idempotency_key, lambda: outcomes.enforce(caller, tip_id, body, idempotency_key))


def _read(name: str, path: str, summary: str, doc: str, **metadata: Any) -> Route:
    params = PHOTO if "{photo_id}" in path else TIP if "{tip_id}" in path else {}
    defaults: dict[str, Any] = {"responses": READ, "path_params": params}
    return Route(
        name, "GET", path, "tips", summary, doc, Operation.READ_TIPS, Upstream("tips", path), **defaults | metadata
    )


def _command(action: str, summary: str, doc: str, body: type[BaseModel], permission: Operation) -> Route:
    """A tip command forwarded as is; its Idempotency-Key and If-Match go on to the tips service."""
    path = f"{ONE}/{action}"
    return Route(
        action.replace("-", "_"),
        "POST",
        path,
        "tips",
        summary,
        doc,
        permission,
        Upstream("tips", path),
        body=body,
        response_model=TipPublic,
        responses=WRITE,
        path_params=TIP,
        idempotency=Idempotency.SERVICE,
        if_match=True,
    )


def _outcome(name: str, action: str, link: str, summary: str, permission: Operation, endpoint: Any) -> Route:
    """A verified tip's outcome: the gateway records it where it belongs, then `link`s it to the tip."""
    return Route(
        name,
        "POST",
        f"{ONE}/{action}",
        "tips",
        summary,
        "",
        permission,
        Upstream("tips", f"{ONE}/{link}"),
        response_model=TipPublic,
        responses=WRITE,
        endpoint=endpoint,
    )


ROUTES = (
    _read(
        "list_tips",
        "/tips",
        "List tips (举报台账)",
        "Tips in your region, newest first; their facts and handling, never the tipster.",
        response_model=Page[TipPublic],
        query=(
            REGION_PREFIX,
            query("status", TipStatus | None, None),
            query("category", TipCategory | None, None),
            query("overdue", bool | None, None),
            query("reward_status", RewardStatus | None, None),
            *page(),
        ),
    ),
    _read(
        "reward_rule",
        "/tips/reward-rules",
        "The reward rule",
        "The rule in force for a region: the national rule with the region's own amounts (data).",
        response_model=RewardRulePublic,
        query=(query("region_code", Annotated[str, Query(max_length=12, description="default: your region")], ""),),
    ),
    _read(
        "get_tip",
        ONE,
        "Read a tip",
        "The tip as it is now; its `ETag` is the version to send as `If-Match`.",
        response_model=TipPublic,
    ),
    _read(
        "tip_history",
        ONE + "/history",
        "Tip history",
        "Every event of the tip: who did what, when; who read the identity and why (never what).",
        response_model=list[HistoryEntry],
    ),
    _read(
        "tip_photo",
        ONE + "/photos/{photo_id}",
        "A photo of the tip",
        "The photo's bytes, as stored (without their metadata).",
        responses=IMAGE,
    ),
    _read(
        "tip_photo_link",
        ONE + "/photos/{photo_id}/download",
        "A short-lived signed link to a photo of the tip",
        "A presigned GET of the private photo bucket, valid for `HL_TIPS_PHOTO_LINK_TTL_S` (5 minutes).",
        response_model=DownloadLink,
        responses={**READ, **problems(503)},
    ),
    Route(
        "view_identity",
        "POST",
        ONE + "/identity-views",
        "tips",
        "Read the tipster's identity (the handler only; audited)",
        """For the inspector who took the tip up. The read is recorded (who, when, why) before it is
    answered; the answer is never stored or cached by the gateway.""",
        Operation.READ_TIP_IDENTITY,
        Upstream("tips", ONE + "/identity-views"),
        body=IdentityViewCreate,
        response_model=IdentityPublic,
        responses=WRITE,
        path_params=TIP,
        no_store=True,
    ),
    _command(
        "take-up",
        "Take the tip up for handling",
        "You become its handler: the one who may read the identity.",
        Empty,
        Operation.HANDLE_TIPS,
    ),
    _command(
        "closure",
        "Close the tip as unfounded (不予查实)",
        "With the reason, which the tipster is shown.",
        ClosureCreate,
        Operation.HANDLE_TIPS,
    ),
    _command(
        "duplicate-link",
        "Link the tip to the earlier one it repeats",
        "Only the first reporter of a fact is rewarded; the tip then follows its original.",
        DuplicateLinkCreate,
        Operation.HANDLE_TIPS,
    ),
    _command(
        "reward-computation",
        "Compute the reward by the region's rule",
        "From the finding and the fines linked to the tip; the inputs and each step are kept with the amount.",
        Empty,
        Operation.HANDLE_TIPS,
    ),
    _command(
        "reward-approval",
        "Approve the reward",
        "A supervisor approves the computed amount.",
        RewardApprovalCreate,
        Operation.APPROVE_TIP_REWARDS,
    ),
    _command(
        "reward-payment",
        "Record the reward paid (发放)",
        "An anonymous tip's reward is paid only once the tipster claimed it with the number and secret.",
        RewardPaymentCreate,
        Operation.PAY_TIP_REWARDS,
    ),
    _command(
        "identity-erasure",
        "Erase the tipster's identity (crypto-shredding)",
        "For the handler or an admin: the identity's key is destroyed; the history and the figures stay.",
        Empty,
        Operation.HANDLE_TIPS,
    ),
    _outcome(
        "verify_tip",
        "verification",
        "verification",
        "Verify the tip (查实), recording its hazard",
        Operation.HANDLE_TIPS,
        verify_tip,
    ),
    _outcome(
        "record_tip_hazard",
        "hazard",
        "hazard-link",
        "Record the verified tip's hazard (when that step failed)",
        Operation.HANDLE_TIPS,
        record_tip_hazard,
    ),
    _outcome(
        "record_tip_enforcement",
        "enforcement-actions",
        "enforcement-link",
        "Record an enforcement action taken because of the tip",
        Operation.RECORD_ENFORCEMENT,
        record_tip_enforcement,
    ),
)
