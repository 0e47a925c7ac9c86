"""/api/v1/regions and /api/v1/industries: the catalogues, served from the shared catalogue data
(the same the services validate against), so clients can build pickers and check codes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from hl_api.catalogues import IndustryPublic, RegionPublic
from hl_api.values import QueryBool
from hl_catalogue import RegionCatalogue
from hl_contracts.vocabulary import INDUSTRIES
from hl_gateway.domain.access import Operation
from hl_gateway.entrypoints.docs import LOCAL_READ, problems
from hl_gateway.entrypoints.routes.spec import Route
from hl_platform.errors import NotFound
from hl_platform.identity import Caller


async def list_regions(
    caller: Caller,
    under: Annotated[str, Query(max_length=12, description="a region code: it and everything under it")] = "",
    children_only: Annotated[QueryBool, Query(description="only the direct children of `under`")] = False,
) -> list[RegionPublic]:
    """Everything under a region ("everything under 3710"), or its direct children."""
    catalogue = RegionCatalogue.load_default()
    if under and not catalogue.exists(under):
        raise NotFound(f"no region {under}")
    regions = catalogue.children(under) if children_only or not under else catalogue.under(under)
    return [RegionPublic(code=r.code, name=r.name, parent_code=r.parent_code, level=r.level) for r in regions]


async def list_industries(caller: Caller) -> list[IndustryPublic]:
    return [IndustryPublic(code=code, label=label) for code, label in INDUSTRIES.items()]


ROUTES = (
    Route(
        "list_regions",
        "GET",
        "/regions",
        "catalogues",
        "Reporting units under a region (区市/县/镇街/开发区)",
        "",
        Operation.READ_CATALOGUES,
        response_model=list[RegionPublic],
        responses=problems(401, 403, 404, 422, 429),
        endpoint=list_regions,
    ),
    Route(
        "list_industries",
        "GET",
        "/industries",
        "catalogues",
        "Industries (行业领域)",
        "",
        Operation.READ_CATALOGUES,
        response_model=list[IndustryPublic],
        responses=LOCAL_READ,
        endpoint=list_industries,
    ),
)
