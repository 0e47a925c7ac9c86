"""The industry catalogue (行业领域): the contract's closed vocabulary, with its Chinese labels."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from hl_contracts.vocabulary import INDUSTRIES

INDUSTRY_CATALOGUE: Mapping[str, str] = MappingProxyType(dict(INDUSTRIES))
"""Industry code → Chinese label, read-only."""

_CODES_BY_LABEL: Mapping[str, str] = MappingProxyType({label: code for code, label in INDUSTRIES.items()})


def is_industry(code: str) -> bool:
    """True for a known industry code (e.g. "construction")."""
    return code in INDUSTRY_CATALOGUE


def industry_label(code: str) -> str:
    """The Chinese label of an industry; an unknown code is returned as is, so labels never fail."""
    return INDUSTRY_CATALOGUE.get(code, code)


def industry_code(code_or_label: str) -> str | None:
    """The code for a code or a Chinese label ("建筑施工" → "construction"); None if neither."""
    text = code_or_label.strip()
    if text in INDUSTRY_CATALOGUE:
        return text
    return _CODES_BY_LABEL.get(text)
