"""The caller of an internal service, as vouched for by the gateway.

The gateway authenticates a client, then calls a service with two headers: the shared internal
token (proof the call comes from the gateway) and the caller, base64url-encoded JSON (HTTP headers
are ASCII; names are Chinese). A service refuses any call without a valid token, so an identity
cannot be forged by calling a service directly.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request
from pydantic import ValidationError

from hl_platform.caller import LEVEL_OF_CODE_LENGTH, Caller, Level, Role, level_of, with_level
from hl_platform.errors import DomainError

# The caller's model lives in `caller.py` (pure, for the domains); these names stay importable here.
__all__ = [
    "CALLER_HEADER",
    "LEVEL_OF_CODE_LENGTH",
    "TOKEN_HEADER",
    "Caller",
    "CallerDep",
    "Level",
    "Role",
    "Unauthenticated",
    "caller_from_gateway",
    "level_of",
    "with_level",
]

TOKEN_HEADER = "X-HL-Internal-Token"
CALLER_HEADER = "X-HL-Caller"


class Unauthenticated(DomainError):
    status = 401
    title = "Unauthorized"


# `async` although it awaits nothing: FastAPI runs a plain `def` dependency on a worker thread.
async def caller_from_gateway(
    request: Request,
    token: Annotated[str | None, Header(alias=TOKEN_HEADER, include_in_schema=False)] = None,
    caller: Annotated[str | None, Header(alias=CALLER_HEADER, include_in_schema=False)] = None,
) -> Caller:
    expected: str = request.app.state.settings.internal_token
    if token is None or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthenticated("internal services accept calls from the gateway only")
    if caller is None:
        raise Unauthenticated(f"missing {CALLER_HEADER}")
    try:
        return Caller.decode(caller)
    except (ValueError, ValidationError) as exc:
        raise Unauthenticated(f"unreadable {CALLER_HEADER}") from exc


CallerDep = Annotated[Caller, Depends(caller_from_gateway)]
