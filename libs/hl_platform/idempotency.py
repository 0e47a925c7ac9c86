"""Idempotency-Key, the parts every writer shares: the key's form, the request's fingerprint, and
the key as a writing service receives it (scoped to the client the gateway vouches for).

A client may retry a write with the same key; the first successful answer is the answer. The
writing service is the truth: it stores the key with the events, in one transaction, so that
a retry after any crash (of the gateway, of the service, of the connection) finds it. The
gateway keeps a copy of each answer as a fast path. Only successes are kept: a refused request
wrote nothing, so a retry is decided afresh.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from hl_platform.errors import InvalidInput

KEY_HEADER: Final = "Idempotency-Key"
REPLAY_HEADER: Final = "Idempotent-Replayed"
MAX_KEY_LENGTH: Final = 255
REUSED: Final = "already used with a different request (method, path or body)"


def check_key(key: str) -> str:
    """Keys are 1–255 visible ASCII characters (a UUID is the usual choice)."""
    if not 0 < len(key) <= MAX_KEY_LENGTH or not all("!" <= char <= "~" for char in key):
        raise InvalidInput(KEY_HEADER, f"must be 1 to {MAX_KEY_LENGTH} visible ASCII characters")
    return key


def _body_digest(body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The request's identity for replay: same method, path and (JSON-equal) body."""
    return hashlib.sha256(f"{method.upper()} {path}\n{_body_digest(body)}".encode()).hexdigest()


class IdempotencyKeyReused(InvalidInput):
    """422: the key was used before, by this client, for another request."""

    rule = "idempotency-key-reused"  # the problem's type

    def __init__(self) -> None:
        super().__init__(KEY_HEADER, REUSED)


@dataclass(frozen=True)
class RequestKey:
    """A request's Idempotency-Key at a writing service: whose, which, and what it was for."""

    client_id: str
    key: str
    fingerprint: str


Result = dict[str, Any]  # JSON-ready: what the service answered


class Written(NamedTuple):
    """A write's answer, and whether it is the remembered answer of an earlier request."""

    result: Result
    replayed: bool = False


class KeyTaken(Exception):
    """A concurrent request with the same key committed first: read its answer."""
