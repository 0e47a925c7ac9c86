"""A tiny region catalogue with the `hl_catalogue.RegionCatalogue` methods the reporting side uses."""

from __future__ import annotations

from dataclasses import dataclass

CODE_LENGTHS = (2, 4, 6, 9)


@dataclass(frozen=True)
class FakeRegion:
    code: str
    name: str
    parent_code: str
    level: str = "unit"


class FakeCatalogue:
    def __init__(self, names: dict[str, str]) -> None:
        self._regions = {code: FakeRegion(code, name, _parent(code)) for code, name in sorted(names.items())}

    def get(self, code: str) -> FakeRegion | None:
        return self._regions.get(code)

    def name(self, code: str) -> str:
        region = self._regions.get(code)
        return region.name if region else code

    def children(self, code: str) -> list[FakeRegion]:
        return [region for region in self._regions.values() if region.parent_code == code]


def _parent(code: str) -> str:
    index = CODE_LENGTHS.index(len(code))
    return code[: CODE_LENGTHS[index - 1]] if index else ""
