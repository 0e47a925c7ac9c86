"""The industry catalogue mirrors the contract vocabulary."""

from __future__ import annotations

import pytest

from hl_catalogue import INDUSTRY_CATALOGUE, industry_code, industry_label, is_industry
from hl_contracts.vocabulary import INDUSTRIES


def test_catalogue_is_the_contract_vocabulary() -> None:
    assert dict(INDUSTRY_CATALOGUE) == INDUSTRIES
    assert all(is_industry(code) for code in INDUSTRIES)


def test_catalogue_is_read_only() -> None:
    with pytest.raises(TypeError):
        INDUSTRY_CATALOGUE["mining"] = "采矿"  # type: ignore[index]


def test_unknown_codes() -> None:
    assert not is_industry("mining")
    assert not is_industry("建筑施工")
    assert industry_label("mining") == "mining"


def test_labels_and_reverse_lookup() -> None:
    assert industry_label("hazardous_chemicals") == "危险化学品"
    assert industry_code("建筑施工") == "construction"
    assert industry_code(" construction ") == "construction"
    assert industry_code("采矿") is None
