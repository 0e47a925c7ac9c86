"""The enterprise service's HTTP application (internal: only the gateway calls it)."""

from __future__ import annotations

from fastapi import FastAPI

from hl_enterprise.bootstrap import build
from hl_enterprise.entrypoints.http import router
from hl_enterprise.settings import EnterpriseSettings
from hl_platform.http import create_service_app
from hl_platform.idempotency_store import purge_expired
from hl_platform.nats_io import stream_for
from hl_platform.runtime import Runtime


def create_app(settings: EnterpriseSettings | None = None) -> FastAPI:
    settings = settings or EnterpriseSettings()
    runtime = Runtime(settings, streams=[stream_for("enterprise")], publishes=True)
    enterprises = build(settings, runtime)
    runtime.background.append(lambda stop: purge_expired(enterprises.ledger, runtime.db, stop))
    app = create_service_app(runtime, [router], title="Hazard Ledger — enterprise service", description=__doc__ or "")
    app.state.enterprise_service = enterprises.service
    return app
