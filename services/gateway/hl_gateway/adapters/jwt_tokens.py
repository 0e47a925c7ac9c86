"""JWT bearer tokens from the configured issuer: HS256 with a shared secret, or the issuer's
public keys fetched from its JWKS URL (cached; fetched off the event loop)."""

from __future__ import annotations

import asyncio
from typing import Any

import jwt

from hl_gateway.domain.errors import Unauthenticated
from hl_gateway.settings import GatewaySettings

REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]


class JwtVerifier:
    def __init__(self, settings: GatewaySettings) -> None:
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.leeway = settings.jwt_leeway_s
        self.secret = settings.jwt_secret
        self.algorithms = ["HS256"] if settings.jwt_secret else list(settings.jwt_algorithms)
        self.jwks = (
            jwt.PyJWKClient(settings.jwt_jwks_url, cache_keys=True, lifespan=300)
            if settings.jwt_jwks_url and not settings.jwt_secret
            else None
        )

    async def claims(self, token: str) -> dict[str, Any]:
        try:
            key: Any = self.secret
            if self.jwks is not None:
                key = (await asyncio.to_thread(self.jwks.get_signing_key_from_jwt, token)).key
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWKClientError as exc:
            raise Unauthenticated(f"cannot get the issuer's signing key: {exc}") from None
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from None
        return claims
