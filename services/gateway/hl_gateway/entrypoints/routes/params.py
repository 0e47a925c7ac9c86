"""The parameters the route table shares: ids in paths, pages, regions, business moments."""

from __future__ import annotations

import inspect
from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AwareDatetime

from hl_api.common import MAX_PAGE
from hl_api.reports import AS_OF_TEXT, PERIOD_PATTERN, PERIOD_TEXT
from hl_contracts.vocabulary import ListingLevel
from hl_gateway.entrypoints.routes.spec import query


def an_id(what: str) -> Any:
    """A record's id in a path: one segment, `what` in the documentation."""
    return Annotated[str, Path(min_length=1, max_length=64, description=f"the {what}'s id")]


HAZARD = {"hazard_id": an_id("hazard")}
ENTERPRISE = {"enterprise_id": an_id("enterprise")}
TIP = {"tip_id": an_id("tip")}
WEBHOOK = {"webhook_id": an_id("webhook")}
PERIOD = {"period": Annotated[str, Path(pattern=PERIOD_PATTERN, description=PERIOD_TEXT)]}
SUBMISSION = {**PERIOD, "submission_id": Annotated[str, Path(max_length=64)]}

# A list's region filter, scoped by the service: a prefix inside the caller's region.
REGION_PREFIX = query(
    "region_code", Annotated[str, Query(max_length=12, description="a region prefix inside yours")], ""
)
# A report's region, checked by the gateway (the route's `region_checked`): outside is 403.
REPORT_REGION = query(
    "region_code",
    Annotated[str | None, Query(max_length=12, description="default: your own region; outside it is 403")],
    None,
)
INDUSTRY = query("industry", Annotated[str | None, Query(max_length=40)], None)
AS_OF = query("as_of", Annotated[AwareDatetime | None, Query(description=AS_OF_TEXT)], None)
SINCE = query("since", Annotated[date | None, Query(description="count from this day (default: 1 January)")], None)
LISTING_LEVEL = query("level", ListingLevel | None, None)


def page(cursor_length: int = 200) -> tuple[inspect.Parameter, ...]:
    """`cursor` and `limit` of a cursor-paginated list."""
    return (
        query("cursor", Annotated[str | None, Query(max_length=cursor_length)], None),
        query("limit", Annotated[int, Query(ge=1, le=MAX_PAGE)], 50),
    )
