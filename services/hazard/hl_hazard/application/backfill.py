"""The backfill handler: a batch of hazards with their histories, decided item by item, written in
one transaction.

Each item is decided in memory by the aggregate (`domain/backfill.py`); the valid ones' events,
outbox rows and summary rows are then written together in bulk, with each item's key, so that a
refused item writes nothing and a batch writes all its valid items or (on a crash) none. A key
names a hazard for good (per client): re-sent, the item answers `duplicate` with the hazard's id,
however long after; re-sent with other content, it is refused rather than taken for the first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal, Protocol

from hl_hazard.application.ports import Clock
from hl_hazard.application.service import principal_of
from hl_hazard.domain.backfill import BackfillHazard, ItemRefused, record_history
from hl_hazard.domain.enterprise import EnterpriseSnapshot
from hl_hazard.domain.evidence import EvidenceRules
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.policies import Principal
from hl_platform.caller import Caller
from hl_platform.errors import Conflict, DomainError, InvalidInput, NotFound, RuleViolation
from hl_platform.ids import new_id
from hl_platform.unit_of_work import UnitOfWork as Transaction

ATTEMPTS = 3  # a concurrent twin batch took some keys first: the next attempt sees them as duplicates
Outcome = Literal["created", "duplicate", "invalid"]


@dataclass(frozen=True)
class TakenKey:
    """A key already backfilled: the hazard it named and what the item said."""

    hazard_id: str
    fingerprint: str


class KeysTaken(Exception):
    """A concurrent batch committed some of the same keys first."""


class BackfillKeys(Protocol):
    """The items' keys, per client, written in the transaction of their hazards."""

    async def taken(self, client_id: str, keys: Collection[str]) -> dict[str, TakenKey]: ...
    async def add(self, client_id: str, keys: Mapping[str, TakenKey]) -> None:
        """Store the keys; `KeysTaken` if another transaction stored one of them first."""
        ...


class BackfillStore(Protocol):
    async def enterprises(self, enterprise_ids: Collection[str]) -> dict[str, EnterpriseSnapshot]:
        """The replica's snapshots of these enterprises (the unknown ones left out)."""
        ...

    async def save_all(self, hazards: Sequence[Hazard]) -> None:
        """Append every hazard's events (with their outbox rows) and write their summaries, in bulk."""
        ...


class BackfillUnitOfWork(Transaction, Protocol):
    backfill: BackfillStore
    items: BackfillKeys


class BackfillUnitsOfWork(Protocol):
    def __call__(self, *, write: bool = True) -> BackfillUnitOfWork: ...


@dataclass(frozen=True)
class ItemResult:
    """What became of one item (`hl_api.backfill.BackfillItemResult`)."""

    index: int
    key: str
    outcome: Outcome
    hazard_id: str | None = None
    version: int | None = None
    status: int | None = None
    field: str | None = None
    reason: str | None = None
    rule: str | None = None

    def as_dict(self) -> dict[str, Any]:
        # Every key, null where the outcome has no such value (as `BackfillItemResult` documents it).
        # Not `dataclasses.asdict`: it deep-copies every value, a tenth of a batch's time.
        return {name: getattr(self, name) for name in _RESULT_FIELDS}


_RESULT_FIELDS = tuple(f.name for f in fields(ItemResult))


@dataclass
class _Batch:
    """One attempt's state: what the database knew, and what this batch decided so far."""

    caller: Principal
    taken: dict[str, TakenKey]
    enterprises: dict[str, EnterpriseSnapshot]
    hazards: list[Hazard]
    new_keys: dict[str, TakenKey]


class Backfill:
    """The backfill handler over its units of work (wired in `bootstrap.py`)."""

    def __init__(
        self,
        uow: BackfillUnitsOfWork,
        clock: Clock,
        *,
        on_commit: Callable[[], None] = lambda: None,
        rules: EvidenceRules | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.on_commit = on_commit  # wakes the outbox relay
        self.rules = rules or EvidenceRules()

    async def run(self, caller: Caller, items: Sequence[BackfillHazard]) -> list[ItemResult]:
        """Decide and record every item; one result per item, in order."""
        for _ in range(ATTEMPTS):
            try:
                return await self._attempt(caller, items)
            except KeysTaken:
                continue
        raise Conflict("a batch with some of the same keys is being processed; retry")

    async def _attempt(self, caller: Caller, items: Sequence[BackfillHazard]) -> list[ItemResult]:
        async with self.uow() as uow:
            taken = await uow.items.taken(caller.id, {item.key for item in items})
            wanted = {item.report.enterprise_id for item in items if item.key not in taken}
            enterprises = await uow.backfill.enterprises(wanted)
            batch = _Batch(principal_of(caller), taken, self._visible(caller, enterprises), [], {})
            results = [self._decide(batch, index, item) for index, item in enumerate(items)]
            await uow.backfill.save_all(batch.hazards)
            await uow.items.add(caller.id, batch.new_keys)
        if batch.hazards:
            self.on_commit()
        return results

    @staticmethod
    def _visible(caller: Caller, enterprises: dict[str, EnterpriseSnapshot]) -> dict[str, EnterpriseSnapshot]:
        return {key: e for key, e in enterprises.items() if caller.sees(e.region_code, e.id)}

    def _decide(self, batch: _Batch, index: int, item: BackfillHazard) -> ItemResult:
        earlier = batch.taken.get(item.key) or batch.new_keys.get(item.key)
        if earlier is not None:
            return _duplicate(index, item, earlier)
        try:
            enterprise = _enterprise(batch.enterprises, item)
            hazard = record_history(new_id(), item, enterprise, batch.caller, self.clock(), self.rules)
        except ItemRefused as refused:
            return _invalid(index, item.key, refused.pointer, refused.error, refused.reason)
        batch.hazards.append(hazard)
        batch.new_keys[item.key] = TakenKey(hazard.id, item.fingerprint)
        return ItemResult(index, item.key, "created", hazard_id=hazard.id, version=hazard.version)


def _enterprise(known: dict[str, EnterpriseSnapshot], item: BackfillHazard) -> EnterpriseSnapshot:
    enterprise_id = item.report.enterprise_id
    if enterprise_id in known:
        return known[enterprise_id]
    # The single route answers 409 for an enterprise it does not know yet and 404 for one outside
    # the caller's scope; a batch cannot tell them apart without leaking the other region's record.
    error = NotFound(f"no enterprise {enterprise_id} in your scope (or not yet known to the hazard service)")
    raise ItemRefused("/hazard/enterprise_id", error)


def _duplicate(index: int, item: BackfillHazard, earlier: TakenKey) -> ItemResult:
    if earlier.fingerprint == item.fingerprint:
        return ItemResult(index, item.key, "duplicate", hazard_id=earlier.hazard_id)
    reason = f"already used for another item (hazard {earlier.hazard_id}); a key names one hazard for good"
    return _invalid(index, item.key, "/key", InvalidInput("key", reason), reason, rule="backfill-key-reused")


def _invalid(
    index: int, key: str, pointer: str, error: DomainError, reason: str, rule: str | None = None
) -> ItemResult:
    if rule is None:
        rule = error.rule if isinstance(error, RuleViolation) else error.title.lower().replace(" ", "-")
    return ItemResult(index, key, "invalid", status=error.status, field=pointer, reason=reason, rule=rule)
