"""The enterprise aggregate (生产经营单位): its profile, closure, blacklist and the inspections and
enforcement actions that feed sections 二 and 三 of the dispatch table.

Commands validate and decide; `when_*` methods only apply recorded events (they must not fail,
so replay never re-checks catalogues that may have changed since). Business time is `now` for
profile changes and 00:00 Asia/Shanghai of the named day for dated facts.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from hl_catalogue import RegionCatalogue
from hl_contracts import Actor
from hl_contracts.enterprise import (
    EnterpriseBlacklisted,
    EnterpriseBlacklistLifted,
    EnterpriseClosed,
    EnterpriseEnforcementRecorded,
    EnterpriseInspected,
    EnterpriseRegistered,
    EnterpriseUpdated,
)
from hl_contracts.vocabulary import DEFICIENCIES
from hl_enterprise.domain.business_time import ensure_not_future, require_aware, start_of_day
from hl_enterprise.domain.enforcement import check_enforcement
from hl_enterprise.domain.profile import EnterpriseProfile, parse_profile
from hl_enterprise.domain.validation import build
from hl_platform.aggregate import Aggregate
from hl_platform.errors import InvalidInput, RuleViolation


class Enterprise(Aggregate):
    """An enterprise under safety supervision, rebuilt from its events."""

    aggregate_type = "enterprise"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.details: dict[str, Any] = {}  # the profile as JSON values, as the events carry it
        self.closed_on: date | None = None
        self.blacklisted_on: date | None = None

    @property
    def region_code(self) -> str:
        return str(self.details.get("region_code", ""))

    @property
    def industry(self) -> str:
        return str(self.details.get("industry", ""))

    @property
    def uscc(self) -> str:
        return str(self.details.get("uscc", ""))

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def is_blacklisted(self) -> bool:
        return self.blacklisted_on is not None

    # -- commands ----------------------------------------------------------------------------

    @classmethod
    def register(cls, enterprise_id: str, profile: EnterpriseProfile, actor: Actor, now: datetime) -> Enterprise:
        """Put an enterprise under supervision (enterprise.registered)."""
        enterprise = cls(enterprise_id)
        data = EnterpriseRegistered.model_validate(profile.model_dump())
        enterprise.record(data, actor=actor, time=require_aware(now))
        return enterprise

    def update(
        self, changes: Mapping[str, Any], actor: Actor, now: datetime, *, regions: RegionCatalogue | None = None
    ) -> dict[str, Any]:
        """Change profile fields; records only the fields whose value changes and returns them.

        A nested value (`principal`) replaces the whole object. The uscc never changes.
        """
        self._require_open("update")
        profile = parse_profile({**self.details, **changes}, regions)
        if profile.uscc != self.uscc:
            raise InvalidInput("uscc", f"immutable: the enterprise is registered as {self.uscc}")
        new_values = profile.model_dump(mode="json")
        changed = {key: value for key, value in new_values.items() if self.details.get(key) != value}
        if changed:
            self.record(EnterpriseUpdated(changes=changed), actor=actor, time=require_aware(now))
        return changed

    def close(self, reason: str, closed_on: date, actor: Actor, now: datetime) -> None:
        """The enterprise closed or was deregistered (enterprise.closed)."""
        self._require_open("close")
        ensure_not_future("closed_on", closed_on, now)
        data = build(EnterpriseClosed, {"reason": reason.strip(), "closed_on": closed_on})
        self.record(data, actor=actor, time=start_of_day(closed_on))

    def blacklist(self, reason: str, authority: str, decided_on: date, actor: Actor, now: datetime) -> None:
        """Put the enterprise on the credit blacklist (黑名单)."""
        if self.blacklisted_on is not None:
            raise RuleViolation("already-blacklisted", "the enterprise is already blacklisted", self._state())
        ensure_not_future("decided_on", decided_on, now)
        fields = {"reason": reason.strip(), "authority": authority.strip(), "decided_on": decided_on}
        self.record(build(EnterpriseBlacklisted, fields), actor=actor, time=start_of_day(decided_on))

    def lift_blacklist(self, reason: str, authority: str, decided_on: date, actor: Actor, now: datetime) -> None:
        """Take the enterprise off the credit blacklist."""
        if self.blacklisted_on is None:
            raise RuleViolation("not-blacklisted", "the enterprise is not blacklisted", self._state())
        ensure_not_future("decided_on", decided_on, now)
        if decided_on < self.blacklisted_on:
            raise InvalidInput("decided_on", f"before the blacklisting on {self.blacklisted_on.isoformat()}")
        fields = {"reason": reason.strip(), "authority": authority.strip(), "decided_on": decided_on}
        self.record(build(EnterpriseBlacklistLifted, fields), actor=actor, time=start_of_day(decided_on))

    def record_inspection(
        self,
        *,
        department: str,
        inspected_on: date,
        actor: Actor,
        now: datetime,
        inspectors: Sequence[str] = (),
        findings: Sequence[str] = (),
        note: str = "",
        inspection_id: str | None = None,
    ) -> str:
        """A department spot-checked the enterprise (抽查检查); returns the inspection id."""
        self._require_open("be inspected")
        ensure_not_future("inspected_on", inspected_on, now)
        unknown = [code for code in findings if code not in DEFICIENCIES]
        if unknown:
            raise InvalidInput("findings", f"unknown deficiency code(s): {', '.join(unknown)}")
        inspection_id = inspection_id or str(uuid.uuid4())
        fields = {
            "inspection_id": inspection_id,
            "department": department.strip(),
            "inspected_on": inspected_on,
            "inspectors": [name.strip() for name in inspectors],
            "findings": list(dict.fromkeys(findings)),  # a deficiency counts once per inspection
            "note": note.strip(),
        }
        self.record(build(EnterpriseInspected, fields), actor=actor, time=start_of_day(inspected_on))
        return inspection_id

    def record_enforcement(
        self,
        *,
        kind: str,
        department: str,
        decided_on: date,
        actor: Actor,
        now: datetime,
        amount_wan: Decimal | None = None,
        persons: int | None = None,
        key_enterprise: bool = False,
        dangerous_operation_crime: bool = False,
        note: str = "",
        action_id: str | None = None,
    ) -> str:
        """An enforcement action (dispatch table section 三); returns the action id.

        Allowed on a closed enterprise: penalties and referrals often follow a closure.
        """
        ensure_not_future("decided_on", decided_on, now)
        figures = {
            "amount_wan": amount_wan,
            "persons": persons,
            "key_enterprise": key_enterprise,
            "dangerous_operation_crime": dangerous_operation_crime,
        }
        check_enforcement(kind, figures)
        action_id = action_id or str(uuid.uuid4())
        fields = {"action_id": action_id, "kind": kind, "department": department.strip(), "decided_on": decided_on}
        data = build(EnterpriseEnforcementRecorded, {**fields, **figures, "note": note.strip()})
        self.record(data, actor=actor, time=start_of_day(decided_on))
        return action_id

    # -- guards ------------------------------------------------------------------------------

    def _require_open(self, action: str) -> None:
        if self.closed_on is not None:
            raise RuleViolation("enterprise-closed", f"a closed enterprise cannot {action}", self._state())

    def _state(self) -> dict[str, Any]:
        return {
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
            "blacklisted_on": self.blacklisted_on.isoformat() if self.blacklisted_on else None,
            "version": self.version,
        }

    # -- state changes (replay) ---------------------------------------------------------------

    def when_registered(self, data: EnterpriseRegistered) -> None:
        self.details = data.model_dump(mode="json")

    def when_updated(self, data: EnterpriseUpdated) -> None:
        self.details.update(data.changes)

    def when_closed(self, data: EnterpriseClosed) -> None:
        self.closed_on = data.closed_on

    def when_blacklisted(self, data: EnterpriseBlacklisted) -> None:
        self.blacklisted_on = data.decided_on

    def when_blacklist_lifted(self, data: EnterpriseBlacklistLifted) -> None:
        self.blacklisted_on = None
