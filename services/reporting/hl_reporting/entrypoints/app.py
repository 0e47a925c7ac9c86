"""The reporting service's HTTP application (internal: only the gateway calls it).

Every replica runs the projectors (they share the durable consumers) unless
HL_REPORTING_CONSUMERS_ENABLED=false makes it a pure reader. Which database and which durables
it uses is the active projection generation's (see application/generations.py).
"""

from __future__ import annotations

from fastapi import FastAPI

from hl_platform.http import create_service_app
from hl_platform.runtime import Runtime
from hl_reporting.adapters.evaluation_schemes import FileSchemeStore
from hl_reporting.application.generations import GenerationWatch
from hl_reporting.entrypoints import evaluation_http, http, list_routes, submission_routes
from hl_reporting.settings import ReportingSettings


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = Runtime(settings)  # it owns no stream: it reads those of hazard and enterprise
    watch = GenerationWatch(runtime, interval=settings.generation_check_interval_s)
    runtime.prepare = watch.prepare
    runtime.background.append(watch.run)
    app = create_service_app(
        runtime,
        [http.router, submission_routes.router, list_routes.router, evaluation_http.router],
        title="Hazard Ledger — reporting service",
        description=__doc__ or "",
    )
    app.state.evaluation_schemes = FileSchemeStore.from_folder(settings.evaluation_schemes_dir or None)
    return app
