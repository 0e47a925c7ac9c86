"""The table's definition: official labels exactly as printed on seed 004's form, stable keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from hl_reporting.domain.dispatch_table import (
    COMPUTED_FIGURES,
    ENFORCEMENT,
    EXTRAS,
    FIGURES,
    LEADERSHIP,
    MANUAL_FIGURES,
    OFFICIAL_SECTIONS,
    OVERVIEW,
    SPOT_INSPECTIONS,
    Kind,
)

SEED = Path(__file__).resolve().parents[3].parent / "shared" / "seeds" / "004_3eef55874dbc2be9.txt"


def test_section_one_rows_and_keys() -> None:
    assert [(row.number, row.key, row.label) for row in OVERVIEW.rows] == [
        (1, "self_inspection_major_found", "企业自查发现的重大事故隐患(个)"),
        (2, "self_inspection_major_rectified", "企业自查发现重大事故隐患中已完成整改的(个)"),
        (3, "department_inspection_major_found", "部门检查发现的重大事故隐患(个)"),
        (4, "department_inspection_major_rectified", "部门检查发现重大事故隐患中已完成整改的(个)"),
        (5, "listed_major", "政府挂牌督办的重大事故隐患(个)"),
        (6, "listed_major_rectified", "挂牌督办重大事故隐患中已完成整改的(个)"),
    ]


def test_sections_as_on_the_form() -> None:
    assert [(s.number, s.label, len(s.rows)) for s in OFFICIAL_SECTIONS] == [
        ("一", "总体情况", 6),
        ("二", "对企业自查自改进行抽查检查情况", 8),
        ("三", "部门精准严格执法情况", 10),
        ("四", "党委政府组织领导情况", 8),
    ]
    assert SPOT_INSPECTIONS.rows[0].label == "部门抽查检查的企业总数(家)"
    assert SPOT_INSPECTIONS.rows[7].label == "未按规定开展应急演练、员工不熟悉逃生出口(家)"
    assert ENFORCEMENT.rows[3].label == "企业和企业主要负责人“一案双罚”(次)"
    assert LEADERSHIP.manual and not EXTRAS.official


def test_two_figure_rows_keep_the_official_label_and_name_each_figure() -> None:
    penalty = ENFORCEMENT.rows[2]
    assert penalty.label == "行政处罚(次,万元)"
    assert [(f.key, f.kind) for f in penalty.figures] == [
        ("administrative_penalties", Kind.COUNT),
        ("administrative_penalty_amount_wan", Kind.AMOUNT),
    ]
    assert [f.key for f in ENFORCEMENT.rows[7].figures] == ["typical_cases", "typical_cases_dangerous_operation"]
    assert [f.kind for f in LEADERSHIP.rows[4].figures] == [Kind.AMOUNT, Kind.AMOUNT]
    assert LEADERSHIP.rows[5].figures[0].kind is Kind.FLAG


def test_keys_are_unique_and_split_between_computed_and_manual() -> None:
    keys = [f.key for f in COMPUTED_FIGURES] + [f.key for f in MANUAL_FIGURES]
    assert len(keys) == len(set(keys)) == len(FIGURES)
    assert {"rectification_rate", "overdue", "funds_committed_wan", "listed_province"} <= set(FIGURES)
    assert all(key.isascii() and key == key.lower() for key in keys)


@pytest.mark.skipif(not SEED.exists(), reason="the shared seeds are not beside this checkout")
def test_every_official_label_is_printed_in_the_seed() -> None:
    text = SEED.read_text(encoding="utf-8")
    for section in OFFICIAL_SECTIONS:
        assert section.label in text
        for row in section.rows:
            assert f"{row.number}\t{row.label}\t" in text, row.label
