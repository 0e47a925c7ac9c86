"""What the reporting application needs of the region catalogue (`hl_catalogue.RegionCatalogue`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from hl_platform.errors import NotFound

NATIONWIDE = "全国"


class RegionNode(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def level(self) -> str: ...  # province, city, county, zone, town, unit


class RegionTree(Protocol):
    def get(self, code: str) -> RegionNode | None: ...

    def name(self, code: str) -> str: ...

    def children(self, code: str) -> Sequence[RegionNode]: ...


def region_name(catalogue: RegionTree, code: str) -> str:
    """The region's name; NotFound for a code the catalogue does not know ("" is the whole country)."""
    if not code:
        return NATIONWIDE
    region = catalogue.get(code)
    if region is None:
        raise NotFound(f"unknown region code {code!r}")
    return region.name
