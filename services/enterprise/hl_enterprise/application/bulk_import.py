"""Bulk import of enterprises from the lists bureaus keep: parsing and validation only, no storage.

A CSV (UTF-8, or GB18030 as Excel saves it on Chinese Windows) or an .xlsx sheet with Chinese
headers (统一社会信用代码, 企业名称, 所属区域(代码), 行业领域, 地址, 主要负责人, 联系电话, 是否高危, …) or
English ones (the profile's field names). A title row above the header is allowed. Each data row
yields a `RowResult` numbered as the user sees it in the sheet, with the validated profile or
every error of that row, so one upload reports all problems at once.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from pydantic import ValidationError

from hl_catalogue import RegionCatalogue, industry_code
from hl_contracts.vocabulary import STANDARDIZATION_GRADES
from hl_enterprise.domain.profile import EnterpriseProfile, profile_context
from hl_enterprise.domain.validation import FieldError, field_errors
from hl_platform.errors import InvalidInput

Cell = str | int | float | bool | date | datetime | None

# profile field (dotted for contacts) → the headers it goes by; matched after `_normalise`.
COLUMNS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "uscc", "unified social credit code"),
    "name": ("企业名称", "单位名称", "企业(单位)名称", "生产经营单位名称", "名称", "name", "enterprise name"),
    "region_code": ("所属区域(代码)", "所属区域代码", "区域代码", "行政区划代码", "所属区域", "region code", "region"),
    "industry": ("行业领域", "所属行业领域", "所属行业", "行业", "industry"),
    "address": ("地址", "企业地址", "经营地址", "生产经营地址", "address"),
    "principal.name": ("主要负责人", "主要负责人姓名", "负责人", "principal", "principal name"),
    "principal.phone": (
        "联系电话",
        "主要负责人电话",
        "主要负责人联系电话",
        "负责人电话",
        "电话",
        "principal phone",
        "phone",
    ),
    "safety_director.name": (
        "安全管理负责人",
        "安全负责人",
        "分管安全负责人",
        "safety director",
        "safety director name",
    ),
    "safety_director.phone": ("安全管理负责人电话", "安全负责人电话", "安全负责人联系电话", "safety director phone"),
    "high_risk": ("是否高危", "是否高危行业", "高危行业", "high risk"),
    "major_hazard_source": ("是否重大危险源", "是否构成重大危险源", "重大危险源", "major hazard source"),
    "standardization_grade": ("标准化等级", "安全生产标准化等级", "标准化达标等级", "standardization grade"),
    "supervising_department": ("监管部门", "行业监管部门", "主管部门", "行业主管部门", "supervising department"),
}
REQUIRED = ("uscc", "name", "region_code", "industry", "principal.name")
HEADER_SEARCH_ROWS = 10  # how far down a title block may push the header row

_YES = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
_NO = {"否", "n", "no", "false", "0", "×", "✗", "无", "不是"}
_GRADES = {**{label: code for code, label in STANDARDIZATION_GRADES.items()}, "无": "none", "": "none"}
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE)


class RowError(FieldError):
    """A `FieldError` plus the column header as written in the file ("" when none applies)."""

    column: str


@dataclass(frozen=True)
class RowResult:
    """One data row: `row` is the sheet's row number (the header row counts, blank rows too)."""

    row: int
    profile: EnterpriseProfile | None
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.profile is not None


def parse_rows(
    source: str | Path | bytes, filename: str | None = None, *, regions: RegionCatalogue | None = None
) -> Iterator[RowResult]:
    """Validate each data row of a .csv or .xlsx list of enterprises.

    `filename` (required for bytes) picks the format by its suffix. A file without a usable
    header raises `InvalidInput(field="file")` on the first `next()`; blank rows are skipped.
    """
    name = filename or (Path(source).name if not isinstance(source, bytes) else "")
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    catalogue = regions or RegionCatalogue.load_default()
    rows = _read_sheet(data, name)
    columns = _find_header(rows)  # consumes the rows down to the header
    names = _unique_names(catalogue)
    seen: dict[str, int] = {}
    for number, cells in rows:
        if not any(_text(cell) for cell in cells):
            continue
        profile, errors = _parse_row(cells, columns, catalogue, names)
        first = seen.setdefault(profile.uscc, number) if profile else number
        if first != number:  # the same enterprise twice in one list: keep the first
            profile, errors = None, [FieldError(field="uscc", reason=f"duplicate of row {first}")]
        yield RowResult(number, profile, [_with_column(error, columns) for error in errors])


# -- reading the file -----------------------------------------------------------------------------


def _read_sheet(data: bytes, filename: str) -> Iterator[tuple[int, Sequence[Cell]]]:
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return _csv_rows(data)
    if suffix == ".xlsx":
        return _xlsx_rows(data)
    raise InvalidInput("file", f"unsupported file type {suffix or filename!r}; save the list as .xlsx or .csv")


def _csv_rows(data: bytes) -> Iterator[tuple[int, Sequence[Cell]]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    return enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("file", "the CSV is neither UTF-8 nor GB18030 (GBK) text")


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, Sequence[Cell]]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sheets from other tools trip openpyxl's harmless style warnings
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several unrelated types for a broken file
            raise InvalidInput("file", f"not a readable .xlsx workbook ({type(exc).__name__})") from exc
    try:
        sheet = workbook.active or workbook.worksheets[0]
        yield from enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
    finally:
        workbook.close()


def _find_header(rows: Iterator[tuple[int, Sequence[Cell]]]) -> dict[str, tuple[int, str]]:
    """Per profile field, its column index and header text, from the first row naming the uscc."""
    for number, cells in rows:
        columns = _match_columns(cells)
        if "uscc" in columns:
            missing = [COLUMNS[key][0] for key in REQUIRED if key not in columns]
            if missing:
                raise InvalidInput("file", f"row {number}: missing required column(s) {', '.join(missing)}")
            return columns
        if number >= HEADER_SEARCH_ROWS:
            break
    raise InvalidInput("file", f"no header row naming 统一社会信用代码 (uscc) in the first {HEADER_SEARCH_ROWS} rows")


def _match_columns(cells: Sequence[Cell]) -> dict[str, tuple[int, str]]:
    columns: dict[str, tuple[int, str]] = {}
    for index, cell in enumerate(cells):
        key = _ALIASES.get(_normalise(_text(cell)))
        if key and key not in columns:
            columns[key] = (index, _text(cell))
    return columns


def _normalise(header: str) -> str:
    # NFKC folds full-width brackets and letters; "*" marks required columns in many templates.
    folded = unicodedata.normalize("NFKC", header).lower()
    return re.sub(r"[\s_*\-]", "", folded)


_ALIASES = {_normalise(alias): key for key, names in COLUMNS.items() for alias in names}


# -- one row --------------------------------------------------------------------------------------


def _parse_row(
    cells: Sequence[Cell], columns: dict[str, tuple[int, str]], regions: RegionCatalogue, names: dict[str, str]
) -> tuple[EnterpriseProfile | None, list[FieldError]]:
    values = {key: cells[index] if index < len(cells) else None for key, (index, _) in columns.items()}
    errors: list[FieldError] = []
    data = _profile_data(values, names, errors)
    try:
        profile = EnterpriseProfile.model_validate(data, context=profile_context(regions))
    except ValidationError as exc:
        known = {error["field"] for error in errors}  # the cell-level reason is the more telling one
        errors.extend(error for error in field_errors(exc) if error["field"] not in known)
    return (None, errors) if errors else (profile, [])


def _profile_data(values: dict[str, Cell], names: dict[str, str], errors: list[FieldError]) -> dict[str, Any]:
    text = {key: _text(value) for key, value in values.items()}
    data: dict[str, Any] = {key: text[key] for key in ("name", "address", "supervising_department") if key in text}
    data["uscc"] = _uscc(values.get("uscc"), errors)
    data["region_code"] = _region_code(text.get("region_code", ""), names)
    data["industry"] = industry_code(text.get("industry", "")) or text.get("industry", "")
    data["principal"] = {"name": text.get("principal.name", ""), "phone": text.get("principal.phone", "")}
    director = {"name": text.get("safety_director.name", ""), "phone": text.get("safety_director.phone", "")}
    data["safety_director"] = director if any(director.values()) else None
    for flag in ("high_risk", "major_hazard_source"):
        data[flag] = _flag(flag, text.get(flag, ""), errors)
    grade = text.get("standardization_grade", "")
    data["standardization_grade"] = _GRADES.get(grade, grade)
    return data


def _uscc(value: Cell, errors: list[FieldError]) -> str:
    text = _text(value)
    if isinstance(value, float) or _SCIENTIFIC.match(text):
        # An 18-digit number has already lost its last digits in the spreadsheet.
        errors.append(FieldError(field="uscc", reason=f"stored as a number ({text}); format the column as text"))
    return text


def _region_code(text: str, names: dict[str, str]) -> str:
    """A leading code ("371002 环翠区" → "371002"), else the code of a unique region name."""
    code = re.match(r"^\d{2,9}", text)
    return code.group() if code else names.get(text, text)


def _unique_names(regions: RegionCatalogue) -> dict[str, str]:
    # Names such as 市中区 or 桃园街道 repeat across cities; only an unambiguous name stands for a code.
    codes: dict[str, list[str]] = {}
    for region in regions:
        codes.setdefault(region.name, []).append(region.code)
    return {name: found[0] for name, found in codes.items() if len(found) == 1}


def _flag(key: str, text: str, errors: list[FieldError]) -> bool:
    answer = text.lower()
    if answer in _YES:
        return True
    if answer and answer not in _NO:
        errors.append(FieldError(field=key, reason=f"not a yes/no value (是/否): {text}"))
    return False


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # phone numbers and codes typed into number cells
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _with_column(error: FieldError, columns: dict[str, tuple[int, str]]) -> RowError:
    path = error["field"]
    header = next((columns[key][1] for key in (path, f"{path}.name") if key in columns), "")
    return RowError(field=path, reason=error["reason"], column=header)
