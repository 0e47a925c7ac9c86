"""Who is calling: an API key (`hl_…`) or a JWT from the configured issuer, as a `Caller`."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from hl_gateway.application.keys import ApiKeys
from hl_gateway.domain.credentials import caller_from_claims, looks_like_key
from hl_gateway.domain.errors import Unauthenticated
from hl_platform.errors import InvalidInput
from hl_platform.identity import Caller

Validity = Callable[[], Awaitable[bool]]


class TokenVerifier(Protocol):
    async def claims(self, token: str) -> dict[str, Any]:
        """The claims of a token whose signature, issuer, audience and expiry hold; else `Unauthenticated`."""
        ...


class Authenticator:
    def __init__(self, keys: ApiKeys, tokens: TokenVerifier | None = None) -> None:
        self.keys = keys
        self.tokens = tokens

    async def caller(self, bearer: str | None) -> Caller:
        if not bearer:
            raise Unauthenticated("send Authorization: Bearer <API key or JWT>")
        if looks_like_key(bearer):
            return await self.keys.authenticate(bearer)
        if self.tokens is None:
            raise Unauthenticated("not an API key, and this gateway accepts no JWTs")
        claims = await self.tokens.claims(bearer)
        try:
            return caller_from_claims(claims)
        except InvalidInput as exc:
            raise Unauthenticated(f"the token's claims do not make an identity: {exc.detail}") from None

    async def validity(self, bearer: str) -> Validity:
        """How to tell, later, whether a credential accepted now still holds. Long-lived answers
        (event streams) ask before every frame. A key: not revoked (in this process at once,
        elsewhere within the key cache's window; a cache hit costs a hash). A JWT cannot be
        revoked: it holds until its `exp`."""
        if looks_like_key(bearer):

            async def key_holds() -> bool:
                try:
                    await self.keys.authenticate(bearer)
                except Unauthenticated:
                    return False
                return True

            return key_holds
        if self.tokens is None:
            raise Unauthenticated("not an API key, and this gateway accepts no JWTs")
        expires = float((await self.tokens.claims(bearer))["exp"])

        async def token_holds() -> bool:
            return time.time() < expires

        return token_holds
