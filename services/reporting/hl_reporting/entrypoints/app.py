"""The reporting service's HTTP application (internal: only the gateway calls it)."""

from __future__ import annotations

from fastapi import FastAPI

from hl_platform.http import create_service_app
from hl_platform.nats_io import stream_for
from hl_platform.runtime import Runtime
from hl_reporting.settings import ReportingSettings


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = Runtime(settings, streams=[stream_for("hazard"), stream_for("enterprise")], publishes=False)
    return create_service_app(runtime, [], title="Hazard Ledger — reporting service", description=__doc__ or "")
