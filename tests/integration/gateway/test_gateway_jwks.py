"""JWTs signed with the issuer's own keys, published as a JWKS over HTTP (served locally here)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from hl_gateway.adapters.jwt_tokens import JwtVerifier
from hl_gateway.application.authenticate import Authenticator
from hl_gateway.application.keys import ApiKeys
from hl_gateway.domain.errors import Unauthenticated
from hl_gateway.settings import GatewaySettings
from tests.unit.gateway.fakes import MemoryKeyStore

ISSUER = "https://sso.example.gov.cn"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def jwks_url(tmp_path: Path) -> Iterator[str]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def claims(**overrides: Any) -> dict[str, Any]:
    base = {"iss": ISSUER, "aud": "hazard-ledger", "sub": "sso-42", "exp": int(time.time()) + 300}
    return {**base, "role": "platform", "region_code": "37", "name": "省平台", **overrides}


async def test_a_token_signed_with_a_key_from_the_issuers_jwks_is_accepted(jwks_url: str) -> None:
    verifier = JwtVerifier(GatewaySettings(jwt_issuer=ISSUER, jwt_jwks_url=jwks_url))
    signed = jwt.encode(claims(), KEY, "RS256", {"kid": "k1"})
    caller = await Authenticator(ApiKeys(MemoryKeyStore()), verifier).caller(signed)
    assert (caller.id, caller.role, caller.region_code) == ("sso-42", "platform", "37")

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for bad in (
        jwt.encode(claims(), KEY, "RS256", {"kid": "k2"}),  # a key the issuer never published
        jwt.encode(claims(), other_key, "RS256", {"kid": "k1"}),  # forged with another key
        jwt.encode(claims(), "a-shared-secret-that-is-long-enough-for-hs256", "HS256", {"kid": "k1"}),
    ):
        with pytest.raises(Unauthenticated):
            await verifier.claims(bad)
