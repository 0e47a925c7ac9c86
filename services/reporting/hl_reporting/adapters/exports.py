"""Exports: the dispatch table in the official layout (xlsx) and as CSV; the supervision list.

The xlsx reproduces seed 004's form: the title, the 填报单位 / 填表时间 line, then each section with
its name merged down its lines and two numbered rows per line ("1 label value 2 label value"),
then the extra figures (marked as outside the form), and the footer 填表人 / 审核人 / 填表时间,
and a status line: a live table is an unsigned draft (草稿) with the moment it was computed and no
one's name in the footer; a submitted one names when it was submitted, and, submitted early,
the moment its figures stand at. A second sheet holds the per-region breakdown. CSV is UTF-8 with
a BOM (so Excel reads Chinese), one figure a line: the official label, the English key, the value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hl_reporting.adapters.export_cells import (
    LISTING_LABELS,
    STATUS_LABELS,
    chinese_date,
    days_text,
    guard,
    industry_label,
    local_minute,
    number_text,
    set_text,
)
from hl_reporting.domain.dispatch_table import COMPUTED_FIGURES, SECTIONS, Kind, Row, Section
from hl_reporting.domain.listings import ListedHazard
from hl_reporting.domain.report import ComputedTable, FigureValue, Signoff

DEFAULT_CAMPAIGN = "重大事故隐患专项排查整治行动"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
SUPERVISION_HEADERS = (
    "隐患名称",
    "企业名称",
    "所属区域",
    "行业领域",
    "督办级别",
    "督办单位",
    "挂牌时间",
    "整改期限",
    "状态",
    "剩余天数/逾期天数",
    "佐证材料(份)",
)


def title_of(table: ComputedTable, campaign: str = DEFAULT_CAMPAIGN) -> str:
    if table.kind == "quarterly":
        year, quarter = table.period.split("-Q")
        return f"{table.region_name}{campaign}{year}年第{quarter}季度统计表"
    if table.kind == "annual":
        return f"{table.region_name}{campaign}{table.period}年度统计表"
    return f"{table.region_name}{campaign}进展情况调度表"


def status_line(table: ComputedTable) -> str:
    """草稿 for a live table (never signed), 已报送 for a frozen one; and where the figures stand."""
    if table.draft:
        text = f"草稿:未报送、未签署,数据生成于{local_minute(table.computed_at)}(北京时间)"
        return text + (f";统计期未结束,数据截至{local_minute(table.stands_at)}" if table.early else "")
    text = f"已报送:报送于{local_minute(table.as_of)}(北京时间)"
    return text + (f";提前报送,数据截至{local_minute(table.stands_at)}" if table.early else "")


def _signed(table: ComputedTable, signoff: Signoff | None) -> Signoff:
    """A draft carries no one's signature, whatever is passed; a frozen table its own."""
    return Signoff() if table.draft or signoff is None else signoff


def heading_line(table: ComputedTable, signoff: Signoff) -> str:
    unit = table.region_name if not table.industry else f"{table.region_name}({industry_label(table.industry)})"
    return (
        f"填报单位:{unit}(加盖公章)    填表时间:{chinese_date(signoff.filled_on)}    "
        f"统计期间:{chinese_date(table.since)}至{chinese_date(table.cutoff)}24时"
    )


def footer_line(signoff: Signoff) -> tuple[str, str, str]:
    when = chinese_date(signoff.filled_on)
    return f"填表人:{signoff.filled_by}", f"审核人:{signoff.reviewed_by}", f"填表时间:{when}"


def figure_values(table: ComputedTable, signoff: Signoff) -> dict[str, FigureValue]:
    return {**table.figures, **signoff.section4}


def dispatch_table_xlsx(
    table: ComputedTable, signoff: Signoff | None = None, *, campaign: str = DEFAULT_CAMPAIGN
) -> bytes:
    """The dispatch table as an xlsx workbook in the official layout, plus a per-region sheet."""
    signoff = _signed(table, signoff)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "调度表"
    merged(sheet, 1, 1, 7, title_of(table, campaign), Font(bold=True, size=16), CENTER)
    merged(sheet, 2, 1, 7, heading_line(table, signoff), None, _WRAP)
    values = figure_values(table, signoff)
    row = 3
    for section in SECTIONS:
        row = _section(sheet, row, section, values)
    filled, reviewed, when = footer_line(signoff)
    merged(sheet, row + 1, 1, 3, filled, None, _WRAP)
    merged(sheet, row + 1, 4, 5, reviewed, None, _WRAP)
    merged(sheet, row + 1, 6, 7, when, None, _WRAP)
    note = f"注:统计截至{chinese_date(table.cutoff)}24时(北京时间)的累计情况;“补充指标”不属于调度表规定内容。"
    merged(sheet, row + 2, 1, 7, note, None, _WRAP)
    merged(sheet, row + 3, 1, 7, status_line(table), Font(bold=True), _WRAP)
    for column, width in zip("ABCDEFG", (16, 5, 40, 12, 5, 40, 12), strict=True):
        sheet.column_dimensions[column].width = width
    _breakdown_sheet(book.create_sheet("分地区"), table)
    return save_book(book)


def _section(sheet: Worksheet, first: int, section: Section, values: dict[str, FigureValue]) -> int:
    """Write a section from row `first`; returns the next free row."""
    pairs = [section.rows[i : i + 2] for i in range(0, len(section.rows), 2)]
    last = first + len(pairs) - 1
    name = section.label if section.official else f"{section.label}(表外)"
    merged(sheet, first, 1, 1, name, Font(bold=True), CENTER, last_row=last)
    for offset, pair in enumerate(pairs):
        for index, row in enumerate(pair):
            column = 2 + 3 * index
            sheet.cell(first + offset, column, row.number).alignment = CENTER
            sheet.cell(first + offset, column + 1, row.label).alignment = _WRAP
            _value_cell(sheet, first + offset, column + 2, row, values)
        for column in range(1, 8):
            sheet.cell(first + offset, column).border = _BOX
    return last + 1


def _value_cell(sheet: Worksheet, row_number: int, column: int, row: Row, values: dict[str, FigureValue]) -> None:
    cell = sheet.cell(row_number, column)
    cell.alignment = CENTER
    figures = row.figures
    if len(figures) > 1:  # e.g. 行政处罚(次,万元): "3,12.5", in the label's order
        parts = [values.get(figure.key) for figure in figures]
        if any(part is not None for part in parts):
            cell.value = ",".join(number_text(part) for part in parts)
        return
    value = values.get(figures[0].key)
    if isinstance(value, bool):
        cell.value = number_text(value)
    elif value is not None:
        cell.value = value
        if figures[0].kind in (Kind.AMOUNT, Kind.RATE):
            cell.number_format = "0.00##"


def _breakdown_sheet(sheet: Worksheet, table: ComputedTable) -> None:
    sheet.append(["区域代码", "区域名称", *(figure.label for figure in COMPUTED_FIGURES)])
    for region in (*table.breakdown, None):
        code, name, figures = (
            (region.region_code, region.region_name, region.figures)
            if region
            else (table.region_code, "合计", table.figures)
        )
        sheet.append([code, None, *(_plain(figures.get(figure.key)) for figure in COMPUTED_FIGURES)])
        set_text(sheet.cell(sheet.max_row, 2), name)
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["B"].width = 24
    for column in range(3, len(COMPUTED_FIGURES) + 3):
        sheet.column_dimensions[get_column_letter(column)].width = 14


def _plain(value: FigureValue) -> object:
    return number_text(value) if isinstance(value, bool) else value


def dispatch_table_csv(table: ComputedTable, signoff: Signoff | None = None) -> bytes:
    """One line per figure: official label, English key, value; the scope first, the footer last."""
    signoff = _signed(table, signoff)
    values = figure_values(table, signoff)
    lines: list[Sequence[str]] = [
        ("指标", "key", "数值"),
        ("区域代码", "region_code", table.region_code),
        ("填报单位", "region_name", table.region_name),
        ("行业领域", "industry", industry_label(table.industry)),
        ("统计月份", "period", table.period),
        ("统计起始日", "since", table.since.isoformat()),
        ("截止日", "cutoff", table.cutoff.isoformat()),
        ("状态", "status", status_line(table)),
        ("数据截至", "as_of", local_minute(table.stands_at)),
        ("统计至", "through", table.through.isoformat()),
    ]
    for section in SECTIONS:
        for row in section.rows:
            lines.extend((figure.label, figure.key, number_text(values.get(figure.key))) for figure in row.figures)
    lines.extend(
        [
            ("填表人", "filled_by", signoff.filled_by),
            ("审核人", "reviewed_by", signoff.reviewed_by),
            ("填表时间", "filled_on", signoff.filled_on.isoformat() if signoff.filled_on else ""),
        ]
    )
    return _csv(lines)


def supervision_rows(items: Iterable[ListedHazard]) -> list[tuple[str, ...]]:
    """The supervision list as text rows under `SUPERVISION_HEADERS`."""
    rows: list[tuple[str, ...]] = []
    for item in items:
        status = STATUS_LABELS.get(item.status, item.status) + ("(已摘牌)" if item.delisted_at else "")
        rows.append(
            (
                item.title,
                item.enterprise_name,
                item.region_name,
                industry_label(item.industry),
                LISTING_LABELS.get(item.listing_level, item.listing_level),
                item.listing_authority,
                local_minute(item.listed_at),
                item.deadline.isoformat() if item.deadline else "",
                status,
                days_text(item.days_left, item.days_overdue),
                str(item.evidence_count),
            )
        )
    return rows


def supervision_list_xlsx(items: Iterable[ListedHazard], *, today: date) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "挂牌督办清单"
    title = f"挂牌督办重大事故隐患清单(截至{chinese_date(today)})"
    merged(sheet, 1, 1, len(SUPERVISION_HEADERS), title, Font(bold=True, size=14), CENTER)
    sheet.append(list(SUPERVISION_HEADERS))
    for row in supervision_rows(items):
        sheet.append([None] * len(row))
        for number, text in enumerate(row, start=1):
            set_text(sheet.cell(sheet.max_row, number), text)
    sheet.freeze_panes = "A3"
    for column, width in zip("ABCDEFGHIJK", (36, 30, 16, 12, 10, 24, 18, 12, 16, 18, 12), strict=True):
        sheet.column_dimensions[column].width = width
    return save_book(book)


def supervision_list_csv(items: Iterable[ListedHazard]) -> bytes:
    return _csv([SUPERVISION_HEADERS, *supervision_rows(items)])


def _csv(lines: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in lines:
        writer.writerow([guard(cell) for cell in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def merged(
    sheet: Worksheet,
    row: int,
    first_column: int,
    last_column: int,
    text: str,
    font: Font | None,
    alignment: Alignment,
    *,
    last_row: int | None = None,
) -> None:
    cell = sheet.cell(row, first_column)
    set_text(cell, text)
    cell.alignment = alignment
    if font is not None:
        cell.font = font
    if last_column > first_column or (last_row or row) > row:
        sheet.merge_cells(start_row=row, start_column=first_column, end_row=last_row or row, end_column=last_column)


def save_book(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
