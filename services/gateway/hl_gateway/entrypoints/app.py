"""The gateway's HTTP application: the public REST API of Hazard Ledger under /api/v1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from hl_api import backfill as backfill_api
from hl_gateway.bootstrap import build
from hl_gateway.domain.errors import GatewayError
from hl_gateway.entrypoints import console
from hl_gateway.entrypoints.docs import install_problem_schema
from hl_gateway.entrypoints.routes import attachments, webhooks
from hl_gateway.entrypoints.routes.generate import router_of
from hl_gateway.entrypoints.routes.table import PUBLIC_ROUTES
from hl_gateway.settings import GatewaySettings
from hl_platform.http import create_service_app
from hl_platform.problems import problem
from hl_platform.runtime import Runtime


def describe(settings: GatewaySettings) -> str:
    hours = settings.idempotency_ttl_s / 3600
    return f"""The public REST API of Hazard Ledger (安全生产事故隐患排查治理), for the provincial platform,
apps and other bureaus.

* **Authentication**: `Authorization: Bearer <key>` with an API key (`hl_…`, issued by an admin) or a
  JWT from the configured issuer (claims `role`, `region_code`, `level`, `department`,
  `enterprise_id`, `name`). Each identity sees and acts only inside its region (or enterprise):
  a record outside it is 404; a report or feed asked for a region outside it is 403.
* **Idempotency**: every POST and PATCH accepts an `Idempotency-Key` header. A retry with the same
  key and the same body gets the first success again — same status, body and id, header
  `Idempotent-Replayed: true` — even after a crash of the gateway or a service: the service that
  writes stores the key with the write. The same key with a different body is 422. Only successes
  are kept, so after a refusal (4xx) or a 5xx the same key may be retried. Keys are kept for
  **{settings.idempotency_ttl_s} s ({hours:g} h)**, per client.
* **Input** is strict: unknown fields and unknown query parameters are 422 naming them; booleans
  are `true`/`false` only; business times and dates lie between 2000-01-01 and 2100-12-31 (and
  business times not in the future).
* **Rate limits**: {settings.rate_limit_per_s:g} requests per second per client, bursts of up to
  {settings.rate_limit_burst}; beyond that 429 with `Retry-After`.
* **Tip-offs (有奖举报)**: `/api/v1/public/tips` needs no key: a tip is filed, followed and its
  reward claimed with its tracking number and the secret shown once (header `Tip-Secret`); these
  routes are limited to {settings.public_rate_limit_per_s:g} requests per second per client address,
  bursts of {settings.public_rate_limit_burst}. Officers handle tips under `/api/v1/tips`.
* **Concurrency**: writes to a hazard accept `If-Match: <version>` (its `ETag`); a stale one is 412.
* **Evidence** (佐证材料): files are uploaded as `multipart/form-data` to
  `/hazards/{{id}}/attachments` (at most {settings.attachment_max_body_bytes} bytes a request; each kind
  of file has its own limit, 5 MB for photos by default); their type is sniffed from the bytes and
  their SHA-256 recorded in `hazard.attachment_added`. Downloads are short-lived signed links.
* **Errors** are RFC 9457 `application/problem+json`; a service that is down is 503 (`Retry-After`),
  one that is too slow 504.
"""


def public_router() -> APIRouter:
    """/api/v1: every route of the public route table (`routes/table.py`), generated."""
    return router_of(PUBLIC_ROUTES)


def create_app(
    settings: GatewaySettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    settings = settings or GatewaySettings()
    runtime = Runtime(settings)
    gateway = build(settings, runtime, transport)
    app = create_service_app(
        runtime,
        [public_router(), webhooks.internal_router],
        title="Hazard Ledger API",
        description=describe(settings),
        serve_metrics=False,
        body_limits={
            attachments.UPLOAD_PATH: settings.attachment_max_body_bytes,
            backfill_api.BODY_LIMIT_PATTERN: backfill_api.MAX_BODY_BYTES,
        },
    )
    app.state.gateway = gateway
    install_problem_schema(app)
    console.install(app)  # the read-only web console under /console (not part of the REST contract)
    service_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_lifespan(app):
            await gateway.start()
            try:
                yield
            finally:
                await gateway.stop()

    app.router.lifespan_context = lifespan

    @app.exception_handler(GatewayError)
    async def _gateway_error(request: Request, exc: GatewayError) -> JSONResponse:
        return problem(
            exc.status,
            exc.title,
            exc.detail,
            slug=exc.slug,
            headers=exc.headers or None,
            instance=request.url.path,
            **exc.extensions,
        )

    return app
