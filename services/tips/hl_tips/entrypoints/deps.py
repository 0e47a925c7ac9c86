"""FastAPI dependencies of the tips service: its parts, the gateway's vouching, Idempotency-Key."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from hl_api.tips import SECRET_HEADER
from hl_platform.errors import InvalidInput
from hl_platform.identity import TOKEN_HEADER, Unauthenticated
from hl_tips.application.idempotency import MAX_KEY_LENGTH, Once, fingerprint
from hl_tips.bootstrap import TipsService

PUBLIC_CLIENT = "public"
REPLAY_HEADER = "Idempotent-Replayed"


async def tips_service(request: Request) -> TipsService:  # async: no worker thread per request
    service: TipsService = request.app.state.tips
    return service


ServiceDep = Annotated[TipsService, Depends(tips_service)]


async def from_gateway(
    request: Request, token: Annotated[str | None, Header(alias=TOKEN_HEADER, include_in_schema=False)] = None
) -> None:
    """The public routes have no caller, but still only the gateway (which rate-limits them) may call."""
    expected: str = request.app.state.settings.internal_token
    if token is None or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthenticated("internal services accept calls from the gateway only")


async def once_for(client_id: str, request: Request, key: str | None) -> Once | None:
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise InvalidInput("Idempotency-Key", f"must be 1 to {MAX_KEY_LENGTH} characters")
    return Once(client_id, key, fingerprint(request.method, request.url.path, await request.body()))


IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
Secret = Annotated[str, Header(alias=SECRET_HEADER, max_length=64, description="the secret the tip was filed with")]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=40)]


def parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip().strip('W/"').strip('"'))
    except ValueError:
        raise InvalidInput("If-Match", "must be the tip's version number") from None
