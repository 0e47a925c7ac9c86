"""The gateway: the public REST API of Hazard Ledger."""

from __future__ import annotations

from fastapi import FastAPI

from hl_gateway.settings import GatewaySettings
from hl_platform.http import create_service_app
from hl_platform.runtime import Runtime


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    runtime = Runtime(settings)
    return create_service_app(runtime, [], title="Hazard Ledger API", description=__doc__ or "")
