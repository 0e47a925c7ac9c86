"""The evaluation as an xlsx workbook in the layout of a printed score sheet (评估赋分表).

Sheet 评估赋分表: the title, a line with the unit, window, scheme and status, then one row per unit
(排名, 单位, each indicator's points, 总分) and a note. Sheet 评分说明: every unit's indicators with
their inputs, value, band and points. Sheet 评估方案: the scheme itself (weights, formulas, bands).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hl_reporting.adapters.export_cells import chinese_date, local_minute, set_text
from hl_reporting.domain.evaluation import Evaluation
from hl_reporting.domain.evaluation_scheme import Scheme

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="center", wrap_text=True)
_HEAD = PatternFill("solid", fgColor="DDE7F3")
_BOLD = Font(bold=True)
EXPLANATION_HEADERS = (
    "排名",
    "单位代码",
    "单位名称",
    "评估指标",
    "分值",
    "计算方式",
    "数据",
    "指标值",
    "评分档次",
    "得分系数",
    "得分",
)


def title_of(evaluation: Evaluation) -> str:
    year, month = evaluation.period.split("-")
    return f"{evaluation.region_name}{year}年{int(month)}月安全生产工作月度评估赋分表"


def status_text(evaluation: Evaluation) -> str:
    when = local_minute(evaluation.as_of)
    if evaluation.frozen:
        return f"已冻结(随本期调度表于{when}报送)"
    return f"实时(本期调度表尚未报送,数据截至{when})"


def heading_line(evaluation: Evaluation) -> str:
    scheme = evaluation.scheme
    return (
        f"评估单位:{evaluation.region_name}    统计期间:{chinese_date(evaluation.since)}至"
        f"{chinese_date(evaluation.cutoff)}24时    评估方案:{scheme.title}(第{scheme.version}版)    "
        f"状态:{status_text(evaluation)}"
    )


def evaluation_xlsx(evaluation: Evaluation) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "评估赋分表"
    _ranking(sheet, evaluation)
    _explanation(book.create_sheet("评分说明"), evaluation)
    _scheme(book.create_sheet("评估方案"), evaluation.scheme)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ranking(sheet: Worksheet, evaluation: Evaluation) -> None:
    indicators = evaluation.scheme.indicators
    width = 4 + len(indicators)
    _merged(sheet, 1, width, title_of(evaluation), Font(bold=True, size=16), _CENTER)
    _merged(sheet, 2, width, heading_line(evaluation), None, _WRAP)
    headers = ["排名", "单位代码", "单位名称", *(f"{i.label}({_plain(i.weight)}分)" for i in indicators), "总分"]
    _row(sheet, 3, headers, header=True)
    for number, unit in enumerate(evaluation.units, start=4):
        points = [float(line.points) for line in unit.indicators]
        _row(sheet, number, [unit.rank, unit.region_code, unit.region_name, *points, float(unit.total)])
    note = (
        f"注:各项得分=分值×得分系数,总分满分100分;指标数据取自{'本期已报送(冻结)的' if evaluation.frozen else '实时'}"
        f"调度表分地区数据及各单位报送情况;评分说明见“评分说明”表,评估方案见“评估方案”表。"
    )
    _merged(sheet, len(evaluation.units) + 5, width, note, None, _WRAP)
    sheet.row_dimensions[2].height = 32
    sheet.row_dimensions[3].height = 48
    sheet.freeze_panes = "D4"
    for column, size in enumerate([6, 11, 22, *([14] * len(indicators)), 9], start=1):
        sheet.column_dimensions[get_column_letter(column)].width = size


def _explanation(sheet: Worksheet, evaluation: Evaluation) -> None:
    _row(sheet, 1, list(EXPLANATION_HEADERS), header=True)
    number = 2
    for unit in evaluation.units:
        for line in unit.indicators:
            inputs = ",".join(f"{name}={_plain(value)}" for name, value in line.inputs.items())
            value = "" if line.value is None else _plain(line.value)
            cells = [unit.rank, unit.region_code, unit.region_name, line.label, float(line.weight), line.expression]
            _row(sheet, number, [*cells, inputs, value, line.band, float(line.score), float(line.points)])
            number += 1
    sheet.freeze_panes = "D2"
    for column, size in enumerate((6, 11, 20, 26, 7, 44, 60, 9, 10, 9, 8), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = size


def _scheme(sheet: Worksheet, scheme: Scheme) -> None:
    _merged(sheet, 1, 5, f"{scheme.title}(第{scheme.version}版,自{scheme.effective_from}起施行)", _BOLD, _CENTER)
    _row(sheet, 2, ["评估指标", "分值", "计算方式", "评分档次(指标值→得分系数)", "无数据时得分系数"], header=True)
    for number, indicator in enumerate(scheme.indicators, start=3):
        bands = ";".join(f"{band.label}→{_plain(band.score)}" for band in indicator.bands)
        undefined = "" if indicator.if_undefined is None else _plain(indicator.if_undefined)
        _row(sheet, number, [indicator.label, float(indicator.weight), indicator.expression(), bands, undefined])
    last = len(scheme.indicators) + 3
    _merged(sheet, last, 5, f"按时报送:各单位于每月{scheme.submission_due_day}日24时前报送本期调度表。", None, _WRAP)
    _merged(sheet, last + 1, 5, f"方案摘要(SHA-256):{scheme.digest}", None, _WRAP)
    for column, size in zip("ABCDE", (28, 7, 50, 50, 14), strict=True):
        sheet.column_dimensions[column].width = size


def _row(sheet: Worksheet, number: int, values: Sequence[object], *, header: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(number, column)
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value  # type: ignore[assignment]
            if isinstance(value, float):
                cell.number_format = "0.00"
        cell.border = _BOX
        cell.alignment = _CENTER if header or not isinstance(value, str) else _WRAP
        if header:
            cell.font, cell.fill = _BOLD, _HEAD


def _merged(sheet: Worksheet, row: int, width: int, text: str, font: Font | None, alignment: Alignment) -> None:
    cell = sheet.cell(row, 1)
    set_text(cell, text)
    cell.alignment = alignment
    if font is not None:
        cell.font = font
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _plain(value: object) -> str:
    if value is None:
        return ""
    text = format(value, "f") if not isinstance(value, bool | int | str) else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text
