"""The region catalogue: the shipped data, the tree queries and the loader's refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from hl_catalogue import Region, RegionCatalogue, RegionCatalogueError

SHANDONG_CITIES = [f"37{n:02d}" for n in range(1, 18) if n != 12]  # 莱芜 (3712) merged into 济南 in 2019
WEIHAI_UNITS = ["371002", "371003", "371071", "371072", "371073", "371082", "371083", "371090"]


@pytest.fixture(scope="module")
def catalogue() -> RegionCatalogue:
    return RegionCatalogue.load_default()


def write(tmp_path: Path, *rows: str, header: str = "code,name,parent_code,level") -> Path:
    path = tmp_path / "regions.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


# -- the shipped data ----------------------------------------------------------------------------


def test_default_catalogue_is_loaded_once(catalogue: RegionCatalogue) -> None:
    assert RegionCatalogue.load_default() is catalogue


def test_shandong_and_its_sixteen_cities(catalogue: RegionCatalogue) -> None:
    assert [r.code for r in catalogue.children("")] == ["37"]
    assert catalogue.name("37") == "山东省"
    assert [r.code for r in catalogue.children("37")] == SHANDONG_CITIES
    assert catalogue.name("3710") == "威海市"
    assert not catalogue.exists("3712")


def test_weihai_counties_zones_and_nanhai(catalogue: RegionCatalogue) -> None:
    assert [r.code for r in catalogue.children("3710")] == WEIHAI_UNITS
    assert catalogue.level("371071") == "zone"
    assert catalogue.level("371090") == "zone"
    assert catalogue.name("371090") == "威海南海新区"
    assert catalogue.level("371082") == "county"


def test_every_weihai_county_and_official_zone_has_its_towns(catalogue: RegionCatalogue) -> None:
    for code in WEIHAI_UNITS[:-1]:
        towns = catalogue.children(code)
        assert towns, code
        assert all(len(town.code) == 9 and town.level in {"town", "unit"} for town in towns)
    assert catalogue.name("371082102") == "成山镇"
    assert catalogue.get("371071004") == Region("371071004", "怡园街道", "371071", "town")
    assert catalogue.level("371003400") == "unit"


def test_jinan_counties(catalogue: RegionCatalogue) -> None:
    names = {r.name for r in catalogue.children("3701")}
    assert {"历下区", "市中区", "历城区", "章丘区", "莱芜区", "钢城区", "平阴县", "商河县"} <= names


def test_every_code_starts_with_its_ancestors_codes(catalogue: RegionCatalogue) -> None:
    for region in catalogue:
        for ancestor in catalogue.ancestors(region.code):
            assert region.code.startswith(ancestor.code)
            assert catalogue.is_within(region.code, ancestor.code)


# -- queries -------------------------------------------------------------------------------------


def test_len_and_iteration_in_code_order(catalogue: RegionCatalogue) -> None:
    codes = [r.code for r in catalogue]
    assert len(codes) == len(catalogue) == len(set(codes))
    assert codes == sorted(codes)


def test_children_of_unknown_or_leaf_is_empty(catalogue: RegionCatalogue) -> None:
    assert catalogue.children("999999") == []
    assert catalogue.children("371002001") == []


def test_under_is_the_whole_subtree_including_itself(catalogue: RegionCatalogue) -> None:
    subtree = catalogue.under("3710")
    assert subtree[0].code == "3710"
    assert all(r.code.startswith("3710") for r in subtree)
    assert len(subtree) == 1 + sum(1 + len(catalogue.children(c.code)) for c in catalogue.children("3710"))
    assert [r.code for r in catalogue.under("371002001")] == ["371002001"]
    assert len(catalogue.under("")) == len(catalogue)
    assert catalogue.under("38") == []


def test_ancestors_root_first(catalogue: RegionCatalogue) -> None:
    assert [r.code for r in catalogue.ancestors("371072103")] == ["37", "3710", "371072"]
    assert catalogue.ancestors("37") == []
    with pytest.raises(KeyError, match="unknown region code"):
        catalogue.ancestors("371099")


@pytest.mark.parametrize(
    ("code", "scope", "expected"),
    [
        ("371002001", "371002", True),
        ("371002001", "3710", True),
        ("371002", "371002", True),
        ("371071004", "3710", True),
        ("371003001", "371002", False),
        ("3710", "371002", False),
        ("371002001", "", True),
        ("999999", "", False),
        ("371002001", "3799", False),
        ("370102", "3710", False),
    ],
)
def test_is_within(catalogue: RegionCatalogue, code: str, scope: str, expected: bool) -> None:
    assert catalogue.is_within(code, scope) is expected


def test_name_of_unknown_code_is_the_code(catalogue: RegionCatalogue) -> None:
    assert catalogue.name("123456") == "123456"
    assert catalogue.get("123456") is None
    with pytest.raises(KeyError):
        catalogue.level("123456")


# -- loading -------------------------------------------------------------------------------------


def test_from_csv_with_comments_bom_and_any_row_order(tmp_path: Path) -> None:
    path = tmp_path / "regions.csv"
    path.write_text(
        "\ufeff# a comment\ncode,name,parent_code,level\n"
        "370102001,解放路街道,370102,town\n\n# another\n370102,历下区,3701,county\n"
        "3701,济南市,37,city\n37,山东省,,province\n",
        encoding="utf-8",
    )
    catalogue = RegionCatalogue.from_csv(path)
    assert len(catalogue) == 4
    assert [r.code for r in catalogue.ancestors("370102001")] == ["37", "3701", "370102"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["37,山东省,,province", "3710,威海市,37,city", "371102,东港区,3710,county"], "line 4.*must be 3711"),
        (["37,山东省,,province", "3710,威海市,37,city", "3710021,x,3710,county"], "line 4.*2, 4, 6 or 9 digits"),
        (["37,山东省,,province", "3710,威海市,37,city", "37100200A,x,371002,town"], "line 4.*digits"),
        (["37,山东省,,province", "3710,威海市,37,city", "371002001,x,3710,town"], "line 4.*must be 371002"),
        (["37,山东省,,province", "3710,威海市,37,village"], "line 3.*level 'village'"),
        (["37,山东省,,province", "3710,威海市,37,county"], "line 3.*a county cannot have a 4-digit code"),
        (["37,山东省,,province", "3710,威海市,37,city", "3710,威海,37,city"], "line 4.*repeats.*line 3"),
        (["37,山东省,,province", "371002,环翠区,3710,county"], "line 3.*parent 3710.*not in the catalogue"),
        (["37,山东省,3,province"], "line 2.*a province has no parent"),
        (["37,,,province"], "line 2.*no name"),
        (["37,山东省,province"], "line 2.*expected 4 columns"),
    ],
)
def test_from_csv_refuses_a_broken_row_and_names_it(tmp_path: Path, rows: list[str], message: str) -> None:
    with pytest.raises(RegionCatalogueError, match=message):
        RegionCatalogue.from_csv(write(tmp_path, *rows))


def test_from_csv_refuses_a_wrong_header(tmp_path: Path) -> None:
    with pytest.raises(RegionCatalogueError, match="header"):
        RegionCatalogue.from_csv(write(tmp_path, "37,山东省,,province", header="id,name,parent,level"))


def test_constructor_checks_regions_too() -> None:
    with pytest.raises(RegionCatalogueError, match="region #2"):
        RegionCatalogue([Region("37", "山东省", "", "province"), Region("3810", "x", "37", "city")])
