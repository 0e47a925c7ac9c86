"""Duplicate tips (重复举报): the same enterprise and the same facts reported again within a window.

Only the first valid reporter of a fact is rewarded (DOMAIN.md, "Tip-offs"), so a later tip of the
same facts is linked to the first and earns nothing. "The same enterprise" is the known enterprise
when the tip names one, else its uscc, else its name as written (normalised), else the address; "the
same facts" is the same category and descriptions alike enough (a character-level similarity, since
Chinese has no spaces to split words on).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher

from hl_contracts.vocabulary import TipCategory

SIMILAR_ENOUGH = 0.6  # share of matching characters (difflib's ratio) that makes two descriptions one fact
_COMPANY_SUFFIXES = ("有限责任公司", "股份有限公司", "有限公司", "公司", "厂")


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or punctuation: how people differ in writing."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(char for char in folded if char.isalnum())


def enterprise_key(enterprise_id: str | None, uscc: str, name: str, region_code: str, address: str) -> str | None:
    """What identifies the place a tip is about; None when it names nothing comparable."""
    if enterprise_id:
        return f"id:{enterprise_id}"
    if uscc:
        return f"uscc:{uscc.upper()}"
    if name_key := _name_key(name):
        return f"name:{region_code[:6]}:{name_key}"
    if address_key := normalize(address):
        return f"address:{region_code[:6]}:{address_key}"
    return None


def _name_key(name: str) -> str:
    key = normalize(name)
    for suffix in _COMPANY_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


@dataclass(frozen=True)
class Candidate:
    """An earlier tip that could be the original of a new one."""

    tip_id: str
    tracking_number: str
    category: TipCategory
    facts: str  # normalised description
    filed_at: datetime


def similarity(first: str, second: str) -> float:
    return SequenceMatcher(None, first, second, autojunk=False).ratio()


def original_of(
    category: TipCategory, facts: str, filed_at: datetime, candidates: list[Candidate], window: timedelta
) -> tuple[Candidate, float] | None:
    """The earliest candidate reporting the same facts within `window` before `filed_at`, if any."""
    for candidate in sorted(candidates, key=lambda c: c.filed_at):
        if candidate.category != category or not filed_at - window <= candidate.filed_at <= filed_at:
            continue
        score = similarity(facts, candidate.facts)
        if score >= SIMILAR_ENOUGH:
            return candidate, score
    return None
