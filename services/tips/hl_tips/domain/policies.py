"""Who may do what to a tip (DOMAIN.md "Tip-offs"). Every refusal is `Forbidden`.

The application has already checked that the tip lies in the caller's region. These rules add what
a region cannot tell: the role, and that only the tip's handler — the inspector who took it up —
reads the tipster's identity (the law protects it: only the officer handling a tip may see it). No
admin reads an identity; an admin may erase one.
"""

from __future__ import annotations

from dataclasses import dataclass

from hl_contracts import Actor
from hl_contracts.roles import Permission, roles_for
from hl_platform.errors import Forbidden

TIPSTER = Actor(id="tipster", name="举报人", role="tipster")
"""The actor of every event a tipster causes: the same for every tip, so it says nothing of the person."""

HANDLERS = roles_for(Permission.HANDLE_TIPS)
APPROVERS = roles_for(Permission.APPROVE_TIP_REWARDS)
PAYERS = roles_for(Permission.PAY_TIP_REWARDS)


@dataclass(frozen=True, kw_only=True)
class Principal:
    """The caller as the domain sees it: the actor recorded on events, and its region."""

    actor: Actor
    region_code: str = ""

    @classmethod
    def tipster(cls) -> Principal:
        return cls(actor=TIPSTER)

    @classmethod
    def system(cls) -> Principal:
        return cls(actor=Actor.system("tips"))

    @property
    def role(self) -> str:
        return self.actor.role


def _require(principal: Principal, roles: frozenset[str], doing: str) -> None:
    if principal.role not in roles:
        raise Forbidden(f"the role {principal.role!r} may not {doing}")


def may_act_as_tipster(principal: Principal, doing: str) -> None:
    _require(principal, frozenset({"tipster"}), doing)


def may_take_up(principal: Principal) -> None:
    """The handler is a person of a supervising department, since they may read the identity."""
    _require(principal, frozenset({"inspector"}), "take tips up for handling")


def may_view_identity(principal: Principal, handler_id: str | None) -> None:
    _require(principal, frozenset({"inspector"}), "read a tipster's identity")
    if handler_id != principal.actor.id:
        raise Forbidden("only the tip's handler may read the tipster's identity; take the tip up first")


def may_handle(principal: Principal, doing: str) -> None:
    _require(principal, HANDLERS, doing)


def may_approve(principal: Principal) -> None:
    _require(principal, APPROVERS, "approve rewards")


def may_pay(principal: Principal) -> None:
    _require(principal, PAYERS, "record reward payments")


def may_erase(principal: Principal, handler_id: str | None) -> None:
    """The tipster, the tip's handler, or an admin (a retention policy) may erase the identity."""
    if principal.role in ("tipster", "admin"):
        return
    if principal.role != "inspector" or handler_id != principal.actor.id:
        raise Forbidden("only the tipster, the tip's handler or an admin may erase the tipster's identity")


def may_mark_overdue(principal: Principal) -> None:
    _require(principal, frozenset({"system", "admin"}), "mark tips overdue")
