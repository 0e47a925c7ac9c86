"""The unit of work a writing service's handlers run in, and running one once per Idempotency-Key.

A unit of work is one transaction: the aggregate's events with their outbox rows, the service's
own rows and the Idempotency-Key's record commit together or not at all (DESIGN "Never commit,
then publish"). Each service declares its unit of work in `application/ports.py` (what its
handlers need) and implements it over SQL in `adapters/unit_of_work.py`; unit tests pass a fake.
Pure: no database code here, so handlers and their fakes need none either.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Protocol, Self, TypeVar

from hl_platform.errors import Conflict
from hl_platform.idempotency import KeyTaken, RequestKey, Result, Written

TWIN_ATTEMPTS = 3


class KeyLedger(Protocol):
    """Idempotency keys in the unit's transaction (`hl_platform.idempotency_store`)."""

    async def claim(self, key: RequestKey) -> Result | None:
        """The remembered result of `key`, or None after claiming it for this transaction.
        `IdempotencyKeyReused` if it stood for another request; `KeyTaken` if a twin won."""
        ...

    async def complete(self, key: RequestKey, result: Result) -> None: ...


class UnitOfWork(Protocol):
    keys: KeyLedger

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Commit when the block ended normally, roll back when it raised."""
        ...


U = TypeVar("U", bound=UnitOfWork)


async def write_once(begin: Callable[[], U], key: RequestKey | None, work: Callable[[U], Awaitable[Result]]) -> Written:
    """Run `work` in a new unit of work, at most once per key: a retry gets the first result."""
    for _ in range(TWIN_ATTEMPTS):
        try:
            return await _attempt(begin, key, work)
        except KeyTaken:
            continue  # the twin has committed: the next attempt reads its answer
    # Only if each twin's answer expired meanwhile, three times over: let the client retry.
    raise Conflict("a request with this Idempotency-Key is being processed; retry")


async def _attempt(begin: Callable[[], U], key: RequestKey | None, work: Callable[[U], Awaitable[Result]]) -> Written:
    async with begin() as uow:
        if key is not None and (earlier := await uow.keys.claim(key)) is not None:
            return Written(earlier, replayed=True)
        result = await work(uow)
        if key is not None:
            await uow.keys.complete(key, result)
    return Written(result)
