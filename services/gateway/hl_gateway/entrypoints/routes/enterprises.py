"""/api/v1/enterprises: the register of enterprises, their spot inspections and enforcement
actions, closure and credit blacklist (forwarded to the enterprise service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel

from hl_api.common import Page
from hl_api.enterprises import (
    BlacklistDecision,
    EnforcementActionCreate,
    EnforcementActionPublic,
    EnterpriseClosure,
    EnterpriseCreate,
    EnterprisePublic,
    EnterpriseUpdate,
    InspectionCreate,
    InspectionPublic,
    RecordedAction,
)
from hl_gateway.domain.access import Operation
from hl_gateway.entrypoints.docs import READ, WRITE
from hl_gateway.entrypoints.routes.params import ENTERPRISE, INDUSTRY, REGION_PREFIX, page
from hl_gateway.entrypoints.routes.spec import Idempotency, Route, Upstream, query

ONE = "/enterprises/{enterprise_id}"


def _command(
    name: str,
    action: str,
    body: type[BaseModel],
    model: type[BaseModel],
    permission: Operation,
    summary: str,
    doc: str,
    *,
    status: int = 200,
    idempotency: Idempotency = Idempotency.FORWARDED,
) -> Route:
    path = f"{ONE}/{action}"
    return Route(
        name,
        "POST",
        path,
        "enterprises",
        summary,
        doc,
        permission,
        Upstream("enterprise", path),
        status=status,
        body=body,
        response_model=model,
        responses=WRITE,
        path_params=ENTERPRISE,
        idempotency=idempotency,
    )


def _records(name: str, action: str, model: object, summary: str, doc: str) -> Route:
    """The enterprise's inspections or enforcement actions, read back from its events."""
    path = f"{ONE}/{action}"
    return Route(
        name,
        "GET",
        path,
        "enterprises",
        summary,
        doc,
        Operation.READ_ENTERPRISES,
        Upstream("enterprise", path),
        response_model=model,
        responses=READ,
        path_params=ENTERPRISE,
        query=page(),
    )


ROUTES = (
    Route(
        "register_enterprise",
        "POST",
        "/enterprises",
        "enterprises",
        "Register an enterprise",
        "Register an enterprise in your region; 409 with `existing_id` for a `uscc` already registered.",
        Operation.REGISTER_ENTERPRISE,
        Upstream("enterprise", "/enterprises"),
        status=201,
        body=EnterpriseCreate,
        response_model=EnterprisePublic,
        responses=WRITE,
        idempotency=Idempotency.FORWARDED,
    ),
    Route(
        "list_enterprises",
        "GET",
        "/enterprises",
        "enterprises",
        "List and search enterprises",
        "Enterprises in your scope, filtered by region prefix, industry or a search text.",
        Operation.READ_ENTERPRISES,
        Upstream("enterprise", "/enterprises"),
        response_model=Page[EnterprisePublic],
        responses=READ,
        query=(
            REGION_PREFIX,
            INDUSTRY,
            query(
                "q", Annotated[str | None, Query(max_length=100, description="part of the name, or a full uscc")], None
            ),
            *page(),
        ),
    ),
    Route(
        "get_enterprise",
        "GET",
        ONE,
        "enterprises",
        "Read an enterprise",
        "The enterprise's profile as it is now.",
        Operation.READ_ENTERPRISES,
        Upstream("enterprise", ONE),
        response_model=EnterprisePublic,
        responses=READ,
        path_params=ENTERPRISE,
    ),
    Route(
        "update_enterprise",
        "PATCH",
        ONE,
        "enterprises",
        "Update an enterprise",
        "Change the fields given; `uscc` never changes.",
        Operation.UPDATE_ENTERPRISE,
        Upstream("enterprise", ONE),
        body=EnterpriseUpdate,
        response_model=EnterprisePublic,
        responses=WRITE,
        path_params=ENTERPRISE,
        idempotency=Idempotency.FORWARDED,
    ),
    _command(
        "record_inspection",
        "inspections",
        InspectionCreate,
        RecordedAction,
        Operation.RECORD_INSPECTION,
        "Record a spot inspection (抽查检查)",
        "A department's inspection of the enterprise's self-inspection work, with its findings.",
        status=201,
    ),
    _command(
        "record_enforcement",
        "enforcement-actions",
        EnforcementActionCreate,
        RecordedAction,
        Operation.RECORD_ENFORCEMENT,
        "Record an enforcement action (执法)",
        "Penalties, suspension orders, referrals and the like (dispatch table section 三).",
        status=201,
    ),
    _records(
        "list_inspections",
        "inspections",
        Page[InspectionPublic],
        "The enterprise's spot inspections",
        "Every recorded inspection of the enterprise, oldest first, with its findings and who recorded it.",
    ),
    _records(
        "list_enforcement_actions",
        "enforcement-actions",
        Page[EnforcementActionPublic],
        "The enterprise's enforcement actions",
        "Every recorded enforcement action, oldest first, with its figures and who recorded it.",
    ),
    # The enterprise service keeps no Idempotency-Key for these: the gateway's copy is the guard.
    _command(
        "close_enterprise",
        "closure",
        EnterpriseClosure,
        EnterprisePublic,
        Operation.CLOSE_ENTERPRISE,
        "Close or deregister an enterprise (关闭/注销)",
        "The enterprise stops operating: it can no longer be changed or inspected; its history stays.",
        idempotency=Idempotency.GATEWAY,
    ),
    _command(
        "blacklist_enterprise",
        "blacklisting",
        BlacklistDecision,
        EnterprisePublic,
        Operation.BLACKLIST_ENTERPRISE,
        "Put an enterprise on the credit blacklist (黑名单)",
        "The authority's decision and its day; 409 if the enterprise is already blacklisted.",
        idempotency=Idempotency.GATEWAY,
    ),
    _command(
        "lift_blacklisting",
        "blacklist-lifting",
        BlacklistDecision,
        EnterprisePublic,
        Operation.BLACKLIST_ENTERPRISE,
        "Take an enterprise off the credit blacklist",
        "The authority's decision and its day (not before the blacklisting); 409 if not blacklisted.",
        idempotency=Idempotency.GATEWAY,
    ),
)
