"""An in-memory Idempotency-Key ledger for the fake units of work of the unit tests: it keeps
keys in the fake's state, so a rolled-back unit forgets its claim as the SQL ledger would."""

from __future__ import annotations

from dataclasses import dataclass, field

from hl_platform.idempotency import IdempotencyKeyReused, RequestKey, Result


@dataclass
class KeyRecords:
    """(client, key) → (fingerprint, result): the `idempotency_keys` table of a fake store."""

    rows: dict[tuple[str, str], tuple[str, Result | None]] = field(default_factory=dict)


class FakeKeys:
    def __init__(self, records: KeyRecords) -> None:
        self.records = records

    async def claim(self, key: RequestKey) -> Result | None:
        row = self.records.rows.get((key.client_id, key.key))
        if row is not None:
            fingerprint, result = row
            if fingerprint != key.fingerprint:
                raise IdempotencyKeyReused()
            return result
        self.records.rows[(key.client_id, key.key)] = (key.fingerprint, None)
        return None

    async def complete(self, key: RequestKey, result: Result) -> None:
        self.records.rows[(key.client_id, key.key)] = (key.fingerprint, result)
