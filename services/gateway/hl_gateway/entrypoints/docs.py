"""What the OpenAPI document says about errors: every one is RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any

from hl_platform.problems import PROBLEM_SCHEMA

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


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {**PROBLEM_SCHEMA, "description": _MEANING[code]} for code in codes}


UPSTREAM = (502, 503, 504)
READ = problems(401, 403, 404, 422, 429, *UPSTREAM)
WRITE = problems(400, 401, 403, 404, 409, 412, 413, 422, 429, *UPSTREAM)
LOCAL_READ = problems(401, 403, 422, 429)
LOCAL_WRITE = problems(400, 401, 403, 404, 409, 413, 422, 429, 502, 503, 504)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"


def file_response(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    content = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {200: {"description": what, "content": content}, **READ}
