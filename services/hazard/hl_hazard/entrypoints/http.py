"""The hazard service's internal HTTP API: the public paths and bodies, called by the gateway.

Each route only translates: the request body into a domain command, the handler's answer into
the response (its version as the ETag, a replay marked as such).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from hl_api.common import MAX_PAGE, Page
from hl_api.evidence import ListingReceiptCreate
from hl_api.hazards import (
    AcceptanceDecision,
    DeadlineExtensionCreate,
    DelistingCreate,
    EscalationCreate,
    HazardCreate,
    HistoryEntry,
    PlanSet,
    ReclassificationCreate,
    RectificationReport,
    VoidCreate,
)
from hl_contracts.vocabulary import HazardLevel, HazardSource, HazardStatus
from hl_hazard.application.ports import HazardFilters
from hl_hazard.application.service import HazardService
from hl_hazard.domain import commands
from hl_platform.errors import InvalidInput
from hl_platform.idempotency_http import RequestKeyDep, answer
from hl_platform.identity import CallerDep

router = APIRouter(prefix="/hazards", tags=["hazards"])


async def hazard_service(request: Request) -> HazardService:  # async: no worker thread per request
    service: HazardService = request.app.state.hazard_service
    return service


ServiceDep = Annotated[HazardService, Depends(hazard_service)]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="the version you last read")]


def parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip().strip('W/"').strip('"'))
    except ValueError:
        raise InvalidInput("If-Match", "must be the hazard's version number") from None


def _tagged(response: Response, snapshot: dict[str, Any]) -> dict[str, Any]:
    response.headers["ETag"] = f'"{snapshot["version"]}"'
    return snapshot


@router.post("", status_code=201, summary="Report a hazard (上报隐患)")
async def report_hazard(
    body: HazardCreate, caller: CallerDep, service: ServiceDep, response: Response, key: RequestKeyDep
) -> dict[str, Any]:
    """Report a hazard found at an enterprise; `rectify_immediately` for 即查即改 (general only)."""
    snapshot = answer(response, await service.report(caller, commands.ReportHazard(**body.model_dump()), key))
    response.headers["Location"] = f"/hazards/{snapshot['id']}"
    return _tagged(response, snapshot)


@router.get("", summary="List hazards (隐患台账)")
async def list_hazards(
    caller: CallerDep,
    service: ServiceDep,
    region_code: str = "",
    industry: str | None = None,
    level: HazardLevel | None = None,
    source: HazardSource | None = None,
    status: HazardStatus | None = None,
    listed: bool | None = None,
    overdue: bool | None = None,
    enterprise_id: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Page[dict[str, Any]]:
    """Hazards in the caller's scope, newest first, filtered."""
    filters = HazardFilters(
        region_code=region_code,
        industry=industry,
        level=level,
        source=source,
        status=status,
        listed=listed,
        overdue=overdue,
        enterprise_id=enterprise_id,
    )
    items, next_cursor = await service.list(caller, filters, cursor, limit)
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{hazard_id}", summary="Read a hazard")
async def get_hazard(hazard_id: str, caller: CallerDep, service: ServiceDep, response: Response) -> dict[str, Any]:
    return _tagged(response, await service.get(caller, hazard_id))


@router.get("/{hazard_id}/history", summary="The hazard's full event history (audit trail)")
async def get_history(hazard_id: str, caller: CallerDep, service: ServiceDep) -> list[HistoryEntry]:
    """Every event: who did what, the business time it happened and the time it was recorded."""
    return await service.history(caller, hazard_id)


def _command_route(path: str, summary: str, body_type: type[Any], to_command: Any) -> None:
    async def handler(
        hazard_id: str,
        body: Any,
        caller: CallerDep,
        service: ServiceDep,
        response: Response,
        key: RequestKeyDep,
        if_match: IfMatch = None,
    ) -> dict[str, Any]:
        written = await service.execute(caller, hazard_id, to_command(body), parse_if_match(if_match), key)
        return _tagged(response, answer(response, written))

    handler.__annotations__["body"] = body_type
    handler.__name__ = path.strip("/").replace("-", "_")
    router.add_api_route(f"/{{hazard_id}}/{path}", handler, methods=["POST"], summary=summary)


_command_route("plan", "Set the 五到位 plan", PlanSet, lambda b: commands.SetPlan(**b.model_dump()))
_command_route(
    "rectification",
    "Report rectification complete (整改完成)",
    RectificationReport,
    lambda b: commands.ReportRectification(**b.model_dump()),
)
_command_route(
    "acceptance",
    "Accept (验收销号) or reject the rectification",
    AcceptanceDecision,
    lambda b: commands.DecideAcceptance(**b.model_dump()),
)
_command_route(
    "escalation", "List for supervision (挂牌督办)", EscalationCreate, lambda b: commands.Escalate(**b.model_dump())
)
_command_route("delisting", "Lift the listing (摘牌)", DelistingCreate, lambda b: commands.Delist(**b.model_dump()))
_command_route(
    "deadline-extension",
    "Extend the deadline (延期)",
    DeadlineExtensionCreate,
    lambda b: commands.ExtendDeadline(**b.model_dump()),
)
_command_route(
    "reclassification",
    "Change the hazard's level",
    ReclassificationCreate,
    lambda b: commands.Reclassify(**b.model_dump()),
)
_command_route("void", "Void the hazard (作废)", VoidCreate, lambda b: commands.Void(**b.model_dump()))
_command_route(
    "listing-receipt",
    "Sign for the listing notice (督办通知签收)",
    ListingReceiptCreate,
    lambda b: commands.ReceiveListing(**b.model_dump()),
)
