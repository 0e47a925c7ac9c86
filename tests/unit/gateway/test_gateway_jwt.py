"""JWT bearer tokens signed HS256 by the configured issuer: every check that must hold."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from hl_gateway.adapters.jwt_tokens import JwtVerifier
from hl_gateway.application.authenticate import Authenticator
from hl_gateway.application.keys import ApiKeys
from hl_gateway.domain.errors import Unauthenticated
from hl_gateway.settings import GatewaySettings
from tests.unit.gateway.fakes import MemoryKeyStore

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
ISSUER = "https://sso.example.gov.cn"


def settings(**overrides: Any) -> GatewaySettings:
    return GatewaySettings(jwt_issuer=ISSUER, jwt_secret=SECRET, jwt_leeway_s=0, **overrides)


def token(secret: str = SECRET, algorithm: str = "HS256", **overrides: Any) -> str:
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": "hazard-ledger",
        "sub": "sso-42",
        "exp": int(time.time()) + 300,
        "role": "inspector",
        "region_code": "3710",
        "department": "威海市应急管理局",
        "name": "王检查",
    }
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm=algorithm)


def authenticator() -> Authenticator:
    return Authenticator(ApiKeys(MemoryKeyStore()), JwtVerifier(settings()))


async def test_a_valid_token_is_the_caller_its_claims_describe() -> None:
    caller = await authenticator().caller(token())
    assert (caller.id, caller.role, caller.region_code, caller.department) == (
        "sso-42",
        "inspector",
        "3710",
        "威海市应急管理局",
    )


@pytest.mark.parametrize(
    "bad",
    [
        token(secret="another-secret-that-is-long-enough-for-hs256"),
        token(exp=int(time.time()) - 10),
        token(aud="someone-else"),
        token(iss="https://evil.example"),
        token(sub=None),
        token(exp=None),
        token(role="system"),
        token(role=None),
        token(role="supervisor", region_code="371002001"),  # no level (a town has none)
        token(region_code="37x"),
        "not-a-jwt",
    ],
    ids=[
        "signature",
        "expired",
        "audience",
        "issuer",
        "no-sub",
        "no-exp",
        "system",
        "no-role",
        "no-level",
        "region",
        "junk",
    ],
)
async def test_tokens_that_fail_a_check_are_401(bad: str) -> None:
    with pytest.raises(Unauthenticated) as refused:
        await authenticator().caller(bad)
    assert refused.value.status == 401 and refused.value.headers["WWW-Authenticate"].startswith("Bearer")


async def test_the_none_algorithm_is_refused() -> None:
    unsigned = jwt.encode({"iss": ISSUER, "aud": "hazard-ledger", "sub": "x", "exp": time.time() + 60}, "", "none")
    with pytest.raises(Unauthenticated):
        await authenticator().caller(unsigned)


async def test_without_an_issuer_only_api_keys_are_accepted() -> None:
    with pytest.raises(Unauthenticated, match="no JWTs"):
        await Authenticator(ApiKeys(MemoryKeyStore())).caller(token())
    with pytest.raises(Unauthenticated):
        await Authenticator(ApiKeys(MemoryKeyStore())).caller(None)


def test_an_issuer_needs_a_key_source_and_a_strong_secret() -> None:
    with pytest.raises(ValueError, match="jwt_secret"):
        GatewaySettings(jwt_issuer=ISSUER)
    with pytest.raises(ValueError, match="at least"):
        GatewaySettings(jwt_issuer=ISSUER, jwt_secret="short")
