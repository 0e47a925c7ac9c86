"""/api/v1/enterprises: the register of enterprises, their spot inspections and enforcement
actions (relayed to the enterprise service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.enterprises import (
    EnforcementActionCreate,
    EnterpriseCreate,
    EnterprisePublic,
    EnterpriseUpdate,
    InspectionCreate,
    RecordedAction,
)
from hl_gateway.domain.access import Operation
from hl_gateway.entrypoints.deps import IdempotencyKey, allowed
from hl_gateway.entrypoints.docs import READ, WRITE
from hl_gateway.entrypoints.relaying import RelayDep, params, segment
from hl_platform.identity import Caller

router = APIRouter(prefix="/enterprises", tags=["enterprises"])
EnterpriseId = Annotated[str, Path(min_length=1, max_length=64, description="the enterprise's id")]


def _path(enterprise_id: str, action: str = "") -> str:
    return f"/enterprises/{segment(enterprise_id)}" + (f"/{action}" if action else "")


@router.post("", status_code=201, response_model=EnterprisePublic, responses=WRITE, summary="Register an enterprise")
async def register_enterprise(
    body: EnterpriseCreate,
    caller: Annotated[Caller, allowed(Operation.REGISTER_ENTERPRISE)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Register an enterprise in your region; 409 with `existing_id` for a `uscc` already registered."""
    return await relay.write(caller, "enterprise", "/enterprises", body, idempotency_key)


@router.get("", response_model=Page[EnterprisePublic], responses=READ, summary="List and search enterprises")
async def list_enterprises(
    caller: Annotated[Caller, allowed(Operation.READ_ENTERPRISES)],
    relay: RelayDep,
    region_code: Annotated[str, Query(max_length=12, description="a region prefix inside yours")] = "",
    industry: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=100, description="part of the name, or a full uscc")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Response:
    """Enterprises in your scope, filtered by region prefix, industry or a search text."""
    query = params(region_code=region_code or None, industry=industry, q=q, cursor=cursor, limit=limit)
    return await relay.get(caller, "enterprise", "/enterprises", query)


@router.get("/{enterprise_id}", response_model=EnterprisePublic, responses=READ, summary="Read an enterprise")
async def get_enterprise(
    enterprise_id: EnterpriseId, caller: Annotated[Caller, allowed(Operation.READ_ENTERPRISES)], relay: RelayDep
) -> Response:
    """The enterprise's profile as it is now."""
    return await relay.get(caller, "enterprise", _path(enterprise_id))


@router.patch("/{enterprise_id}", response_model=EnterprisePublic, responses=WRITE, summary="Update an enterprise")
async def update_enterprise(
    enterprise_id: EnterpriseId,
    body: EnterpriseUpdate,
    caller: Annotated[Caller, allowed(Operation.UPDATE_ENTERPRISE)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Change the fields given; `uscc` never changes."""
    return await relay.write(caller, "enterprise", _path(enterprise_id), body, idempotency_key, method="PATCH")


@router.post(
    "/{enterprise_id}/inspections",
    status_code=201,
    response_model=RecordedAction,
    responses=WRITE,
    summary="Record a spot inspection (抽查检查)",
)
async def record_inspection(
    enterprise_id: EnterpriseId,
    body: InspectionCreate,
    caller: Annotated[Caller, allowed(Operation.RECORD_INSPECTION)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A department's inspection of the enterprise's self-inspection work, with its findings."""
    return await relay.write(caller, "enterprise", _path(enterprise_id, "inspections"), body, idempotency_key)


@router.post(
    "/{enterprise_id}/enforcement-actions",
    status_code=201,
    response_model=RecordedAction,
    responses=WRITE,
    summary="Record an enforcement action (执法)",
)
async def record_enforcement(
    enterprise_id: EnterpriseId,
    body: EnforcementActionCreate,
    caller: Annotated[Caller, allowed(Operation.RECORD_ENFORCEMENT)],
    relay: RelayDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Penalties, suspension orders, referrals and the like (dispatch table section 三)."""
    path = _path(enterprise_id, "enforcement-actions")
    return await relay.write(caller, "enterprise", path, body, idempotency_key)
