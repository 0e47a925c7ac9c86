"""FastAPI dependencies: the gateway's parts, the authenticated caller, and the role check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hl_gateway.bootstrap import Gateway
from hl_gateway.domain.access import Operation, authorize
from hl_gateway.domain.errors import Unauthenticated
from hl_platform.identity import Caller

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An API key (`hl_…`, issued with POST /api/v1/api-keys) or a JWT from the configured issuer.",
)


# Dependencies are `async` although they await nothing: FastAPI runs a plain `def` on a worker thread.
async def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(gateway_of)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def authenticated(request: Request, gateway: GatewayDep, credentials: Credentials) -> Caller:
    """The caller behind the bearer credential, charged one request against its rate limit."""
    try:
        caller = await gateway.authenticator.caller(credentials.credentials if credentials else None)
    except Unauthenticated:
        # Failed attempts are limited per address, so keys cannot be guessed at full speed.
        gateway.limiter.take(f"address:{request.client.host if request.client else '?'}")
        raise
    gateway.limiter.take(caller.id)
    return caller


def allowed(operation: Operation) -> Any:
    """`Depends` on an authenticated caller whose role may perform `operation` (else 403)."""

    async def caller_allowed(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
        return authorize(caller, operation)

    return Depends(caller_allowed)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="any unique string (a UUID); a retry with the same key and body gets the first answer",
    ),
]
IfMatch = Annotated[
    str | None, Header(alias="If-Match", max_length=40, description="the hazard version you last read (its ETag)")
]
