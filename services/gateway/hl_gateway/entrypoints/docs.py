"""What the OpenAPI document says about errors: every one is RFC 9457 problem+json."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI

from hl_platform.problems import MEDIA_TYPE, PROBLEM_SCHEMA

# The problem body is one named schema that every error answer refers to: inlined, it was a new
# anonymous type per operation and status (about 1,500 of them in a generated client).
PROBLEM = "Problem"
PROBLEM_BODY: dict[str, Any] = {"title": PROBLEM, **PROBLEM_SCHEMA["content"][MEDIA_TYPE]["schema"]}

_MEANING = {
    400: "the body is not JSON at all (unreadable bytes)",
    401: "no or invalid credentials (WWW-Authenticate: Bearer)",
    403: "the caller's role may not do this, or the region asked for is outside its own",
    404: "no such record, or none the caller may see",
    409: "illegal transition or duplicate (POST /api-keys: a request with this Idempotency-Key still in flight)",
    412: "If-Match names a version that is no longer current",
    413: "request body over 1 MiB",
    422: "invalid input or an unknown query parameter (named, with the rule), or an Idempotency-Key reused",
    429: "rate limit exceeded (Retry-After)",
    502: "a service gave an invalid answer",
    503: "a service cannot be reached (Retry-After)",
    504: "a service did not answer in time",
}


def problems(*codes: int, meanings: Mapping[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """Error answers: problem+json, the body the document's one `Problem` schema, described by
    `meanings` or else by the code's usual meaning."""
    body = {MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{PROBLEM}"}}}
    return {code: {"description": (meanings or _MEANING)[code], "content": body} for code in codes}


def install_problem_schema(app: FastAPI) -> None:
    """Put the `Problem` schema that every error answer refers to into `app`'s OpenAPI document."""
    document_of: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        document = document_of()  # built once, then cached by FastAPI
        if fresh:
            document.setdefault("components", {}).setdefault("schemas", {})[PROBLEM] = PROBLEM_BODY
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the document


UPSTREAM = (502, 503, 504)
READ = problems(401, 403, 404, 422, 429, *UPSTREAM)
WRITE = problems(400, 401, 403, 404, 409, 412, 413, 422, 429, *UPSTREAM)
LOCAL_READ = problems(401, 403, 422, 429)
LOCAL_WRITE = problems(400, 401, 403, 404, 409, 413, 422, 429, 502, 503, 504)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"


def file_response(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    """A file's answer: CSV is text (a string), a workbook is bytes (a binary string)."""
    body = {"type": "string"} if media_type.startswith("text/") else {"type": "string", "format": "binary"}
    content = {media_type: {"schema": body}}
    return {200: {"description": what, "content": content}, **READ}
