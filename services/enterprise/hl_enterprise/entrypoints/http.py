"""The enterprise service's internal HTTP API: the public paths and bodies, called by the gateway.

Each route only translates: the request body into a domain command, the handler's answer into
the response (a replay marked as such).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.enterprises import (
    BlacklistDecision,
    EnforcementActionCreate,
    EnterpriseClosure,
    EnterpriseCreate,
    EnterpriseUpdate,
    InspectionCreate,
    RecordedAction,
)
from hl_enterprise.application.ports import EnterpriseFilters
from hl_enterprise.application.records import RecordKind
from hl_enterprise.application.service import EnterpriseService
from hl_enterprise.domain.commands import (
    CloseEnterprise,
    DecideBlacklisting,
    RecordEnforcement,
    RecordInspection,
    RegisterEnterprise,
    UpdateEnterprise,
)
from hl_platform.idempotency_http import RequestKeyDep, answer
from hl_platform.identity import Caller, CallerDep

router = APIRouter(prefix="/enterprises", tags=["enterprises"])


def enterprise_service(request: Request) -> EnterpriseService:
    service: EnterpriseService = request.app.state.enterprise_service
    return service


ServiceDep = Annotated[EnterpriseService, Depends(enterprise_service)]


@router.post("", status_code=201, summary="Register an enterprise")
async def register(
    body: EnterpriseCreate, caller: CallerDep, service: ServiceDep, response: Response, key: RequestKeyDep
) -> dict[str, Any]:
    """409 with `existing_id` when the uscc is already registered."""
    created = answer(
        response, await service.register(caller, RegisterEnterprise(profile=body.model_dump(exclude_none=True)), key)
    )
    response.headers["Location"] = f"/enterprises/{created['id']}"
    return created


@router.get("", summary="List and search enterprises")
async def list_enterprises(
    caller: CallerDep,
    service: ServiceDep,
    region_code: str = "",
    industry: str | None = None,
    q: Annotated[str | None, Query(max_length=100, description="part of the name, or a full uscc")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Page[dict[str, Any]]:
    items, next_cursor = await service.list(caller, EnterpriseFilters(region_code, industry, q), cursor, limit)
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{enterprise_id}", summary="Read an enterprise")
async def get_enterprise(enterprise_id: str, caller: CallerDep, service: ServiceDep) -> dict[str, Any]:
    return await service.get(caller, enterprise_id)


@router.patch("/{enterprise_id}", summary="Change an enterprise's profile")
async def update_enterprise(
    enterprise_id: str,
    body: EnterpriseUpdate,
    caller: CallerDep,
    service: ServiceDep,
    response: Response,
    key: RequestKeyDep,
) -> dict[str, Any]:
    command = UpdateEnterprise(changes=body.model_dump(exclude_unset=True))
    return answer(response, await service.update(caller, enterprise_id, command, key))


@router.post("/{enterprise_id}/inspections", status_code=201, summary="Record a spot inspection (抽查检查)")
async def inspect(
    enterprise_id: str,
    body: InspectionCreate,
    caller: CallerDep,
    service: ServiceDep,
    response: Response,
    key: RequestKeyDep,
) -> RecordedAction:
    written = await service.inspect(caller, enterprise_id, RecordInspection(**body.model_dump()), key)
    return RecordedAction.model_validate(answer(response, written))


@router.post("/{enterprise_id}/enforcement-actions", status_code=201, summary="Record an enforcement action")
async def enforce(
    enterprise_id: str,
    body: EnforcementActionCreate,
    caller: CallerDep,
    service: ServiceDep,
    response: Response,
    key: RequestKeyDep,
) -> RecordedAction:
    written = await service.enforce(caller, enterprise_id, RecordEnforcement(**body.model_dump()), key)
    return RecordedAction.model_validate(answer(response, written))


@router.post("/{enterprise_id}/closure", summary="Close or deregister the enterprise")
async def close(enterprise_id: str, body: EnterpriseClosure, caller: CallerDep, service: ServiceDep) -> dict[str, Any]:
    return await service.close(caller, enterprise_id, CloseEnterprise(reason=body.reason, closed_on=body.closed_on))


@router.post("/{enterprise_id}/blacklisting", summary="Put on the credit blacklist (黑名单)")
async def blacklist(
    enterprise_id: str, body: BlacklistDecision, caller: CallerDep, service: ServiceDep
) -> dict[str, Any]:
    return await service.blacklist(caller, enterprise_id, _blacklisting(body, lift=False))


@router.post("/{enterprise_id}/blacklist-lifting", summary="Take off the credit blacklist")
async def lift(enterprise_id: str, body: BlacklistDecision, caller: CallerDep, service: ServiceDep) -> dict[str, Any]:
    return await service.blacklist(caller, enterprise_id, _blacklisting(body, lift=True))


def _blacklisting(body: BlacklistDecision, *, lift: bool) -> DecideBlacklisting:
    return DecideBlacklisting(reason=body.reason, authority=body.authority, decided_on=body.decided_on, lift=lift)


async def _recorded(
    kind: RecordKind, enterprise_id: str, caller: Caller, service: EnterpriseService, cursor: str | None, limit: int
) -> Page[dict[str, Any]]:
    page = await service.recorded(caller, enterprise_id, kind, cursor, limit)
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.get("/{enterprise_id}/inspections", summary="The enterprise's spot inspections")
async def list_inspections(
    enterprise_id: str,
    caller: CallerDep,
    service: ServiceDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Page[dict[str, Any]]:
    return await _recorded("inspections", enterprise_id, caller, service, cursor, limit)


@router.get("/{enterprise_id}/enforcement-actions", summary="The enterprise's enforcement actions")
async def list_enforcement_actions(
    enterprise_id: str,
    caller: CallerDep,
    service: ServiceDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Page[dict[str, Any]]:
    return await _recorded("enforcement-actions", enterprise_id, caller, service, cursor, limit)
