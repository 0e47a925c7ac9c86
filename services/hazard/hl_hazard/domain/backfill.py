"""Backfill (历史隐患导入): a hazard and its whole history, decided by the same aggregate methods as
the live commands, in memory, one step after another.

A backfilled step is the live command it stands for (`ReportHazard`, `SetPlan`, …) with its own
business time, run by `Hazard.report` and `Hazard.execute` against the clock's `now`: every rule
(who may, the state, the input, rule 9's times) holds exactly as it does live. What a backfill adds
is who took each step: a machine client migrating another system's records (admin, platform) may
name the historical actor of each step, and the rules of who may do what then apply to that
actor, acting in the caller's region; any other caller takes every step itself.

A refusal names where in the item it happened (`ItemRefused.pointer`, a JSON pointer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from hl_contracts import Actor
from hl_contracts.vocabulary import ListingLevel
from hl_hazard.domain.commands import Command, ReportHazard
from hl_hazard.domain.enterprise import EnterpriseSnapshot
from hl_hazard.domain.evidence import EvidenceRules
from hl_hazard.domain.model import Hazard
from hl_hazard.domain.policies import Principal, Role
from hl_platform.errors import DomainError, Forbidden, InvalidInput

# Callers that may record steps taken by others: they carry another system's records over.
MIGRATORS = (Role.ADMIN, Role.PLATFORM)
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class HistoricalActor:
    """Who took a step in the system the records come from."""

    role: str
    name: str
    organisation: str = ""
    level: ListingLevel | None = None


@dataclass(frozen=True, kw_only=True)
class Step:
    """One later step of the history: the live command, and who took it (None: the caller)."""

    command: Command
    actor: HistoricalActor | None = None


@dataclass(frozen=True, kw_only=True)
class BackfillHazard:
    """Record a hazard with its history (one backfill item). `key` is the client's id of it;
    `fingerprint` what the item said, so that a key re-sent with other content is told apart."""

    key: str
    fingerprint: str
    report: ReportHazard
    actor: HistoricalActor | None = None
    steps: tuple[Step, ...] = ()


class ItemRefused(Exception):
    """The item breaks a rule at `pointer` (a JSON pointer into the item); `error` says which."""

    def __init__(self, pointer: str, error: DomainError) -> None:
        super().__init__(f"{pointer}: {error.detail}")
        self.pointer = pointer
        self.error = error

    @property
    def reason(self) -> str:
        return self.error.reason if isinstance(self.error, InvalidInput) else self.error.detail


def acting(caller: Principal, actor: HistoricalActor | None, enterprise: EnterpriseSnapshot) -> Principal:
    """The principal a step runs as: the caller, or the historical actor it vouches for."""
    if actor is None:
        return caller
    if caller.role not in MIGRATORS:
        raise Forbidden("only an admin or platform client may record steps taken by others (actor)")
    recorded = Actor(id=caller.actor.id, name=actor.name, role=actor.role, organisation=actor.organisation)
    return Principal(
        actor=recorded,
        level=actor.level,
        region_code=caller.region_code,
        enterprise_id=enterprise.id if actor.role == Role.ENTERPRISE else None,
    )


def record_history(
    hazard_id: str,
    item: BackfillHazard,
    enterprise: EnterpriseSnapshot,
    caller: Principal,
    now: datetime,
    rules: EvidenceRules,
) -> Hazard:
    """The new hazard with every step of its history recorded (its changes not yet saved), or
    `ItemRefused` at the first step a rule refuses."""
    who = "/actor" if item.actor else "/hazard"
    hazard = _decided("/hazard", who, lambda: _report(hazard_id, item, enterprise, caller, now))
    hazard.rules = rules
    for index, step in enumerate(item.steps):
        _execute(hazard, f"/steps/{index}", step, _acting_as(caller, step, enterprise, f"/steps/{index}"), now)
    return hazard


def _report(
    hazard_id: str, item: BackfillHazard, enterprise: EnterpriseSnapshot, caller: Principal, now: datetime
) -> Hazard:
    return Hazard.report(hazard_id, item.report, enterprise, acting(caller, item.actor, enterprise), now)


def _acting_as(caller: Principal, step: Step, enterprise: EnterpriseSnapshot, base: str) -> Principal:
    return _decided(base, f"{base}/actor", lambda: acting(caller, step.actor, enterprise))


def _execute(hazard: Hazard, base: str, step: Step, principal: Principal, now: datetime) -> None:
    who = f"{base}/actor" if step.actor else base
    _decided(base, who, lambda: hazard.execute(step.command, principal, now))


def _decided(base: str, who: str, run: Callable[[], T]) -> T:
    """`run()`, its refusal placed in the item: a field under `base`, a refusal of who at `who`."""
    try:
        return run()
    except InvalidInput as exc:
        raise ItemRefused(f"{base}/{exc.field.replace('.', '/')}", exc) from None
    except Forbidden as exc:
        raise ItemRefused(who, exc) from None
    except DomainError as exc:
        raise ItemRefused(base, exc) from None
