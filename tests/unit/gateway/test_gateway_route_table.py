"""The public route table is the whole public API, and no internal route is forgotten: each route
of each service's FastAPI app is behind a public route of the table or marked internal with a
reason; each row forwards to a route that exists; each public route documents its answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from hl_enterprise.entrypoints.app import create_app as enterprise_app
from hl_enterprise.settings import EnterpriseSettings
from hl_gateway.entrypoints.app import create_app as gateway_app
from hl_gateway.entrypoints.routes.spec import Route
from hl_gateway.entrypoints.routes.table import INTERNAL_ONLY, PUBLIC_ROUTES
from hl_gateway.settings import GatewaySettings
from hl_hazard.entrypoints.app import create_app as hazard_app
from hl_hazard.settings import HazardSettings
from hl_reporting.entrypoints.app import create_app as reporting_app
from hl_reporting.settings import ReportingSettings
from hl_tips.entrypoints.app import create_app as tips_app
from hl_tips.settings import TipsSettings
from hl_webhooks.entrypoints.app import create_app as webhooks_app
from hl_webhooks.settings import WebhooksSettings

Key = tuple[str, str, str]  # service, method, path with its parameters unnamed


def _shape(path: str) -> str:
    return re.sub(r"{[^}]+}", "{}", path)


SHARED = ("hl_platform.", "fastapi_offline.")  # what every app serves: health, metrics, its docs


def _routes(app: FastAPI) -> set[tuple[str, str]]:
    """A service's own routes, as the app serves them (its included routers flattened)."""
    return {
        (method, _shape(str(context.path)))
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and not context.endpoint.__module__.startswith(SHARED)
        for method in context.methods or ()
        if method != "HEAD"
    }


@pytest.fixture(scope="module")
def internal_routes(tmp_path_factory: pytest.TempPathFactory) -> set[Key]:
    """Every route of every service behind the gateway, as the service's own app serves it."""
    data: Path = tmp_path_factory.mktemp("services")
    apps = {
        "hazard": hazard_app(HazardSettings(data_dir=data)),
        "enterprise": enterprise_app(EnterpriseSettings(data_dir=data)),
        "reporting": reporting_app(ReportingSettings(data_dir=data)),
        "tips": tips_app(TipsSettings(data_dir=data)),
        "webhooks": webhooks_app(WebhooksSettings(data_dir=data)),
    }
    return {(service, method, path) for service, app in apps.items() for method, path in _routes(app)}


def _forwarded() -> set[Key]:
    return {
        (row.upstream.service, row.method, _shape(row.upstream.path))
        for row in PUBLIC_ROUTES
        if row.upstream is not None
    }


def _marked() -> set[Key]:
    return {(mark.service, mark.method, _shape(mark.path)) for mark in INTERNAL_ONLY}


def test_every_internal_route_is_public_or_marked_internal(internal_routes: set[Key]) -> None:
    forgotten = sorted(internal_routes - _forwarded() - _marked())
    assert forgotten == [], "neither in the public route table nor marked internal"


def test_every_row_relays_to_a_route_that_exists(internal_routes: set[Key]) -> None:
    assert sorted((_forwarded() | _marked()) - internal_routes) == []
    assert all(mark.reason for mark in INTERNAL_ONLY)


def test_the_gateway_serves_exactly_the_table(tmp_path: Path) -> None:
    app = gateway_app(GatewaySettings(data_dir=tmp_path))
    served = set(_api_routes(app))
    assert served == {(row.method, row.public_path) for row in PUBLIC_ROUTES}
    assert len(PUBLIC_ROUTES) == len(_api_routes(app)) == len(served), "a route declared twice"
    assert len({row.name for row in PUBLIC_ROUTES}) == len(PUBLIC_ROUTES), "operation ids must differ"


def _api_routes(app: FastAPI) -> list[tuple[str, str]]:
    return [
        (method, str(context.path))
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and str(context.path).startswith("/api/v1")
        for method in context.methods or ()
    ]


@pytest.mark.parametrize("row", PUBLIC_ROUTES, ids=lambda row: f"{row.method} {row.path}")
def test_every_public_route_declares_its_answer(row: Route) -> None:

    documented = row.response_model is not None or row.status == 204 or "content" in row.responses.get(200, {})
    assert documented, "a public route declares its response model (or the file or stream it sends)"
    assert row.summary, "the summary is the operation's title in the documentation"
    assert row.permission is not None or row.public_limited, "a route without credentials is limited per address"
