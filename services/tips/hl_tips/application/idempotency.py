"""Idempotency-Key in the writing service: the key is stored in the same transaction as the events
it caused, so a retry after any crash — of the client, the gateway or this service — gets the first
answer, and never a second tip (DESIGN "POSTs accept an Idempotency-Key").

Keys are scoped to the client (the gateway's caller id; "public" for the unauthenticated intake)
and stored hashed: for the intake, the key is what lets a retry obtain the tip's secret again.

Why not `hl_platform.unit_of_work.write_once`: its replay only returns the stored answer, while
the intake's replay must work in the replaying transaction (the first secret was never stored,
so a new one is issued and its hash replaces the old); its ledger keeps keys in plain and holds
no tip id; and the fingerprints here (raw body) are those of the records already stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hl_platform.errors import DomainError
from hl_tips.application.ports import IdempotencyRecord, UnitOfWork

MAX_KEY_LENGTH = 200


class KeyReused(DomainError):
    status = 422
    title = "Invalid input"

    def __init__(self) -> None:
        reason = "already used with a different request (method, path or body)"
        super().__init__(f"Idempotency-Key: {reason}", errors=[{"field": "Idempotency-Key", "reason": reason}])


@dataclass(frozen=True)
class Once:
    """A request's Idempotency-Key, its client and the fingerprint of what it asks."""

    client_id: str
    key: str
    fingerprint: str

    @property
    def key_hash(self) -> str:
        return hashlib.sha256(self.key.encode()).hexdigest()


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join((method.encode(), path.encode(), body))).hexdigest()


async def replayed(uow: UnitOfWork, once: Once | None, now: datetime) -> IdempotencyRecord | None:
    """The first answer to this key, if there was one (and it has not expired)."""
    if once is None:
        return None
    record = await uow.idempotency.get(once.client_id, once.key_hash)
    if record is None or record.expires_at <= now:
        return None
    if record.fingerprint != once.fingerprint:
        raise KeyReused()
    return record


async def remember(
    uow: UnitOfWork, once: Once | None, tip_id: str, response: dict[str, Any], now: datetime, ttl: timedelta
) -> None:
    if once is not None:
        record = IdempotencyRecord(once.client_id, once.key_hash, once.fingerprint, tip_id, response, now + ttl)
        await uow.idempotency.put(record, now)
