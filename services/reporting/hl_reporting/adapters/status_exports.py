"""The reporting-status list (报送情况) as xlsx: each unit, whether and when it submitted."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from hl_reporting.adapters.export_cells import set_text
from hl_reporting.adapters.exports import CENTER, merged, save_book

STATUS_HEADERS = ("单位代码", "报送单位", "类别", "行业领域", "报送情况", "报送时间", "报送人", "备注")
KIND_LABELS = {
    "county": "县(市、区)",
    "zone": "开发区",
    "town": "镇(街道)",
    "unit": "其他单位",
    "department": "市直部门",
}


def reporting_status_xlsx(title: str, rows: Sequence[Sequence[str]]) -> bytes:
    """A title line, the headers, one text row per unit (user text stays text)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "报送情况"
    merged(sheet, 1, 1, len(STATUS_HEADERS), title, Font(bold=True, size=14), CENTER)
    sheet.append(list(STATUS_HEADERS))
    for row in rows:
        sheet.append([None] * len(STATUS_HEADERS))
        for number, text in enumerate(row, start=1):
            set_text(sheet.cell(sheet.max_row, number), text)
    sheet.freeze_panes = "A3"
    for column, width in zip("ABCDEFGH", (12, 28, 12, 14, 10, 18, 16, 10), strict=True):
        sheet.column_dimensions[column].width = width
    return save_book(book)
