"""Secrets hashed with scrypt (`hashlib.scrypt`, memory-hard), each with its own salt.

A tip's secret has 80 random bits, so the hash is not what stands between a thief of the database
and the secrets; it keeps the stored value useless by itself, as for any password. Hashing runs on
a worker thread: its tens of milliseconds of CPU must not stall the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
_ZEROS = f"{base64.b64encode(bytes(SALT_BYTES)).decode()}${base64.b64encode(bytes(HASH_BYTES)).decode()}"


def _derive(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES, maxmem=64 * 1024 * 1024)


class ScryptHasher:
    def __init__(self, n: int = N) -> None:
        self.n = n  # tests may lower the cost
        self._dummy = f"{SCHEME}${n}${R}${P}${_ZEROS}"  # checked for unknown numbers: the same time spent

    async def hash(self, secret: str) -> str:
        salt = os.urandom(SALT_BYTES)
        digest = await asyncio.to_thread(_derive, secret, salt, self.n, R, P)
        return f"{SCHEME}${self.n}${R}${P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"

    async def verify(self, secret: str, hashed: str | None) -> bool:
        scheme, n, r, p, salt, digest = (hashed or self._dummy).split("$")
        if scheme != SCHEME:
            return False
        derived = await asyncio.to_thread(_derive, secret or "-", base64.b64decode(salt), int(n), int(r), int(p))
        return hashed is not None and bool(secret) and hmac.compare_digest(derived, base64.b64decode(digest))
