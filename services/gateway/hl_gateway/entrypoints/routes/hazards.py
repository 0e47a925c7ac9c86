"""/api/v1/hazards: report, read and work hazards (relayed to the hazard service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.hazards import (
    AcceptanceDecision,
    DeadlineExtensionCreate,
    DelistingCreate,
    EscalationCreate,
    HazardCreate,
    HazardPublic,
    HistoryEntry,
    PlanSet,
    ReclassificationCreate,
    RectificationReport,
    VoidCreate,
)
from hl_api.values import QueryBool
from hl_contracts.vocabulary import HazardLevel, HazardSource, HazardStatus
from hl_gateway.domain.access import Operation
from hl_gateway.entrypoints.deps import IdempotencyKey, IfMatch, allowed
from hl_gateway.entrypoints.docs import READ, WRITE
from hl_gateway.entrypoints.relaying import RelayDep, params, segment
from hl_platform.identity import Caller

router = APIRouter(prefix="/hazards", tags=["hazards"])
HazardId = Annotated[str, Path(min_length=1, max_length=64, description="the hazard's id")]


def _path(hazard_id: str, action: str = "") -> str:
    return f"/hazards/{segment(hazard_id)}" + (f"/{action}" if action else "")


@router.post("", status_code=201, response_model=HazardPublic, responses=WRITE, summary="Report a hazard (上报隐患)")
async def report_hazard(
    body: HazardCreate,
    caller: Annotated[Caller, allowed(Operation.REPORT_HAZARD)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Report a hazard found at an enterprise in your scope; `rectify_immediately` for 即查即改."""
    return await relay.write(caller, "hazard", "/hazards", body, idempotency_key)


@router.get("", response_model=Page[HazardPublic], responses=READ, summary="List hazards (隐患台账)")
async def list_hazards(
    caller: Annotated[Caller, allowed(Operation.READ_HAZARDS)],
    relay: RelayDep,
    region_code: Annotated[str, Query(max_length=12, description="a region prefix inside yours")] = "",
    industry: Annotated[str | None, Query(max_length=40)] = None,
    level: HazardLevel | None = None,
    source: HazardSource | None = None,
    status: HazardStatus | None = None,
    listed: QueryBool | None = None,
    overdue: QueryBool | None = None,
    enterprise_id: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Response:
    """Hazards in your scope, newest first; a region outside yours lists nothing."""
    query = params(
        region_code=region_code or None,
        industry=industry,
        level=level,
        source=source,
        status=status,
        listed=listed,
        overdue=overdue,
        enterprise_id=enterprise_id,
        cursor=cursor,
        limit=limit,
    )
    return await relay.get(caller, "hazard", "/hazards", query)


@router.get("/{hazard_id}", response_model=HazardPublic, responses=READ, summary="Read a hazard")
async def get_hazard(
    hazard_id: HazardId, caller: Annotated[Caller, allowed(Operation.READ_HAZARDS)], relay: RelayDep
) -> Response:
    """The hazard as it is now; its `ETag` is the version to send as `If-Match`."""
    return await relay.get(caller, "hazard", _path(hazard_id))


@router.get(
    "/{hazard_id}/history", response_model=list[HistoryEntry], responses=READ, summary="The hazard's event history"
)
async def get_history(
    hazard_id: HazardId, caller: Annotated[Caller, allowed(Operation.READ_HAZARDS)], relay: RelayDep
) -> Response:
    """Every event: who did what, when it happened and when it was recorded (audit trail)."""
    return await relay.get(caller, "hazard", _path(hazard_id, "history"))


@router.post("/{hazard_id}/plan", response_model=HazardPublic, responses=WRITE, summary="Set the 五到位 plan")
async def set_plan(
    hazard_id: HazardId,
    body: PlanSet,
    caller: Annotated[Caller, allowed(Operation.SET_PLAN)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response:
    """Responsible person, measures, funds, deadline and emergency plan (the enterprise's own work)."""
    return await relay.write(caller, "hazard", _path(hazard_id, "plan"), body, idempotency_key, if_match=if_match)


@router.post(
    "/{hazard_id}/rectification",
    response_model=HazardPublic,
    responses=WRITE,
    summary="Report rectification (整改完成)",
)
async def report_rectification(
    hazard_id: HazardId,
    body: RectificationReport,
    caller: Annotated[Caller, allowed(Operation.REPORT_RECTIFICATION)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response:
    """The enterprise reports the fix done; the hazard then waits for acceptance."""
    path = _path(hazard_id, "rectification")
    return await relay.write(caller, "hazard", path, body, idempotency_key, if_match=if_match)


@router.post(
    "/{hazard_id}/acceptance", response_model=HazardPublic, responses=WRITE, summary="Accept (验收销号) or reject"
)
async def decide_acceptance(
    hazard_id: HazardId,
    body: AcceptanceDecision,
    caller: Annotated[Caller, allowed(Operation.DECIDE_ACCEPTANCE)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response:
    """Close the hazard or send it back to rectifying; majors need a department reviewer."""
    path = _path(hazard_id, "acceptance")
    return await relay.write(caller, "hazard", path, body, idempotency_key, if_match=if_match)


@router.post(
    "/{hazard_id}/escalation", response_model=HazardPublic, responses=WRITE, summary="List for supervision (挂牌督办)"
)
async def escalate(
    hazard_id: HazardId,
    body: EscalationCreate,
    caller: Annotated[Caller, allowed(Operation.ESCALATE)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response:
    """A supervisor lists a major hazard at its own level."""
    path = _path(hazard_id, "escalation")
    return await relay.write(caller, "hazard", path, body, idempotency_key, if_match=if_match)


@router.post("/{hazard_id}/delisting", response_model=HazardPublic, responses=WRITE, summary="Lift the listing (摘牌)")
async def delist(
    hazard_id: HazardId,
    body: DelistingCreate,
    caller: Annotated[Caller, allowed(Operation.DELIST)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response:
    """After the hazard is closed, by a supervisor of the listing level or higher."""
    path = _path(hazard_id, "delisting")
    return await relay.write(caller, "hazard", path, body, idempotency_key, if_match=if_match)


@router.post(
    "/{hazard_id}/deadline-extension",
    response_model=HazardPublic,
    responses=WRITE,
    summary="Extend the deadline (延期)",
)
async def extend_deadline(
    hazard_id: HazardId,
    body: DeadlineExtensionCreate,
    caller: Annotated[Caller, allowed(Operation.EXTEND_DEADLINE)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response:
    """An approved extension: the only way a deadline moves."""
    path = _path(hazard_id, "deadline-extension")
    return await relay.write(caller, "hazard", path, body, idempotency_key, if_match=if_match)


@router.post(
    "/{hazard_id}/reclassification", response_model=HazardPublic, responses=WRITE, summary="Change the hazard's level"
)
async def reclassify(
    hazard_id: HazardId,
    body: ReclassificationCreate,
    caller: Annotated[Caller, allowed(Operation.RECLASSIFY)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response:
    """A department re-judges the level against the 判定标准."""
    path = _path(hazard_id, "reclassification")
    return await relay.write(caller, "hazard", path, body, idempotency_key, if_match=if_match)


@router.post("/{hazard_id}/void", response_model=HazardPublic, responses=WRITE, summary="Void the hazard (作废)")
async def void(
    hazard_id: HazardId,
    body: VoidCreate,
    caller: Annotated[Caller, allowed(Operation.VOID)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response:
    """A soft delete with a reason: gone from counts, kept in history."""
    return await relay.write(caller, "hazard", _path(hazard_id, "void"), body, idempotency_key, if_match=if_match)
