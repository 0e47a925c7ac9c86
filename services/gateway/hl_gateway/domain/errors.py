"""The errors the gateway adds to the platform's tree; each carries the headers its answer needs.

DomainError (hl_platform.errors)
└── GatewayError            any status, with response headers
    ├── Unauthenticated     401  no or bad credentials (WWW-Authenticate: Bearer)
    ├── RoleNotPermitted    403  the caller's role may not call this endpoint
    ├── OutsideRegion       403  a report or feed asked for a region outside the caller's
    ├── IdempotencyInFlight 409  the first request with this key is still being processed (API keys)
    ├── IdempotencyMismatch 422  the key was used before with another request
    ├── RateLimited         429  the client's token bucket is empty (Retry-After)
    ├── BadGateway          502  a service answered something that is not HTTP
    ├── UpstreamUnavailable 503  a service cannot be reached (Retry-After)
    └── UpstreamTimeout     504  a service did not answer in time
"""

from __future__ import annotations

import math
from typing import Any

from hl_platform.errors import DomainError
from hl_platform.idempotency import KEY_HEADER, REUSED


class GatewayError(DomainError):
    slug = "error"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.headers = headers or {}


class Unauthenticated(GatewayError):
    status = 401
    title = "Unauthorized"
    slug = "unauthenticated"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="hazard-ledger"'})


class RoleNotPermitted(GatewayError):
    status = 403
    title = "Forbidden"
    slug = "role-not-permitted"

    def __init__(self, role: str, operation: str) -> None:
        super().__init__(f"the role {role!r} may not {operation}", role=role, operation=operation)


class OutsideRegion(GatewayError):
    status = 403
    title = "Forbidden"
    slug = "outside-region"

    def __init__(self, region_code: str, scope: str) -> None:
        super().__init__(f"region {region_code} is outside your region {scope}", region_code=region_code)


class IdempotencyInFlight(GatewayError):
    status = 409
    title = "Conflict"
    slug = "idempotency-in-flight"

    def __init__(self) -> None:
        super().__init__("a request with this Idempotency-Key is still being processed; retry later")


class IdempotencyMismatch(GatewayError):
    status = 422
    title = "Invalid input"
    slug = "idempotency-key-reused"

    def __init__(self) -> None:
        super().__init__(f"{KEY_HEADER}: {REUSED}", errors=[{"field": KEY_HEADER, "reason": REUSED}])


class RateLimited(GatewayError):
    status = 429
    title = "Too many requests"
    slug = "rate-limited"

    def __init__(self, retry_after_s: float) -> None:
        seconds = max(1, math.ceil(retry_after_s))
        super().__init__(f"rate limit exceeded; retry in {seconds} s", headers={"Retry-After": str(seconds)})


class BadGateway(GatewayError):
    status = 502
    title = "Bad gateway"
    slug = "bad-gateway"


class UpstreamUnavailable(GatewayError):
    status = 503
    title = "Service unavailable"
    slug = "service-unavailable"

    def __init__(self, service: str, retry_after_s: int) -> None:
        super().__init__(
            f"the {service} service cannot be reached; retry later",
            headers={"Retry-After": str(retry_after_s)},
            service=service,
        )


class UpstreamTimeout(GatewayError):
    status = 504
    title = "Gateway timeout"
    slug = "gateway-timeout"

    def __init__(self, service: str) -> None:
        super().__init__(f"the {service} service did not answer in time", service=service)
