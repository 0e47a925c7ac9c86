"""Who is calling: an API key (`hl_…`) or a JWT from the configured issuer, as a `Caller`."""

from __future__ import annotations

from typing import Any, Protocol

from hl_gateway.application.keys import ApiKeys
from hl_gateway.domain.credentials import caller_from_claims, looks_like_key
from hl_gateway.domain.errors import Unauthenticated
from hl_platform.errors import InvalidInput
from hl_platform.identity import Caller


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
