"""The hazard figures' atoms as named measures: one column each in the roll-ups' wide rows.

A hazard's step (see `hazard_timeline`) is keyed by metric, source, level and listing level. The
roll-ups keep one row per (region level, industry, cohort, day) holding every atom as a column, so
that a report reads one row where it would read dozens of narrow ones. An atom is the step's key
with the dimensions no figure asks for dropped: the listed metrics keep level and listing level but
not the source; the others keep source and level. `sums_of` turns measures back into the keyed
sums the figures are computed from (`figures.HazardSums`), with "" for a dropped dimension.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from hl_contracts.vocabulary import HazardLevel, HazardSource, ListingLevel
from hl_reporting.domain.figures import HazardSums
from hl_reporting.domain.hazard_timeline import FOUND, FUNDS, LISTED, LISTED_RECTIFIED, OVERDUE, RECTIFIED

StepKey = tuple[str, str, str, str]  # (metric, source, level, listing level)
_LEVELS = [level.value for level in HazardLevel]
_BY_SOURCE = (FOUND, RECTIFIED, OVERDUE)
_BY_LISTING = (LISTED, LISTED_RECTIFIED)


def _atoms() -> dict[str, StepKey]:
    atoms: dict[str, StepKey] = {}
    for metric in _BY_SOURCE:
        for source in HazardSource:
            for level in _LEVELS:
                atoms[f"{metric}_{source.value}_{level}"] = (metric, source.value, level, "")
    for metric in _BY_LISTING:
        for listing in ListingLevel:
            for level in _LEVELS:
                atoms[f"{metric}_{listing.value}_{level}"] = (metric, "", level, listing.value)
    for level in _LEVELS:
        atoms[f"{FUNDS}_{level}"] = (FUNDS, "", level, "")
    return atoms


ATOMS: dict[str, StepKey] = _atoms()
MEASURES: tuple[str, ...] = tuple(ATOMS)
_NAME_OF: dict[StepKey, str] = {key: name for name, key in ATOMS.items()}
Measures = dict[str, int]


def measure_of(metric: str, source: str, level: str, listing: str) -> str:
    """The measure (column) a step adds to; KeyError for a dimension value the contract lacks."""
    if metric in _BY_LISTING:
        return _NAME_OF[(metric, "", level, listing)]
    if metric == FUNDS:
        return _NAME_OF[(metric, "", level, "")]
    return _NAME_OF[(metric, source, level, "")]


def add(into: Measures, more: Mapping[str, int], sign: int = 1) -> None:
    for name, value in more.items():
        if value:
            into[name] = into.get(name, 0) + sign * value


def sums_of(measures: Iterable[Mapping[str, int]]) -> HazardSums:
    """The keyed sums the figures read, from any number of measure rows."""
    total: Measures = {}
    for row in measures:
        add(total, row)
    sums = HazardSums()
    for name, value in total.items():
        if value:
            sums.add(ATOMS[name], value)
    return sums
