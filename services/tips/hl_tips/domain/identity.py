"""The tipster as the law protects them (举报人): who they are and how to reach them.

An `Identity` never leaves the tips service in clear text except to the tip's handler, and never
enters an event: it is sealed (encrypted under the tip's own key) beside the event store. A joint
report (联名举报) is one identity with several signatories, sealed and erased together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from hl_contracts.vocabulary import MAX_CO_SIGNATORIES
from hl_platform.errors import InvalidInput

REDACTED = "[已隐去]"
_PHONE_LIKE = re.compile(r"^[\d\s()+\-]{7,}$")


class Relationship(StrEnum):
    """How the tipster knows what they report: a member of the public, or an insider (吹哨人)."""

    PUBLIC = "public"  # 群众
    EMPLOYEE = "employee"  # 企业内部职工（吹哨人）


@dataclass(frozen=True, kw_only=True)
class Signatory:
    """One person who signs a tip: who they are and how to reach them."""

    name: str
    phone: str = ""
    id_number: str = ""
    email: str = ""
    address: str = ""
    relationship: Relationship = Relationship.PUBLIC

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(Signatory)} | {"relationship": self.relationship.value}

    @classmethod
    def person(cls, values: dict[str, Any]) -> dict[str, Any]:
        """The fields of one signatory out of `values`, the relationship as its enum."""
        own = {f.name: values[f.name] for f in fields(Signatory) if f.name in values}
        return own | {"relationship": Relationship(values.get("relationship", "public"))}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Signatory:
        return Signatory(**cls.person(values))

    def needles(self) -> list[str]:
        """The strings that would point at the person if they appeared in a tip's facts."""
        return [value for value in (self.name, self.phone, self.id_number, self.email) if len(value.strip()) >= 2]


@dataclass(frozen=True, kw_only=True)
class Identity(Signatory):
    """Who filed a named tip: its first signatory, and for a joint report (联名举报) the others who
    signed it, in order. All are sealed together under the tip's key; a joint report's reward is
    paid to its first signatory alone (`payee`)."""

    co_signatories: tuple[Signatory, ...] = ()

    def __post_init__(self) -> None:
        if len(self.co_signatories) > MAX_CO_SIGNATORIES:
            raise InvalidInput("identity.co_signatories", f"at most {MAX_CO_SIGNATORIES} besides the first signatory")

    @property
    def payee(self) -> Signatory:
        """Whom a reward is paid to: the first signatory (DOMAIN.md: a joint report pays its first)."""
        return Signatory(**Signatory.person(self.to_dict()))

    @property
    def signatories(self) -> tuple[Signatory, ...]:
        return (self.payee, *self.co_signatories)

    def to_dict(self) -> dict[str, Any]:
        return super().to_dict() | {"co_signatories": [other.to_dict() for other in self.co_signatories]}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Identity:
        # Identities sealed before joint reports existed have no co_signatories: a single signatory.
        others = tuple(Signatory.from_dict(other) for other in values.get("co_signatories", ()))
        return cls(**Signatory.person(values), co_signatories=others)

    def needles(self) -> list[str]:
        """Every signatory's: a co-signatory named in the facts points at the tipsters as much."""
        return [needle for person in self.signatories for needle in Signatory.needles(person)]


def redact(text: str, identity: Identity | None) -> str:
    """`text` with every mention of a signatory's name, phone, id number or e-mail replaced.

    Tipsters write their own name or number into the description more often than one would think;
    the description is a fact every bureau on the stream reads, so the mention is removed first.
    A phone is matched whatever separators sit between its digits (138-0631 0000).
    """
    if identity is None or not text:
        return text
    for needle in identity.needles():
        text = _pattern(needle).sub(REDACTED, text)
    return text


def _pattern(needle: str) -> re.Pattern[str]:
    if _PHONE_LIKE.match(needle.strip()):
        digits = [char for char in needle if char.isdigit()]
        return re.compile(r"[\s\-]?".join(digits))
    return re.compile(re.escape(needle.strip()), re.IGNORECASE)
