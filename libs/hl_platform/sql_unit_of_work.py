"""The SQL unit of work every service builds on: one transaction of its database, and the
Idempotency-Key ledger in it.

`write=True` opens a write transaction (committed when the block ends, rolled back if it raises);
`write=False` a read, for queries. A service's unit of work binds its own adapters (repository,
read rows, replicas) to the transaction's one connection in `bind`, so that an aggregate's events,
their outbox rows, the read rows and the key's answer commit together or not at all.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from types import TracebackType
from typing import Generic, Self, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from hl_platform.db import Database
from hl_platform.idempotency_store import IdempotencyLedger, KeysInTransaction
from hl_platform.unit_of_work import KeyLedger


class SqlUnitOfWorkBase(ABC):
    keys: KeyLedger
    conn: AsyncConnection  # for adapters that write their own rows in the same transaction

    def __init__(self, db: Database, ledger: IdempotencyLedger, *, write: bool = True) -> None:
        self.db = db
        self.ledger = ledger
        self.write = write
        self._stack = contextlib.AsyncExitStack()

    @abstractmethod
    def bind(self, conn: AsyncConnection) -> None:
        """Give the service's adapters the transaction's connection."""

    async def __aenter__(self) -> Self:
        self.conn = await self._stack.enter_async_context(self.db.write() if self.write else self.db.read())
        self.keys = KeysInTransaction(self.conn, self.ledger)
        self.bind(self.conn)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self._stack.__aexit__(kind, error, trace)


U = TypeVar("U", bound=SqlUnitOfWorkBase)


class SqlUnitsOfWork(Generic[U]):
    """A service's `UnitOfWorkFactory`: units of work of one class on its database and ledger."""

    def __init__(self, unit: type[U], db: Database, ledger: IdempotencyLedger) -> None:
        self.unit = unit
        self.db = db
        self.ledger = ledger

    def __call__(self, *, write: bool = True) -> U:
        return self.unit(self.db, self.ledger, write=write)
