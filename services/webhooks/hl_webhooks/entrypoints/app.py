"""The webhooks service's HTTP application (internal: only the gateway calls it), and its deliverer.

Every replica consumes the public streams (durable pull consumers shared by the replicas: each
event is fanned out by one of them) and runs a dispatcher (each delivery is claimed by one of
them). HL_WEBHOOKS_CONSUMERS_ENABLED=false makes a replica an API server only.
"""

# The docstring is the service's OpenAPI description; its parts are wired in `bootstrap.py`.

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hl_platform.http import create_service_app
from hl_platform.runtime import Runtime
from hl_webhooks import bootstrap
from hl_webhooks.entrypoints.http import router
from hl_webhooks.settings import WebhooksSettings


def create_app(settings: WebhooksSettings | None = None) -> FastAPI:
    settings = settings or WebhooksSettings()
    runtime = Runtime(settings)  # it owns no stream: it reads those of hazard and enterprise
    wired = bootstrap.build(settings, runtime)
    if settings.consumers_enabled:
        runtime.background += [runner.run for runner in wired.consumers]
        runtime.background.append(wired.dispatcher.run)
    app = create_service_app(runtime, [router], title="Hazard Ledger — webhooks service", description=__doc__ or "")
    app.state.subscriptions = wired.subscriptions
    app.state.dispatcher = wired.dispatcher
    service_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_lifespan(app):
            yield
        for close in wired.closers:
            await close()

    app.router.lifespan_context = lifespan
    return app
