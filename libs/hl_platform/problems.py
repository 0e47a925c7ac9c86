"""RFC 9457 problem details for every error a service returns.

Validation problems list each offending field with the rule it broke; domain errors carry their
extensions (`rule`, `current_state`, `existing_id`, `current_version`).
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from hl_platform.errors import DomainError
from hl_platform.eventstore import ConcurrencyError

log = structlog.get_logger(__name__)
PROBLEM_TYPE = "urn:hazard-ledger:problem:{slug}"
MEDIA_TYPE = "application/problem+json"

PROBLEM_SCHEMA: dict[str, Any] = {
    "description": "RFC 9457 problem details",
    "content": {
        MEDIA_TYPE: {
            "schema": {
                "type": "object",
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "instance": {"type": "string"},
                    "errors": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
                        },
                    },
                },
                "required": ["type", "title", "status"],
            }
        }
    },
}


def problem(
    status: int,
    title: str,
    detail: str = "",
    *,
    slug: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE.format(slug=slug or title.lower().replace(" ", "-")),
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body",)]
    return ".".join(parts) or "body"


def validation_problem(exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"field": _field_path(tuple(err.get("loc", ()))), "reason": err.get("msg", "invalid")} for err in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
    return problem(422, "Invalid input", detail, slug="invalid-input", errors=errors)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        slug = getattr(exc, "rule", None) or exc.title.lower().replace(" ", "-")
        headers = getattr(exc, "headers", None)  # e.g. Retry-After on a 503
        return problem(
            exc.status, exc.title, exc.detail, slug=slug, headers=headers, instance=request.url.path, **exc.extensions
        )

    @app.exception_handler(ConcurrencyError)
    async def _concurrency(request: Request, exc: ConcurrencyError) -> JSONResponse:
        return problem(409, "Concurrent modification", f"{exc}; reload and retry", slug="concurrent-modification")

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_problem(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized", 403: "Forbidden"}.get(
            exc.status_code, "Error"
        )
        return problem(exc.status_code, title, str(exc.detail or ""), headers=getattr(exc, "headers", None))

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # A value the database cannot store (the boundaries refuse known cases, e.g. U+0000).
        log.warning("storage.data_refused", path=request.url.path, error=str(exc.orig))
        return problem(422, "Invalid input", f"the database refused a value: {exc.orig}", slug="invalid-input")

    @app.exception_handler(OperationalError)
    async def _storage(request: Request, exc: OperationalError) -> JSONResponse:
        # Disk full, a read-only file, a database that went away: the write did not happen
        # (its transaction rolled back), so the client may safely retry later.
        log.error("storage.unavailable", path=request.url.path, error=str(exc.orig))
        return problem(
            503,
            "Storage unavailable",
            f"the database refused the operation: {exc.orig}; nothing was changed",
            slug="storage-unavailable",
            headers={"Retry-After": "30"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("http.unhandled", path=request.url.path)
        return problem(500, "Internal error", "an unexpected error occurred; it has been logged", slug="internal-error")
