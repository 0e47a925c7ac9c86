"""The common shape of every service's HTTP app: problem+json errors, a body size limit,
/healthz, /readyz, /metrics (unless the service serves it elsewhere) and API docs whose assets
come from the installed `fastapi-offline` package, never a CDN (they work on a closed network).
Request spans come from FastAPI's own OpenTelemetry support, which continues the caller's W3C
trace context."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hl_platform.problems import MEDIA_TYPE, PROBLEM_TYPE, install_problem_handlers
from hl_platform.runtime import Runtime

MAX_BODY_BYTES = 1_048_576


class BodyLimitMiddleware:
    """413 for bodies over the limit, whether announced by Content-Length or streamed.

    The body is read (up to the limit) before the app sees the request, so a streamed oversized
    body is refused as clearly as an announced one, and nothing of it reaches a handler.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES, larger: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        # Paths (regular expressions) that take larger bodies, e.g. file uploads, with their limits.
        self.larger = [(re.compile(pattern), size) for pattern, size in (larger or {}).items()]

    def limit_for(self, path: str) -> int:
        return next((size for pattern, size in self.larger if pattern.match(path)), self.limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._reject(scope, receive, send, limit)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > limit:
                await self._reject(scope, receive, send, limit)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        body = {
            "type": PROBLEM_TYPE.format(slug="payload-too-large"),
            "title": "Payload too large",
            "status": 413,
            "detail": f"request bodies are limited to {limit} bytes here",
        }
        await JSONResponse(body, status_code=413, media_type=MEDIA_TYPE)(scope, receive, send)


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names


def declared_query(route: APIRoute) -> set[str]:
    """The query parameters `route` declares, its dependencies' included (as the OpenAPI lists them).
    A walk of a few objects: cheaper than any cache keyed by route."""
    return _query_names(route.dependant)


async def reject_unknown_query(request: Request) -> None:
    """A router dependency: 422 naming each query parameter the route does not declare.

    A misspelt filter (`?stauts=closed`) would otherwise be ignored and answer as if none were
    given, which a client cannot tell from a correct empty result. It reads the declarations of
    the matched route, so it adds no parameter of its own to the OpenAPI document.
    """
    route = request.scope.get("route")
    if not request.query_params or not isinstance(route, APIRoute):
        return
    declared = declared_query(route)
    unknown = [name for name in dict.fromkeys(request.query_params.keys()) if name not in declared]
    if unknown:
        known = ", ".join(sorted(declared)) or "none"
        raise RequestValidationError(
            [
                {"type": "extra_forbidden", "loc": ("query", name), "msg": f"unknown query parameter (known: {known})"}
                for name in unknown
            ]
        )


def metrics_response() -> Response:
    """This process's Prometheus metrics in the text exposition format."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def health_router(runtime: Runtime, *, metrics: bool = True) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: the database and NATS are reachable")
    async def readyz() -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            await runtime.db.ping()
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {exc.__class__.__name__}"
        checks.update(runtime.nats_checks())  # connected; a publisher's JetStream storing
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
        )

    if metrics:

        @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
        async def prometheus_metrics() -> Response:
            return metrics_response()

    return router


def create_service_app(
    runtime: Runtime,
    routers: Sequence[APIRouter],
    *,
    title: str,
    description: str,
    serve_metrics: bool = True,
    body_limits: Mapping[str, int] | None = None,
    **fastapi_kwargs: Any,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPIOffline(title=title, description=description, version="1.0.0", lifespan=lifespan, **fastapi_kwargs)
    app.state.settings = runtime.settings
    app.state.runtime = runtime
    install_problem_handlers(app)
    app.add_middleware(BodyLimitMiddleware, larger=body_limits)
    app.include_router(health_router(runtime, metrics=serve_metrics))
    for router in routers:
        app.include_router(router)
    return app
