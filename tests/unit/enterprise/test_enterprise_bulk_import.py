"""Bulk import: the lists bureaus keep, as CSV or .xlsx, row by row."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from stdnum.cn import uscc as stdnum_uscc

from hl_enterprise.application.bulk_import import RowResult, parse_rows
from hl_enterprise.domain.uscc import organisation_check_character
from hl_platform.errors import InvalidInput

HEADER = ["统一社会信用代码", "企业名称", "所属区域(代码)", "行业领域", "地址", "主要负责人", "联系电话", "是否高危"]
HUAWEI = "914403001922038216"
TENCENT = "9144030071526726XG"


def uscc_for(n: int) -> str:
    body = f"{n:08d}"
    first17 = "91371002" + body + organisation_check_character(body)
    return first17 + stdnum_uscc.calc_check_digit(first17)


def csv_bytes(rows: Sequence[Sequence[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def row(uscc: str = HUAWEI, **cells: str) -> list[str]:
    values = {
        "uscc": uscc,
        "name": "威海某化工有限公司",
        "region": "371002",
        "industry": "危险化学品",
        "address": "环翠区某路1号",
        "principal": "张三",
        "phone": "13800138000",
        "high_risk": "是",
    }
    values.update(cells)
    return list(values.values())


def by_row(results: list[RowResult]) -> dict[int, RowResult]:
    return {result.row: result for result in results}


def errors(result: RowResult) -> dict[str, str]:
    return {error["field"]: error["reason"] for error in result.errors}


# -- CSV --------------------------------------------------------------------------------------------


def test_valid_rows_become_profiles_numbered_as_in_the_sheet() -> None:
    data = csv_bytes([HEADER, row(), [], row(TENCENT, industry="construction", high_risk="否")])
    results = list(parse_rows(data, "企业名单.csv"))
    assert [r.row for r in results] == [2, 4]  # the blank row 3 is skipped but still counted
    first = results[0].profile
    assert first is not None
    assert (first.uscc, first.region_code, first.industry, first.high_risk) == (
        HUAWEI,
        "371002",
        "hazardous_chemicals",
        True,
    )
    assert first.principal.phone == "13800138000"
    assert results[1].profile is not None
    assert not results[1].profile.high_risk
    assert all(r.ok and r.errors == [] for r in results)


def test_english_headers_and_optional_columns() -> None:
    header = ["USCC", "Name", "Region Code", "Industry", "principal_name", "principal_phone"]
    header += ["safety_director", "safety_director_phone", "major_hazard_source", "standardization_grade"]
    header += ["supervising_department"]
    line = [HUAWEI, "某公司", "371082102", "fire_safety", "张三", "", "李四", "0631-5812345", "yes", "二级", "市住建局"]
    [result] = parse_rows(csv_bytes([header, line]), "list.csv")
    profile = result.profile
    assert profile is not None
    assert profile.safety_director is not None
    assert profile.safety_director.phone == "0631-5812345"
    assert (profile.major_hazard_source, profile.standardization_grade) == (True, "level2")
    assert profile.supervising_department == "市住建局"


def test_title_rows_full_width_brackets_and_required_marks() -> None:
    header = ["*统一社会信用代码", "*企业名称", "所属区域（代码）", "行业领域", "主要负责人"]
    data = csv_bytes([["威海市重点企业名单"], [], header, [HUAWEI, "某公司", "371002", "消防", "张三"]])
    [result] = parse_rows(data, "list.csv")
    assert (result.row, result.ok) == (4, True)


def test_gbk_csv_as_excel_saves_it_on_chinese_windows() -> None:
    [result] = parse_rows(csv_bytes([HEADER, row()], encoding="gbk"), "list.csv")
    assert result.profile is not None
    assert result.profile.name == "威海某化工有限公司"


def test_utf8_bom_and_a_path(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_bytes([HEADER, row()]))
    [result] = parse_rows(path)
    assert result.ok


@pytest.mark.parametrize(
    ("cell", "expected"), [("371002 环翠区", "371002"), ("荣成市", "371082"), ("成山镇", "371082102")]
)
def test_region_by_code_or_unique_name(cell: str, expected: str) -> None:
    [result] = parse_rows(csv_bytes([HEADER, row(region=cell)]), "list.csv")
    assert result.profile is not None
    assert result.profile.region_code == expected


def test_ambiguous_or_unknown_region_names_are_errors() -> None:
    results = list(parse_rows(csv_bytes([HEADER, row(region="市中区"), row(TENCENT, region="火星")]), "list.csv"))
    assert [errors(r)["region_code"] for r in results] == ["unknown region code 市中区", "unknown region code 火星"]


def test_every_error_of_a_row_with_its_column() -> None:
    bad = row("914403001922038217", industry="采矿", phone="12345", high_risk="也许", principal="")
    [result] = parse_rows(csv_bytes([HEADER, bad]), "list.csv")
    assert result.profile is None
    found = {error["field"]: (error["column"], error["reason"]) for error in result.errors}
    assert found["uscc"][0] == "统一社会信用代码"
    assert found["uscc"][1].startswith("check-character")
    assert found["industry"] == ("行业领域", "unknown industry 采矿")
    assert found["high_risk"] == ("是否高危", "not a yes/no value (是/否): 也许")
    assert found["principal.phone"][0] == "联系电话"
    assert found["principal.name"][0] == "主要负责人"


def test_a_uscc_that_excel_turned_into_a_number() -> None:
    [result] = parse_rows(csv_bytes([HEADER, row("9.14403E+17")]), "list.csv")
    assert result.errors == [
        {"field": "uscc", "reason": "stored as a number (9.14403E+17); format the column as text", "column": HEADER[0]}
    ]


def test_duplicates_within_the_file() -> None:
    results = list(parse_rows(csv_bytes([HEADER, row(), row(TENCENT), row(HUAWEI.lower())]), "list.csv"))
    assert [r.ok for r in results] == [True, True, False]
    assert errors(results[2]) == {"uscc": "duplicate of row 2"}


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([["企业名称", "地址"], ["某公司", "某路"]], "no header row naming 统一社会信用代码"),
        ([["统一社会信用代码", "企业名称", "行业领域"]], "missing required column(s) 所属区域(代码), 主要负责人"),
        ([], "no header row"),
    ],
)
def test_unusable_headers_refuse_the_file(rows: list[list[str]], reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        list(parse_rows(csv_bytes(rows), "list.csv"))
    assert caught.value.field == "file"
    assert reason in caught.value.reason


@pytest.mark.parametrize("filename", ["list.xls", "list.txt", "list"])
def test_unsupported_file_types(filename: str) -> None:
    with pytest.raises(InvalidInput, match="unsupported file type"):
        list(parse_rows(b"anything", filename))


def test_ten_thousand_rows_with_some_bad_ones() -> None:
    bad_rows = {n for n in range(0, 10_000, 97)}
    lines: list[list[str]] = [HEADER]
    for n in range(10_000):
        uscc = uscc_for(n)
        lines.append(row(uscc[:17] + ("0" if uscc[17] != "0" else "1")) if n in bad_rows else row(uscc))
    started = time.perf_counter()
    results = list(parse_rows(csv_bytes(lines), "big.csv"))
    elapsed = time.perf_counter() - started
    assert len(results) == 10_000
    failed = {r.row for r in results if not r.ok}
    assert failed == {n + 2 for n in bad_rows}
    assert all(errors(r)["uscc"].startswith("check-character") for r in results if not r.ok)
    assert elapsed < 20  # typically about one second


# -- xlsx -------------------------------------------------------------------------------------------


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in rows:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_a_title_row_number_cells_and_booleans() -> None:
    data = xlsx_bytes(
        [
            ["威海市环翠区重点企业名单（2024年）"],
            HEADER,
            [HUAWEI, "某化工", 371002, "危险化学品", "某路", "张三", 13800138000, True],
            [],
            [TENCENT, "某建筑", "371003", "construction", None, "李四", "0631-5812345", False],
            [914403001922038216, "数字格式", 371002, "消防", None, "王五", None, None],
        ]
    )
    results = by_row(list(parse_rows(data, "名单.xlsx")))
    assert sorted(results) == [3, 5, 6]
    first = results[3].profile
    assert first is not None
    assert (first.region_code, first.principal.phone, first.high_risk) == ("371002", "13800138000", True)
    assert results[5].profile is not None
    assert not results[5].profile.high_risk
    assert "stored as a number" in errors(results[6])["uscc"]


def test_a_broken_xlsx_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"not a readable \.xlsx"):
        list(parse_rows(b"PK\x03\x04 not really a zip", "list.xlsx"))
