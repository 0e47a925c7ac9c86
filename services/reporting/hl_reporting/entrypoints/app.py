"""The reporting service's HTTP application (internal: only the gateway calls it).

Every replica runs the projectors (they share the durable consumers) unless
HL_REPORTING_CONSUMERS_ENABLED=false makes it a pure reader. Which database and which durables
it uses is the active projection generation's (see application/generations.py).
"""

# The docstring is the service's OpenAPI description; its parts are wired in `bootstrap.py`.

from __future__ import annotations

from fastapi import FastAPI

from hl_platform.http import create_service_app
from hl_platform.runtime import Runtime
from hl_reporting import bootstrap
from hl_reporting.entrypoints import evaluation_http, http, list_routes, submission_routes
from hl_reporting.settings import ReportingSettings


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = Runtime(settings)  # it owns no stream: it reads those of hazard and enterprise
    wired = bootstrap.build(settings, runtime)
    runtime.prepare = wired.watch.prepare
    runtime.background.append(wired.watch.run)
    app = create_service_app(
        runtime,
        [http.router, submission_routes.router, list_routes.router, evaluation_http.router],
        title="Hazard Ledger — reporting service",
        description=__doc__ or "",
    )
    app.state.reporting = wired.service
    return app
