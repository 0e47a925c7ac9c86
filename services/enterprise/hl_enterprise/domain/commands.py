"""Commands of the enterprise context: what a caller asks the `Enterprise` aggregate to do.

Named imperatively (the events they may produce are in `hl_contracts.enterprise`, past tense).
They carry the caller's input as given; the aggregate validates it (a profile through
`EnterpriseProfile`), so a command can be built from any request without repeating the rules.
None carries the enterprise id: the handler loads the aggregate by id, then passes the command.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, kw_only=True)
class RegisterEnterprise:
    """Put an enterprise under supervision with its profile (the fields of `EnterpriseProfile`)."""

    profile: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class UpdateEnterprise:
    """Change some profile fields; a nested value (`principal`) replaces the whole object."""

    changes: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class RecordInspection:
    """A department's spot inspection (抽查检查) of the enterprise's self-inspection work."""

    department: str
    inspected_on: date
    inspectors: Sequence[str] = ()
    findings: Sequence[str] = ()
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordEnforcement:
    """An enforcement action (dispatch table section 三)."""

    kind: str
    department: str
    decided_on: date
    amount_wan: Decimal | None = None
    persons: int | None = None
    key_enterprise: bool = False
    dangerous_operation_crime: bool = False
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CloseEnterprise:
    """The enterprise closed or was deregistered."""

    reason: str
    closed_on: date


@dataclass(frozen=True, kw_only=True)
class DecideBlacklisting:
    """Put the enterprise on the credit blacklist (黑名单), or with `lift` take it off."""

    reason: str
    authority: str
    decided_on: date
    lift: bool = field(default=False)
