"""The tipster as the law protects them (举报人): who they are and how to reach them.

An `Identity` never leaves the tips service in clear text except to the tip's handler, and never
enters an event: it is sealed (encrypted under the tip's own key) beside the event store.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

REDACTED = "[已隐去]"
_PHONE_LIKE = re.compile(r"^[\d\s()+\-]{7,}$")


class Relationship(StrEnum):
    """How the tipster knows what they report: a member of the public, or an insider (吹哨人)."""

    PUBLIC = "public"  # 群众
    EMPLOYEE = "employee"  # 企业内部职工（吹哨人）


@dataclass(frozen=True, kw_only=True)
class Identity:
    name: str
    phone: str = ""
    id_number: str = ""
    email: str = ""
    address: str = ""
    relationship: Relationship = Relationship.PUBLIC

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "relationship": self.relationship.value}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Identity:
        return cls(**{**values, "relationship": Relationship(values.get("relationship", "public"))})

    def needles(self) -> list[str]:
        """The strings that would point at the person if they appeared in a tip's facts."""
        return [value for value in (self.name, self.phone, self.id_number, self.email) if len(value.strip()) >= 2]


def redact(text: str, identity: Identity | None) -> str:
    """`text` with every mention of the tipster's name, phone, id number or e-mail replaced.

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
