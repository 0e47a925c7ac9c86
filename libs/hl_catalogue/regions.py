"""The region catalogue (行政区划): provinces, cities, counties, development zones and towns.

Counts roll up this tree, the gateway scopes callers to a subtree and NATS subjects carry a
code's province, city and county prefixes. That only works if a code starts with the codes of
all its ancestors, so the loader refuses any row that breaks the GB/T 2260 shape: 2-digit
province, 4-digit city, 6-digit county or zone, 9-digit town, each parent exactly one level up.

The data is a CSV file (`code,name,parent_code,level`, `#` comment lines allowed), never code.
"""

from __future__ import annotations

import bisect
import csv
import functools
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

LEVELS = ("province", "city", "county", "zone", "town", "unit")
CODE_LENGTHS = (2, 4, 6, 9)
_LENGTHS_BY_LEVEL = {
    "province": {2},
    "city": {4},
    "county": {6},
    "zone": {6, 9},  # a zone may also sit under a county (e.g. a county's own industrial park)
    "town": {9},
    "unit": {6, 9},
}
_COLUMNS = ["code", "name", "parent_code", "level"]
REGIONS_ENV = "HL_REGIONS_CSV"
_DEFAULT_FILE = "regions.csv"


@dataclass(frozen=True, slots=True)
class Region:
    """One node of the tree; `parent_code` is "" for a province."""

    code: str
    name: str
    parent_code: str
    level: str


class RegionCatalogueError(ValueError):
    """A catalogue source that breaks the tree's rules; the message names the offending row."""


class RegionCatalogue:
    """A read-only, validated tree of regions, looked up by code."""

    def __init__(self, regions: Iterable[Region]) -> None:
        numbered = [(f"region #{n}", region) for n, region in enumerate(regions, start=1)]
        _check_rows(numbered)
        self._by_code = {region.code: region for _, region in numbered}
        self._codes = sorted(self._by_code)
        self._children: dict[str, list[Region]] = {}
        for code in self._codes:
            region = self._by_code[code]
            self._children.setdefault(region.parent_code, []).append(region)

    @classmethod
    def load_default(cls) -> RegionCatalogue:
        """The imported catalogue named by `HL_REGIONS_CSV` (see `./hl import-regions`), else the
        one shipped with the package; loaded once per process."""
        return _default_catalogue()

    @classmethod
    def from_csv(cls, path: str | Path) -> RegionCatalogue:
        """Load and validate a CSV file; raises `RegionCatalogueError` naming the first bad row."""
        path = Path(path)
        return cls._from_text(path.read_text(encoding="utf-8-sig"), path.name)

    @classmethod
    def _from_text(cls, text: str, source: str) -> RegionCatalogue:
        rows = _parse_rows(text, source)
        _check_rows(rows)  # here too, so that an error names the file and line, not a row number
        return cls(region for _, region in rows)

    # -- lookups -------------------------------------------------------------------------------

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def exists(self, code: str) -> bool:
        return code in self._by_code

    def name(self, code: str) -> str:
        """The region's name; an unknown code is returned as is, so labels never fail."""
        region = self._by_code.get(code)
        return region.name if region else code

    def level(self, code: str) -> str:
        return self._require(code).level

    def children(self, code: str) -> list[Region]:
        """Direct children sorted by code; `""` gives the provinces (the roots)."""
        return list(self._children.get(code, []))

    def under(self, prefix: str) -> list[Region]:
        """The region `prefix` and all its descendants, sorted by code (parents first).

        Codes start with their ancestors' codes, so the subtree is a contiguous range of the
        sorted codes; `""` gives every region.
        """
        start = bisect.bisect_left(self._codes, prefix)
        end = bisect.bisect_left(self._codes, prefix + "\U0010ffff")
        return [self._by_code[code] for code in self._codes[start:end]]

    def ancestors(self, code: str) -> list[Region]:
        """The chain from the province down to the region's parent (the region itself excluded)."""
        chain: list[Region] = []
        parent = self._require(code).parent_code
        while parent:
            region = self._by_code[parent]
            chain.append(region)
            parent = region.parent_code
        return chain[::-1]

    def is_within(self, code: str, scope_code: str) -> bool:
        """True when `code` is `scope_code` or one of its descendants; unknown codes are never within.

        A `scope_code` of "" is the whole catalogue.
        """
        if code not in self._by_code:
            return False
        return scope_code == "" or (scope_code in self._by_code and code.startswith(scope_code))

    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[Region]:
        return (self._by_code[code] for code in self._codes)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def _require(self, code: str) -> Region:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"unknown region code {code!r}") from None


@functools.cache
def _default_catalogue() -> RegionCatalogue:
    imported = os.environ.get(REGIONS_ENV, "")
    if imported:
        return RegionCatalogue.from_csv(imported)
    text = resources.files("hl_catalogue").joinpath(_DEFAULT_FILE).read_text(encoding="utf-8-sig")
    return RegionCatalogue._from_text(text, _DEFAULT_FILE)


# -- loading and checking ----------------------------------------------------------------------


def _parse_rows(text: str, source: str) -> list[tuple[str, Region]]:
    """Rows as (where, region); `where` names the file and line for error messages."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if _is_data(line)]
    if not lines:
        raise RegionCatalogueError(f"{source}: no header row")
    header_line, header = lines[0]
    if next(csv.reader([header])) != _COLUMNS:
        raise RegionCatalogueError(f"{source} line {header_line}: header must be {','.join(_COLUMNS)}")
    return [_region_from(source, n, line) for n, line in lines[1:]]


def _is_data(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _region_from(source: str, line_no: int, line: str) -> tuple[str, Region]:
    where = f"{source} line {line_no}"
    cells = next(csv.reader([line]))
    if len(cells) != len(_COLUMNS):
        raise RegionCatalogueError(f"{where}: expected {len(_COLUMNS)} columns, found {len(cells)}")
    code, name, parent_code, level = (cell.strip() for cell in cells)
    return where, Region(code=code, name=name, parent_code=parent_code, level=level)


def _check_rows(numbered: list[tuple[str, Region]]) -> None:
    seen: dict[str, str] = {}
    for where, region in numbered:
        _check_shape(where, region)
        if region.code in seen:
            raise RegionCatalogueError(f"{where}: code {region.code} repeats {seen[region.code]}")
        seen[region.code] = where
    for where, region in numbered:
        _check_parent(where, region, seen)


def _check_shape(where: str, region: Region) -> None:
    code = region.code
    if not (code.isascii() and code.isdigit() and len(code) in CODE_LENGTHS):
        raise RegionCatalogueError(f"{where}: code {code!r} must be 2, 4, 6 or 9 digits")
    if not region.name:
        raise RegionCatalogueError(f"{where}: region {code} has no name")
    if region.level not in _LENGTHS_BY_LEVEL:
        raise RegionCatalogueError(f"{where}: level {region.level!r} is not one of {', '.join(LEVELS)}")
    if len(code) not in _LENGTHS_BY_LEVEL[region.level]:
        raise RegionCatalogueError(f"{where}: a {region.level} cannot have a {len(code)}-digit code ({code})")


def _check_parent(where: str, region: Region, known: dict[str, str]) -> None:
    code, parent = region.code, region.parent_code
    expected = code[: CODE_LENGTHS[CODE_LENGTHS.index(len(code)) - 1]] if len(code) > 2 else ""
    if parent != expected:
        rule = "a province has no parent" if not expected else f"its parent must be {expected}"
        raise RegionCatalogueError(
            f"{where}: region {code} has parent {parent or '(none)'}, but {rule} "
            "(a code starts with its parent's code, one GB/T 2260 level up)"
        )
    if parent and parent not in known:
        raise RegionCatalogueError(f"{where}: region {code} names parent {parent}, which is not in the catalogue")
