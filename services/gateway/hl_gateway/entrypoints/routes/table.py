"""The public route table: every route of /api/v1, in matching order, and every internal route of
the services that is deliberately not public (with the reason). A test holds the two together
against the services' own routes, so that no internal route is forgotten."""

from __future__ import annotations

from typing import Final

from hl_gateway.entrypoints.routes import (
    attachments,
    backfill,
    catalogues,
    enterprises,
    evaluations,
    events,
    hazards,
    keys,
    public_tips,
    reports,
    tips,
    webhooks,
)
from hl_gateway.entrypoints.routes.spec import Internal, Route

PUBLIC_ROUTES: Final[tuple[Route, ...]] = (
    *enterprises.ROUTES,
    *hazards.ROUTES,
    *backfill.ROUTES,
    *attachments.ROUTES,
    *reports.ROUTES,
    *evaluations.ROUTES,
    *events.ROUTES,
    *keys.ROUTES,
    *catalogues.ROUTES,
    *webhooks.ROUTES,
    *public_tips.ROUTES,
    *tips.ROUTES,
)

# None today: the tips service's hazard-link and enforcement-link are the upstream of the gateway's
# own tip outcomes (POST /tips/{id}/hazard, /enforcement-actions), which record and then link.
INTERNAL_ONLY: Final[tuple[Internal, ...]] = ()
