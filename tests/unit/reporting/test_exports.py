"""The exports, opened again and checked cell by cell."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from hl_reporting.adapters.exports import (
    SUPERVISION_HEADERS,
    dispatch_table_csv,
    dispatch_table_xlsx,
    supervision_list_csv,
    supervision_list_xlsx,
)
from hl_reporting.domain.figures import Sums, compute_figures
from hl_reporting.domain.listings import ListedHazard
from hl_reporting.domain.report import BreakdownRow, ComputedTable, FigureValue, Signoff

SIGNOFF = Signoff(
    filled_by="孙填表",
    reviewed_by="李审核",
    filled_on=date(2024, 5, 25),
    section4={
        "party_government_study_sessions": 2,
        "report_rewards_wan": Decimal("1.5"),
        "anonymous_report_rewards_wan": Decimal("0.5"),
        "media_column_broadcast": True,
    },
)


def figures(**overrides: FigureValue) -> dict[str, FigureValue]:
    return compute_figures(Sums()) | overrides


SUBMITTED_AT = datetime(2024, 5, 25, 2, 30, tzinfo=UTC)  # 10:30 on the 25th in Shanghai


def weihai(region_name: str = "威海市", *, draft: bool = False, as_of: datetime = SUBMITTED_AT) -> ComputedTable:
    """May's table of Weihai: by default as submitted (frozen) on the 25th; `draft` for a live one."""
    return ComputedTable(
        period="2024-05",
        region_code="3710",
        region_name=region_name,
        industry=None,
        since=date(2024, 1, 1),
        cutoff=date(2024, 5, 24),
        figures=figures(
            self_inspection_major_found=3,
            self_inspection_major_rectified=1,
            department_inspection_major_found=4,
            listed_major_rectified=1,
            enterprises_inspected=3,
            deficiency_no_emergency_drill=1,
            administrative_penalties=2,
            administrative_penalty_amount_wan=Decimal("4.7500"),
            typical_cases=2,
            typical_cases_dangerous_operation=1,
            regions_interviewed=1,
            general_found=1,
            rectification_rate=Decimal("40.00"),
            funds_committed_wan=Decimal("25.0000"),
            listed_county=1,
        ),
        breakdown=(
            BreakdownRow("371002", "环翠区", figures(self_inspection_major_found=3)),
            BreakdownRow("371003", "文登区", figures(department_inspection_major_found=4)),
        ),
        as_of=as_of,
        computed_at=as_of,
        draft=draft,
    )


def test_xlsx_title_heading_and_section_one_cell_by_cell() -> None:
    sheet = load_workbook(io.BytesIO(dispatch_table_xlsx(weihai(), SIGNOFF)))["调度表"]
    assert sheet["A1"].value == "威海市重大事故隐患专项排查整治行动进展情况调度表"
    assert sheet["A2"].value == (
        "填报单位:威海市(加盖公章)    填表时间:2024年5月25日    统计期间:2024年1月1日至2024年5月24日24时"
    )
    assert [[cell.value for cell in row] for row in sheet["A3:G5"]] == [
        ["总体情况", 1, "企业自查发现的重大事故隐患(个)", 3, 2, "企业自查发现重大事故隐患中已完成整改的(个)", 1],
        [None, 3, "部门检查发现的重大事故隐患(个)", 4, 4, "部门检查发现重大事故隐患中已完成整改的(个)", 0],
        [None, 5, "政府挂牌督办的重大事故隐患(个)", 0, 6, "挂牌督办重大事故隐患中已完成整改的(个)", 1],
    ]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:G1", "A2:G2", "A3:A5", "A6:A9", "A10:A14", "A15:A18", "A19:A24"} <= merged


def test_xlsx_sections_two_to_four_and_the_extras() -> None:
    sheet = load_workbook(io.BytesIO(dispatch_table_xlsx(weihai(), SIGNOFF)))["调度表"]
    assert (sheet["A6"].value, sheet["C6"].value, sheet["D6"].value) == (
        "对企业自查自改进行抽查检查情况",
        "部门抽查检查的企业总数(家)",
        3,
    )
    assert (sheet["E9"].value, sheet["F9"].value, sheet["G9"].value) == (
        8,
        "未按规定开展应急演练、员工不熟悉逃生出口(家)",
        1,
    )
    assert (sheet["A10"].value, sheet["B11"].value, sheet["C11"].value, sheet["D11"].value) == (
        "部门精准严格执法情况",
        3,
        "行政处罚(次,万元)",
        "2,4.75",
    )
    assert (sheet["E13"].value, sheet["F13"].value, sheet["G13"].value) == (
        8,
        "公布典型案例(个),其中危险作业罪案例(个)",
        "2,1",
    )
    assert (sheet["E14"].value, sheet["F14"].value, sheet["G14"].value) == (10, "约谈通报有关地区及部门(次)", 1)
    assert (sheet["A15"].value, sheet["D15"].value, sheet["G15"].value) == ("党委政府组织领导情况", 2, None)
    assert (sheet["C17"].value, sheet["D17"].value) == ("举报奖励(万元),其中匿名举报查实奖励(万元)", "1.5,0.5")
    assert (sheet["F17"].value, sheet["G17"].value) == ("是否在市级、县级主流媒体播放安全生产专题栏目", "是")
    assert (sheet["A19"].value, sheet["C19"].value, sheet["D19"].value) == ("补充指标(表外)", "发现一般事故隐患(个)", 1)
    assert (sheet["C20"].value, sheet["D20"].value) == ("发现重大事故隐患总数(个)", 0)
    assert (sheet["C21"].value, sheet["D21"].value) == ("隐患整改率(%)", 40)
    assert (sheet["F21"].value, sheet["G21"].value) == ("重大事故隐患整改率(%)", None)
    assert (sheet["F22"].value, sheet["G22"].value, sheet["G22"].number_format) == ("落实整改资金(万元)", 25, "0.00##")
    assert (sheet["C24"].value, sheet["D24"].value, sheet["E24"].value) == ("其中县级挂牌督办(个)", 1, None)


def test_xlsx_footer_and_breakdown_sheet() -> None:
    book = load_workbook(io.BytesIO(dispatch_table_xlsx(weihai(), SIGNOFF, campaign="安全生产治本攻坚三年行动")))
    sheet = book["调度表"]
    assert sheet["A1"].value == "威海市安全生产治本攻坚三年行动进展情况调度表"
    assert (sheet["A26"].value, sheet["D26"].value, sheet["F26"].value) == (
        "填表人:孙填表",
        "审核人:李审核",
        "填表时间:2024年5月25日",
    )
    regions = book["分地区"]
    header = [cell.value for cell in regions[1]]
    assert header[:4] == [
        "区域代码",
        "区域名称",
        "企业自查发现的重大事故隐患(个)",
        "企业自查发现重大事故隐患中已完成整改的(个)",
    ]
    assert header.index("行政处罚(万元)") > header.index("行政处罚(次)")
    rows = [[cell.value for cell in row][:5] for row in regions.iter_rows(min_row=2)]
    assert rows == [["371002", "环翠区", 3, 0, 0], ["371003", "文登区", 0, 0, 4], ["3710", "合计", 3, 1, 4]]


def test_xlsx_without_signoff_leaves_the_blanks_of_the_form() -> None:
    sheet = load_workbook(io.BytesIO(dispatch_table_xlsx(weihai())))["调度表"]
    assert "填表时间:    年  月  日" in sheet["A2"].value
    assert sheet["D15"].value is None and sheet["G17"].value is None
    assert sheet["D17"].value == "0,0"  # section 四 row 5 is computed from the tips stream, never blank
    assert sheet["A26"].value == "填表人:"


def test_xlsx_stores_user_text_as_text_never_as_a_formula() -> None:
    book = load_workbook(
        io.BytesIO(dispatch_table_xlsx(weihai('=HYPERLINK("http://x","y")'), Signoff(filled_by="=1+2")))
    )
    sheet = book["调度表"]
    assert sheet["A1"].data_type == "s" and sheet["A1"].value.startswith('=HYPERLINK("http://x","y")')
    assert sheet["A26"].data_type == "s"
    assert book["分地区"]["B4"].data_type == "s" and book["分地区"]["B4"].value == "合计"


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so that Excel reads the Chinese
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_label_key_value() -> None:
    rows = rows_of(dispatch_table_csv(weihai(), SIGNOFF))
    assert rows[0] == ["指标", "key", "数值"]
    by_key = {row[1]: row for row in rows}
    assert by_key["self_inspection_major_found"][::2] == ["企业自查发现的重大事故隐患(个)", "3"]
    assert by_key["administrative_penalty_amount_wan"][::2] == ["行政处罚(万元)", "4.75"]
    assert by_key["rectification_rate"][2] == "40"
    assert by_key["major_rectification_rate"][2] == ""  # nothing to rate
    assert by_key["media_column_broadcast"][2] == "是"
    assert by_key["technical_inspectors"][2] == ""
    assert by_key["since"][2] == "2024-01-01" and by_key["cutoff"][2] == "2024-05-24"
    assert rows[-3:] == [
        ["填表人", "filled_by", "孙填表"],
        ["审核人", "reviewed_by", "李审核"],
        ["填表时间", "filled_on", "2024-05-25"],
    ]
    assert by_key["status"][2] == "已报送:报送于2024-05-25 10:30(北京时间)"
    assert by_key["through"][2] == "2024-05-24" and by_key["as_of"][2] == "2024-05-25 00:00"
    assert len(rows) == 1 + 9 + 6 + 8 + 12 + 9 + 11 + 3


def test_csv_cells_are_guarded_against_formula_injection() -> None:
    for evil in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        rows = rows_of(dispatch_table_csv(weihai(evil), Signoff(filled_by=evil)))
        by_key = {row[1]: row for row in rows}
        assert by_key["region_name"][2] == "'" + evil
        assert by_key["filled_by"][2] == "'" + evil
    assert {row[1]: row for row in rows_of(dispatch_table_csv(weihai("威海市")))}["region_name"][2] == "威海市"


ITEMS = [
    ListedHazard(
        hazard_id="h1",
        title="=储罐区报警器失效",
        enterprise_id="e1",
        enterprise_name="威海某化工有限公司",
        region_code="371003",
        region_name="文登区",
        industry="hazardous_chemicals",
        level="major",
        listing_level="province",
        listing_authority="山东省安委会",
        listed_at=datetime(2024, 5, 13, 2, tzinfo=UTC),
        deadline=date(2024, 5, 20),
        status="rectifying",
        delisted_at=None,
        days_left=None,
        days_overdue=5,
        evidence_count=3,
    ),
    ListedHazard(
        hazard_id="h2",
        title="脚手架未验收",
        enterprise_id="e2",
        enterprise_name="威海某建筑公司",
        region_code="371071",
        region_name="威海火炬高技术产业开发区",
        industry="construction",
        level="major",
        listing_level="county",
        listing_authority="高区安委会",
        listed_at=datetime(2024, 5, 3, 2, tzinfo=UTC),
        deadline=date(2024, 5, 30),
        status="closed",
        delisted_at=datetime(2024, 5, 22, 2, tzinfo=UTC),
        days_left=None,
        days_overdue=None,
    ),
]


def test_supervision_list_xlsx() -> None:
    sheet = load_workbook(io.BytesIO(supervision_list_xlsx(ITEMS, today=date(2024, 5, 25))))["挂牌督办清单"]
    assert sheet["A1"].value == "挂牌督办重大事故隐患清单(截至2024年5月25日)"
    assert tuple(cell.value for cell in sheet[2]) == SUPERVISION_HEADERS
    assert [cell.value for cell in sheet[3]] == [
        "=储罐区报警器失效",
        "威海某化工有限公司",
        "文登区",
        "危险化学品",
        "省级",
        "山东省安委会",
        "2024-05-13 10:00",
        "2024-05-20",
        "整改中",
        "逾期5天",
        "3",
    ]
    assert sheet["A3"].data_type == "s"
    assert [cell.value for cell in sheet[4]][4:] == [
        "县级",
        "高区安委会",
        "2024-05-03 10:00",
        "2024-05-30",
        "已销号(已摘牌)",
        None,
        "0",
    ]


def test_supervision_list_csv() -> None:
    rows = rows_of(supervision_list_csv(ITEMS))
    assert rows[0] == list(SUPERVISION_HEADERS)
    assert rows[1][0] == "'=储罐区报警器失效" and rows[1][9] == "逾期5天"
    assert rows[2][8:] == ["已销号(已摘牌)", "", "0"]


def test_a_live_table_is_an_unsigned_draft_whatever_signoff_is_passed() -> None:
    computed = datetime(2024, 6, 3, 1, 15, tzinfo=UTC)
    live = weihai(draft=True, as_of=computed)
    sheet = load_workbook(io.BytesIO(dispatch_table_xlsx(live, SIGNOFF)))["调度表"]
    assert (sheet["A26"].value, sheet["D26"].value) == ("填表人:", "审核人:")
    assert "填表时间:    年  月  日" in sheet["A2"].value
    assert sheet["A28"].value == "草稿:未报送、未签署,数据生成于2024-06-03 09:15(北京时间)"
    assert sheet["D15"].value is None  # no one's section 四 either
    by_key = {row[1]: row for row in rows_of(dispatch_table_csv(live, SIGNOFF))}
    assert (by_key["filled_by"][2], by_key["reviewed_by"][2], by_key["filled_on"][2]) == ("", "", "")
    assert by_key["status"][2].startswith("草稿:未报送、未签署,数据生成于2024-06-03 09:15")


def test_an_early_submission_says_where_its_figures_stand() -> None:
    early = weihai(as_of=datetime(2024, 5, 23, 7, 0, tzinfo=UTC))  # 15:00 on the 23rd, before the cut-off
    sheet = load_workbook(io.BytesIO(dispatch_table_xlsx(early, SIGNOFF)))["调度表"]
    assert sheet["A28"].value == "已报送:报送于2024-05-23 15:00(北京时间);提前报送,数据截至2024-05-23 15:00"
    assert sheet["A26"].value == "填表人:孙填表"
    by_key = {row[1]: row for row in rows_of(dispatch_table_csv(early, SIGNOFF))}
    assert by_key["through"][2] == "2024-05-23"
    running = weihai(draft=True, as_of=datetime(2024, 5, 20, 2, 0, tzinfo=UTC))
    assert load_workbook(io.BytesIO(dispatch_table_xlsx(running)))["调度表"]["A28"].value.endswith(
        ";统计期未结束,数据截至2024-05-20 10:00"
    )


def test_quarterly_and_annual_tables_are_titled_as_such() -> None:
    quarter = replace(weihai(), period="2024-Q2", kind="quarterly", cutoff=date(2024, 6, 30))
    year = replace(weihai(), period="2024", kind="annual", cutoff=date(2024, 12, 31))
    assert load_workbook(io.BytesIO(dispatch_table_xlsx(quarter, campaign="")))["调度表"]["A1"].value == (
        "威海市2024年第2季度统计表"
    )
    assert (
        load_workbook(io.BytesIO(dispatch_table_xlsx(year, campaign="")))["调度表"]["A1"].value
        == "威海市2024年度统计表"
    )
