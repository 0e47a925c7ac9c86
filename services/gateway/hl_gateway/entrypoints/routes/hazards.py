"""/api/v1/hazards: report, read and work hazards (forwarded to the hazard service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel

from hl_api.common import Page
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
from hl_gateway.entrypoints.docs import READ, WRITE
from hl_gateway.entrypoints.routes.params import HAZARD, INDUSTRY, REGION_PREFIX, page
from hl_gateway.entrypoints.routes.spec import Idempotency, Route, Upstream, query


def _read(name: str, path: str, model: object, summary: str, doc: str) -> Route:
    return Route(
        name,
        "GET",
        path,
        "hazards",
        summary,
        doc,
        Operation.READ_HAZARDS,
        Upstream("hazard", path),
        response_model=model,
        responses=READ,
        path_params=HAZARD if "{hazard_id}" in path else {},
    )


def _step(name: str, action: str, body: type[BaseModel], permission: Operation, summary: str, doc: str) -> Route:
    """A command on one hazard: `If-Match` guards it, the answer is the hazard as it is now."""
    path = f"/hazards/{{hazard_id}}/{action}"
    return Route(
        name,
        "POST",
        path,
        "hazards",
        summary,
        doc,
        permission,
        Upstream("hazard", path),
        body=body,
        response_model=HazardPublic,
        responses=WRITE,
        path_params=HAZARD,
        idempotency=Idempotency.FORWARDED,
        if_match=True,
    )


LIST_FILTERS = (
    REGION_PREFIX,
    INDUSTRY,
    query("level", HazardLevel | None, None),
    query("source", HazardSource | None, None),
    query("status", HazardStatus | None, None),
    query("listed", QueryBool | None, None),
    query("overdue", QueryBool | None, None),
    query("enterprise_id", Annotated[str | None, Query(max_length=64)], None),
    *page(),
)

ROUTES = (
    Route(
        "report_hazard",
        "POST",
        "/hazards",
        "hazards",
        "Report a hazard (上报隐患)",
        "Report a hazard found at an enterprise in your scope; `rectify_immediately` for 即查即改.",
        Operation.REPORT_HAZARD,
        Upstream("hazard", "/hazards"),
        status=201,
        body=HazardCreate,
        response_model=HazardPublic,
        responses=WRITE,
        idempotency=Idempotency.FORWARDED,
    ),
    Route(
        "list_hazards",
        "GET",
        "/hazards",
        "hazards",
        "List hazards (隐患台账)",
        "Hazards in your scope, newest first; a region outside yours lists nothing.",
        Operation.READ_HAZARDS,
        Upstream("hazard", "/hazards"),
        response_model=Page[HazardPublic],
        responses=READ,
        query=LIST_FILTERS,
    ),
    _read(
        "get_hazard",
        "/hazards/{hazard_id}",
        HazardPublic,
        "Read a hazard",
        "The hazard as it is now; its `ETag` is the version to send as `If-Match`.",
    ),
    _read(
        "get_history",
        "/hazards/{hazard_id}/history",
        list[HistoryEntry],
        "The hazard's event history",
        "Every event: who did what, when it happened and when it was recorded (audit trail).",
    ),
    _step(
        "set_plan",
        "plan",
        PlanSet,
        Operation.SET_PLAN,
        "Set the 五到位 plan",
        "Responsible person, measures, funds, deadline and emergency plan (the enterprise's own work).",
    ),
    _step(
        "report_rectification",
        "rectification",
        RectificationReport,
        Operation.REPORT_RECTIFICATION,
        "Report rectification (整改完成)",
        "The enterprise reports the fix done; the hazard then waits for acceptance.",
    ),
    _step(
        "decide_acceptance",
        "acceptance",
        AcceptanceDecision,
        Operation.DECIDE_ACCEPTANCE,
        "Accept (验收销号) or reject",
        "Close the hazard or send it back to rectifying; majors need a department reviewer.",
    ),
    _step(
        "escalate",
        "escalation",
        EscalationCreate,
        Operation.ESCALATE,
        "List for supervision (挂牌督办)",
        "A supervisor lists a major hazard at its own level.",
    ),
    _step(
        "delist",
        "delisting",
        DelistingCreate,
        Operation.DELIST,
        "Lift the listing (摘牌)",
        "After the hazard is closed, by a supervisor of the listing level or higher.",
    ),
    _step(
        "extend_deadline",
        "deadline-extension",
        DeadlineExtensionCreate,
        Operation.EXTEND_DEADLINE,
        "Extend the deadline (延期)",
        "An approved extension: the only way a deadline moves.",
    ),
    _step(
        "reclassify",
        "reclassification",
        ReclassificationCreate,
        Operation.RECLASSIFY,
        "Change the hazard's level",
        "A department re-judges the level against the 判定标准.",
    ),
    _step(
        "void",
        "void",
        VoidCreate,
        Operation.VOID,
        "Void the hazard (作废)",
        "A soft delete with a reason: gone from counts, kept in history.",
    ),
)
