"""/api/v1/hazard-backfills: hazards with their whole history, in batches (forwarded to the hazard service)."""

from __future__ import annotations

from hl_api.backfill import MAX_ITEMS, PATH, BackfillCreate, BackfillPublic
from hl_gateway.domain.access import Operation
from hl_gateway.entrypoints.docs import WRITE
from hl_gateway.entrypoints.routes.spec import Idempotency, Route, Upstream

ROUTES = (
    Route(
        "backfill_hazards",
        "POST",
        PATH,
        "hazards",
        "Backfill hazards with their history (历史隐患导入)",
        f"Up to {MAX_ITEMS:,} hazards a request, each with its later steps (plan, rectification, acceptance,"
        " listing, delisting, …) in order, each with its business time. Each item is decided by the same"
        " rules as the single routes and answered on its own: `created` (its id), `duplicate` (its `key` was"
        " backfilled before by you: the id it got then; so a re-sent batch is safe), or `invalid` (the JSON"
        " pointer of the field into the item, and the reason); an invalid item writes nothing and never"
        " holds back the others. The enterprises must lie in your region. An admin or platform client"
        " migrating another system's records may name who took each step (`actor`); the rules of who may"
        " do what apply to that actor. A body that does not match the schema is refused whole (422)."
        " With an `Idempotency-Key`, a retry gets the first answer.",
        Operation.REPORT_HAZARD,
        Upstream("hazard", PATH),
        body=BackfillCreate,
        response_model=BackfillPublic,
        responses=WRITE,
        # The items' keys make a re-sent batch safe at the service; an Idempotency-Key, as on every
        # POST, replays the batch's first answer (kept by the gateway: the service stores none).
        idempotency=Idempotency.GATEWAY,
    ),
)
