"""The SQL unit of work every service builds on: one transaction of its database (`SqlTransaction`),
and for a service that writes events the Idempotency-Key ledger in it (`SqlUnitOfWorkBase`).

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


class SqlTransaction(ABC):
    """One transaction of a service's database, its adapters bound to the one connection."""

    conn: AsyncConnection  # for adapters that write their own rows in the same transaction

    def __init__(self, db: Database, *, write: bool = True) -> None:
        self.db = db
        self.write = write
        self._stack = contextlib.AsyncExitStack()

    @abstractmethod
    def bind(self, conn: AsyncConnection) -> None:
        """Give the service's adapters the transaction's connection."""

    async def __aenter__(self) -> Self:
        self.conn = await self._stack.enter_async_context(self.db.write() if self.write else self.db.read())
        self.opened(self.conn)
        self.bind(self.conn)
        return self

    def opened(self, conn: AsyncConnection) -> None:  # noqa: B027 (an optional hook)
        """What every unit of this kind binds, before the service's own adapters."""

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self._stack.__aexit__(kind, error, trace)


class SqlUnitOfWorkBase(SqlTransaction):
    """A unit of work of a service that writes events: the transaction and its Idempotency-Key ledger."""

    keys: KeyLedger

    def __init__(self, db: Database, ledger: IdempotencyLedger, *, write: bool = True) -> None:
        super().__init__(db, write=write)
        self.ledger = ledger

    def opened(self, conn: AsyncConnection) -> None:
        self.keys = KeysInTransaction(conn, self.ledger)


U = TypeVar("U", bound=SqlUnitOfWorkBase)


class SqlUnitsOfWork(Generic[U]):
    """A service's `UnitOfWorkFactory`: units of work of one class on its database and ledger."""

    def __init__(self, unit: type[U], db: Database, ledger: IdempotencyLedger) -> None:
        self.unit = unit
        self.db = db
        self.ledger = ledger

    def __call__(self, *, write: bool = True) -> U:
        return self.unit(self.db, self.ledger, write=write)
