"""The hazard service's handlers: each takes a domain command and runs in one unit of work.

Scope: the caller's region (and, for an enterprise user, its enterprise) bounds what it can see;
a hazard outside it is "not found", never "forbidden", so its existence does not leak.

A write given an Idempotency-Key stores it in its unit of work (`hl_platform.unit_of_work`):
a retry with the same key gets the first write's result, whatever crashed in between.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from hl_api.hazards import HistoryEntry
from hl_contracts.vocabulary import ListingLevel
from hl_hazard.application.ports import Clock, HazardFilters, UnitOfWork, UnitOfWorkFactory
from hl_hazard.application.views import HazardPage, history_entry
from hl_hazard.domain.commands import Command, ReportHazard
from hl_hazard.domain.evidence import EvidenceRules
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.policies import Principal
from hl_platform.caller import Caller
from hl_platform.errors import NotFound, PreconditionFailed, RuleViolation
from hl_platform.idempotency import RequestKey, Result, Written
from hl_platform.ids import new_id
from hl_platform.unit_of_work import write_once


def principal_of(caller: Caller) -> Principal:
    return Principal(
        actor=caller.actor,
        level=ListingLevel(caller.level) if caller.level else None,
        region_code=caller.region_code,
        enterprise_id=caller.enterprise_id,
    )


def _now() -> datetime:
    return datetime.now(UTC)


class HazardService:
    """The hazard handlers over a unit-of-work factory (wired in `bootstrap.py`)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        *,
        on_commit: Callable[[], None] = lambda: None,
        clock: Clock | None = None,
        rules: EvidenceRules | None = None,
    ) -> None:
        self.uow = uow
        self.on_commit = on_commit  # wakes the outbox relay
        self.clock = clock or _now
        self.rules = rules or EvidenceRules()  # the evidence rules the city chose

    async def report(self, caller: Caller, command: ReportHazard, key: RequestKey | None = None) -> Written:
        """Report a hazard at an enterprise this service knows and the caller may see."""

        async def work(uow: UnitOfWork) -> Result:
            enterprise = await uow.enterprises.by_id(command.enterprise_id)
            if enterprise is None:  # 409, not 404: a new registration may still be on its way here
                raise RuleViolation(
                    "enterprise-unknown",
                    f"enterprise {command.enterprise_id} is not registered (or not yet known to the hazard service)",
                    {"enterprise_id": command.enterprise_id},
                )
            if not caller.sees(enterprise.region_code, enterprise.id):
                raise NotFound(f"no enterprise {command.enterprise_id} in your scope")
            hazard = Hazard.report(new_id(), command, enterprise, principal_of(caller), self.clock())
            await uow.hazards.save(hazard)
            return hazard.snapshot()

        return await self._write(key, work)

    async def execute(
        self, caller: Caller, hazard_id: str, command: Command, if_match: int | None, key: RequestKey | None = None
    ) -> Written:
        """A command on a hazard. A retry with its key answers as the first time (If-Match too:
        the version it named was current then)."""

        async def work(uow: UnitOfWork) -> Result:
            hazard = await self.visible(uow, caller, hazard_id)
            if if_match is not None and if_match != hazard.version:
                raise PreconditionFailed(
                    f"hazard {hazard_id} is at version {hazard.version}, not {if_match}", current_version=hazard.version
                )
            hazard.execute(command, principal_of(caller), self.clock())
            await uow.hazards.save(hazard)
            return hazard.snapshot()

        return await self._write(key, work)

    async def _write(self, key: RequestKey | None, work: Callable[[UnitOfWork], Awaitable[Result]]) -> Written:
        written = await write_once(self.uow, key, work)
        if not written.replayed:
            self.on_commit()
        return written

    async def get(self, caller: Caller, hazard_id: str) -> Result:
        """The hazard as it is now (its version is the ETag)."""
        async with self.uow(write=False) as uow:
            return (await self.visible(uow, caller, hazard_id)).snapshot()

    async def history(self, caller: Caller, hazard_id: str) -> list[HistoryEntry]:
        """Every event of the hazard: who did what, when it happened and when it was recorded."""
        async with self.uow(write=False) as uow:
            await self.visible(uow, caller, hazard_id)
            events = await uow.hazards.history(hazard_id)
        return [history_entry(event) for event in events]

    async def list(self, caller: Caller, filters: HazardFilters, cursor: str | None, limit: int) -> HazardPage:
        """A page of the hazards in the caller's scope that match `filters`."""
        scoped = scope_filters(caller, filters)
        if scoped is None:
            return HazardPage([], None)
        async with self.uow(write=False) as uow:
            items, next_cursor = await uow.rows.page(scoped, cursor, limit)
        return HazardPage(items, next_cursor)

    async def visible(self, uow: UnitOfWork, caller: Caller, hazard_id: str) -> Hazard:
        """The hazard, with the city's evidence rules, if the caller may see it; else `NotFound`."""
        hazard = await uow.hazards.get(hazard_id)
        if hazard is None or not caller.sees(hazard.region_code, hazard.enterprise_id):
            raise NotFound(f"no hazard {hazard_id}")
        hazard.rules = self.rules
        return hazard


def scope_filters(caller: Caller, filters: HazardFilters) -> HazardFilters | None:
    """`filters` narrowed to the caller's scope; None when they ask for nothing it may see."""
    scope = caller.region_code
    if filters.region_code.startswith(scope):
        scoped = filters
    elif scope.startswith(filters.region_code):
        scoped = HazardFilters(**{**filters.__dict__, "region_code": scope})
    else:
        return None
    if caller.role == "enterprise":
        scoped = HazardFilters(**{**scoped.__dict__, "enterprise_id": caller.enterprise_id})
    return scoped
