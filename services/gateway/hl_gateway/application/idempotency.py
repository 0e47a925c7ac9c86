"""Idempotency-Key, end to end: look the key up, claim it, run the request once, remember the
final answer. The store's unique (client, key) makes a concurrent duplicate lose the claim."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from hl_gateway.domain.errors import IdempotencyInFlight
from hl_gateway.domain.idempotency import Outcome, Record, decide
from hl_gateway.domain.reply import Reply

Clock = Callable[[], datetime]
Redact = Callable[[Reply], Reply]


class IdempotencyStore(Protocol):
    async def get(self, client_id: str, key: str) -> Record | None: ...
    async def claim(self, record: Record, replacing: Record | None) -> bool:
        """Insert `record` (after removing `replacing`, if still there); False if another got there first."""
        ...

    async def complete(self, client_id: str, key: str, reply: Reply) -> None: ...
    async def release(self, client_id: str, key: str) -> None: ...
    async def purge(self, now: datetime) -> int: ...


class IdempotencyGuard:
    def __init__(
        self, store: IdempotencyStore, ttl: timedelta, in_flight: timedelta, clock: Clock | None = None
    ) -> None:
        self.store = store
        self.ttl = ttl
        self.in_flight = in_flight
        self.clock = clock or (lambda: datetime.now(UTC))

    async def run(
        self,
        client_id: str,
        key: str,
        fingerprint: str,
        call: Callable[[], Awaitable[Reply]],
        redact: Redact | None = None,
    ) -> tuple[Reply, bool]:
        """The reply to the request, and whether it is a replay of the first one."""
        replayed = await self._claim(client_id, key, fingerprint)
        if replayed is not None:
            return replayed, True
        try:
            reply = await call()
        except BaseException:
            await asyncio.shield(self.store.release(client_id, key))
            raise
        if reply.final:
            await self.store.complete(client_id, key, redact(reply) if redact else reply)
        else:
            await self.store.release(client_id, key)
        return reply, False

    async def _claim(self, client_id: str, key: str, fingerprint: str) -> Reply | None:
        for _ in range(3):  # a lost race is re-decided on what the winner wrote
            record = await self.store.get(client_id, key)
            now = self.clock()
            if decide(record, fingerprint, now, self.in_flight) is Outcome.REPLAY:
                assert record is not None and record.response is not None
                return record.response
            claim = Record(client_id, key, fingerprint, created_at=now, expires_at=now + self.ttl)
            if await self.store.claim(claim, replacing=record):
                return None
        raise IdempotencyInFlight()
