"""The enterprise service's handlers: each takes a domain command and runs in one unit of work.

A caller sees enterprises in its region (an enterprise user: only its own); others are "not
found". Who may change what follows DOMAIN.md "Actors": departments (inspectors) and governments
keep the registry and record inspections and enforcement; enterprises and bureaus only read.
A write given an Idempotency-Key stores it in its unit of work: a retry gets the first result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from hl_catalogue import RegionCatalogue
from hl_contracts.roles import Permission, may
from hl_enterprise.application.ports import Clock, EnterpriseFilters, UnitOfWork, UnitOfWorkFactory, UsccTaken
from hl_enterprise.application.records import RecordKind, RecordPage, records_page
from hl_enterprise.application.views import EnterprisePage, enterprise_view, recorded_view
from hl_enterprise.domain.commands import (
    CloseEnterprise,
    DecideBlacklisting,
    RecordEnforcement,
    RecordInspection,
    RegisterEnterprise,
    UpdateEnterprise,
)
from hl_enterprise.domain.model import Enterprise
from hl_enterprise.domain.profile import EnterpriseProfile, parse_profile
from hl_platform.caller import Caller
from hl_platform.errors import Conflict, Forbidden, NotFound
from hl_platform.idempotency import RequestKey, Result, Written
from hl_platform.ids import new_id
from hl_platform.unit_of_work import write_once

Decision = Callable[[Enterprise], Result | None]


def require(caller: Caller, permission: Permission) -> None:
    """The one role table (`hl_contracts.roles`) decides; the permission's name says what was refused."""
    if not may(caller.role, permission):
        raise Forbidden(f"a {caller.role} may not {permission.value}", role=caller.role)


def require_region(caller: Caller, region_code: str) -> None:
    if not region_code.startswith(caller.region_code):
        raise Forbidden(f"region {region_code} is outside your region {caller.region_code}")


def _now() -> datetime:
    return datetime.now(UTC)


class EnterpriseService:
    """The enterprise handlers over a unit-of-work factory (wired in `bootstrap.py`)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        *,
        on_commit: Callable[[], None] = lambda: None,
        clock: Clock | None = None,
        regions: RegionCatalogue | None = None,
    ) -> None:
        self.uow = uow
        self.on_commit = on_commit  # wakes the outbox relay
        self.clock = clock or _now
        self.regions = regions

    async def register(self, caller: Caller, command: RegisterEnterprise, key: RequestKey | None = None) -> Written:
        """Register an enterprise; 409 with the existing id when its uscc is already registered."""
        require(caller, Permission.REGISTER_ENTERPRISE)
        return await self.register_profile(caller, parse_profile(command.profile, self.regions), key)

    async def register_profile(
        self, caller: Caller, profile: EnterpriseProfile, key: RequestKey | None = None
    ) -> Written:
        require_region(caller, profile.region_code)

        async def work(uow: UnitOfWork) -> Result:
            existing = await uow.directory.id_by_uscc(profile.uscc)
            if existing is not None:
                raise _duplicate(profile.uscc, existing)
            enterprise = Enterprise.register(new_id(), profile, caller.actor, self.clock())
            await _save(uow, enterprise)
            return enterprise_view(enterprise)

        try:
            return await self._write(key, work)
        except UsccTaken:  # a concurrent registration of the same uscc won the race
            async with self.uow(write=False) as uow:
                raise _duplicate(profile.uscc, await uow.directory.id_by_uscc(profile.uscc)) from None

    async def register_batch(self, caller: Caller, profiles: list[EnterpriseProfile]) -> list[str]:
        """Register many in one transaction (bulk import); per profile "registered" or "already
        registered". A race with another registration falls back to one transaction each."""
        for profile in profiles:
            require_region(caller, profile.region_code)
        outcomes: list[str] = []
        try:
            async with self.uow() as uow:
                for profile in profiles:
                    if await uow.directory.id_by_uscc(profile.uscc) is not None:
                        outcomes.append("already registered")
                        continue
                    await _save(uow, Enterprise.register(new_id(), profile, caller.actor, self.clock()))
                    outcomes.append("registered")
        except UsccTaken:
            return [await self._register_one(caller, profile) for profile in profiles]
        self.on_commit()
        return outcomes

    async def _register_one(self, caller: Caller, profile: EnterpriseProfile) -> str:
        try:
            await self.register_profile(caller, profile)
        except Conflict:
            return "already registered"
        return "registered"

    async def update(
        self, caller: Caller, enterprise_id: str, command: UpdateEnterprise, key: RequestKey | None = None
    ) -> Written:
        require(caller, Permission.UPDATE_ENTERPRISE)

        def change(enterprise: Enterprise) -> None:
            enterprise.update(command.changes, caller.actor, self.clock(), regions=self.regions)
            require_region(caller, enterprise.region_code)

        return await self._execute(caller, enterprise_id, change, key)

    async def inspect(
        self, caller: Caller, enterprise_id: str, command: RecordInspection, key: RequestKey | None = None
    ) -> Written:
        require(caller, Permission.RECORD_INSPECTION)

        def inspect(enterprise: Enterprise) -> Result:
            recorded = enterprise.record_inspection(
                department=command.department,
                inspected_on=command.inspected_on,
                inspectors=command.inspectors,
                findings=command.findings,
                note=command.note,
                actor=caller.actor,
                now=self.clock(),
            )
            return recorded_view(recorded, enterprise)

        return await self._execute(caller, enterprise_id, inspect, key)

    async def enforce(
        self, caller: Caller, enterprise_id: str, command: RecordEnforcement, key: RequestKey | None = None
    ) -> Written:
        require(caller, Permission.RECORD_ENFORCEMENT)

        def enforce(enterprise: Enterprise) -> Result:
            recorded = enterprise.record_enforcement(
                kind=command.kind,
                department=command.department,
                decided_on=command.decided_on,
                amount_wan=command.amount_wan,
                persons=command.persons,
                key_enterprise=command.key_enterprise,
                dangerous_operation_crime=command.dangerous_operation_crime,
                note=command.note,
                actor=caller.actor,
                now=self.clock(),
            )
            return recorded_view(recorded, enterprise)

        return await self._execute(caller, enterprise_id, enforce, key)

    async def close(self, caller: Caller, enterprise_id: str, command: CloseEnterprise) -> Result:
        require(caller, Permission.CLOSE_ENTERPRISE)
        written = await self._execute(
            caller, enterprise_id, lambda e: e.close(command.reason, command.closed_on, caller.actor, self.clock())
        )
        return written.result

    async def blacklist(self, caller: Caller, enterprise_id: str, command: DecideBlacklisting) -> Result:
        require(caller, Permission.BLACKLIST_ENTERPRISE)
        action = Enterprise.lift_blacklist if command.lift else Enterprise.blacklist

        def decide(enterprise: Enterprise) -> None:
            action(enterprise, command.reason, command.authority, command.decided_on, caller.actor, self.clock())

        return (await self._execute(caller, enterprise_id, decide)).result

    async def get(self, caller: Caller, enterprise_id: str) -> Result:
        async with self.uow(write=False) as uow:
            return enterprise_view(await _visible(uow, caller, enterprise_id))

    async def recorded(
        self, caller: Caller, enterprise_id: str, kind: RecordKind, cursor: str | None, limit: int
    ) -> RecordPage:
        """One page of the enterprise's spot inspections or enforcement actions, oldest first."""
        async with self.uow(write=False) as uow:
            history = await uow.enterprises.history(enterprise_id)
        enterprise = Enterprise.replay(enterprise_id, history) if history else None
        if enterprise is None or not caller.sees(enterprise.region_code, enterprise.id):
            raise NotFound(f"no enterprise {enterprise_id}")
        return records_page(history, kind, cursor, limit)

    async def list(self, caller: Caller, filters: EnterpriseFilters, cursor: str | None, limit: int) -> EnterprisePage:
        if caller.role == "enterprise":
            return EnterprisePage([await self.get(caller, caller.enterprise_id)] if caller.enterprise_id else [], None)
        region = filters.region_code if filters.region_code.startswith(caller.region_code) else caller.region_code
        if not region.startswith(caller.region_code) or not (region.startswith(filters.region_code)):
            return EnterprisePage([], None)
        async with self.uow(write=False) as uow:
            items, next_cursor = await uow.directory.page(
                EnterpriseFilters(region, filters.industry, filters.q), cursor, limit
            )
        return EnterprisePage(items, next_cursor)

    async def _execute(
        self, caller: Caller, enterprise_id: str, decide: Decision, key: RequestKey | None = None
    ) -> Written:
        """Load, decide, save; the answer is what `decide` returns, else the enterprise."""

        async def work(uow: UnitOfWork) -> Result:
            enterprise = await _visible(uow, caller, enterprise_id)
            answer = decide(enterprise)
            await _save(uow, enterprise)
            return answer if answer is not None else enterprise_view(enterprise)

        return await self._write(key, work)

    async def _write(self, key: RequestKey | None, work: Callable[[UnitOfWork], Awaitable[Result]]) -> Written:
        written = await write_once(self.uow, key, work)
        if not written.replayed:
            self.on_commit()
        return written


def _duplicate(uscc: str, existing_id: str | None) -> Conflict:
    return Conflict(f"an enterprise with uscc {uscc} is already registered", existing_id=existing_id)


async def _visible(uow: UnitOfWork, caller: Caller, enterprise_id: str) -> Enterprise:
    enterprise = await uow.enterprises.get(enterprise_id)
    if enterprise is None or not caller.sees(enterprise.region_code, enterprise.id):
        raise NotFound(f"no enterprise {enterprise_id}")
    return enterprise


async def _save(uow: UnitOfWork, enterprise: Enterprise) -> None:
    if enterprise.changes:
        await uow.enterprises.save(enterprise)
