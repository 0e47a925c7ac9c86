"""The hazard service's internal backfill route: the public batch body in, one result per item out.

It only translates: each item into a `BackfillHazard` of the live commands (the step bodies are
the single routes' bodies, so each maps onto the command that route builds), the handler's
results into the response.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request, Response

from hl_api import backfill as api
from hl_hazard.application.backfill import Backfill, ItemResult
from hl_hazard.domain import commands
from hl_hazard.domain.backfill import BackfillHazard, HistoricalActor, Step
from hl_platform.identity import CallerDep

router = APIRouter(tags=["hazards"])

# Which live command each step is; its body's fields are that command's.
COMMANDS: dict[str, type[Any]] = {
    "plan": commands.SetPlan,
    "rectification": commands.ReportRectification,
    "acceptance": commands.DecideAcceptance,
    "escalation": commands.Escalate,
    "listing-receipt": commands.ReceiveListing,
    "delisting": commands.Delist,
    "deadline-extension": commands.ExtendDeadline,
    "reclassification": commands.Reclassify,
    "void": commands.Void,
}
_NOT_COMMAND = {"step", "actor"}


async def backfill_handler(request: Request) -> Backfill:
    handler: Backfill = request.app.state.backfill
    return handler


BackfillDep = Annotated[Backfill, Depends(backfill_handler)]


def _actor(given: api.StepActor | None) -> HistoricalActor | None:
    return None if given is None else HistoricalActor(**given.model_dump())


def _step(given: Any) -> Step:
    command = COMMANDS[given.step](**given.model_dump(exclude=_NOT_COMMAND))
    return Step(command=command, actor=_actor(given.actor))


def to_item(item: api.BackfillItem) -> BackfillHazard:
    """The item as the domain's backfill command (its fingerprint: what the item says, canonically)."""
    return BackfillHazard(
        key=item.key,
        fingerprint=hashlib.sha256(item.model_dump_json().encode()).hexdigest(),
        report=commands.ReportHazard(**item.hazard.model_dump()),
        actor=_actor(item.actor),
        steps=tuple(_step(step) for step in item.steps),
    )


def _public(results: list[ItemResult]) -> dict[str, Any]:
    counts = {outcome: 0 for outcome in ("created", "duplicate", "invalid")}
    for result in results:
        counts[result.outcome] += 1
    return {**counts, "items": [result.as_dict() for result in results]}


@router.post(api.PATH, summary="Backfill hazards with their history (历史隐患导入)", response_class=Response)
async def backfill_hazards(body: api.BackfillCreate, caller: CallerDep, handler: BackfillDep) -> Response:
    """Record each item's hazard and steps by the live rules, in one transaction; a result per item.

    The answer (`hl_api.backfill.BackfillPublic`, documented at the gateway) is encoded directly:
    FastAPI's response validation of a thousand results would cost more than the encoding."""
    results = await handler.run(caller, [to_item(item) for item in body.items])
    return Response(orjson.dumps(_public(results)), media_type="application/json")
