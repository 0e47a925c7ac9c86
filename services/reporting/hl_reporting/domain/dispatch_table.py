"""The monthly dispatch table (调度表, seed 004 appendix) as data: sections, rows and figures.

Each row keeps the official label exactly as printed on the form, and each figure a stable English
key. A row usually holds one figure; a few hold two ("行政处罚(次,万元)": a count and an amount), so
every figure also has a label of its own for flat exports (CSV, the per-region sheet).
Sections 一–三 are computed from events; section 四 is entered by hand when the report is
submitted. `EXTRAS` are figures real systems add beside the form; they are not part of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hl_contracts.vocabulary import DEFICIENCIES


class Kind(StrEnum):
    """How a figure's value is typed: count → int, amount (万元) and rate (%) → Decimal, flag → bool."""

    COUNT = "count"
    AMOUNT = "amount"
    RATE = "rate"
    FLAG = "flag"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: Kind = Kind.COUNT


@dataclass(frozen=True)
class Row:
    number: int
    label: str
    figures: tuple[Figure, ...]

    @property
    def key(self) -> str:
        return self.figures[0].key


@dataclass(frozen=True)
class Section:
    key: str
    number: str
    label: str
    rows: tuple[Row, ...]
    manual: bool = False
    official: bool = True


def _rows(*specs: tuple[str, str] | tuple[str, str, tuple[Figure, ...]]) -> tuple[Row, ...]:
    """Rows numbered from 1; a (key, label) spec is a row holding one count of that label."""
    rows = []
    for number, spec in enumerate(specs, start=1):
        figures = spec[2] if len(spec) == 3 else (Figure(spec[0], spec[1]),)
        rows.append(Row(number, spec[1], figures))
    return tuple(rows)


OVERVIEW = Section(
    "overview",
    "一",
    "总体情况",
    _rows(
        ("self_inspection_major_found", "企业自查发现的重大事故隐患(个)"),
        ("self_inspection_major_rectified", "企业自查发现重大事故隐患中已完成整改的(个)"),
        ("department_inspection_major_found", "部门检查发现的重大事故隐患(个)"),
        ("department_inspection_major_rectified", "部门检查发现重大事故隐患中已完成整改的(个)"),
        ("listed_major", "政府挂牌督办的重大事故隐患(个)"),
        ("listed_major_rectified", "挂牌督办重大事故隐患中已完成整改的(个)"),
    ),
)

SPOT_INSPECTIONS = Section(
    "spot_inspections",
    "二",
    "对企业自查自改进行抽查检查情况",
    _rows(
        ("enterprises_inspected", "部门抽查检查的企业总数(家)"),
        *((f"deficiency_{key}", f"{label}(家)") for key, label in DEFICIENCIES.items()),
    ),
)

ENFORCEMENT = Section(
    "enforcement",
    "三",
    "部门精准严格执法情况",
    _rows(
        ("assistance_visits", "帮扶指导(个次)"),
        ("key_enterprise_assistance", "帮扶指导重点企业(家次)"),
        (
            "administrative_penalties",
            "行政处罚(次,万元)",
            (
                Figure("administrative_penalties", "行政处罚(次)"),
                Figure("administrative_penalty_amount_wan", "行政处罚(万元)", Kind.AMOUNT),
            ),
        ),
        ("dual_penalties", "企业和企业主要负责人“一案双罚”(次)"),
        ("judicial_referrals", "移送司法机关(人)"),
        ("suspension_orders", "责令停产整顿(家)"),
        ("exposed_interviewed_punished", "曝光、约谈、联合惩戒企业(家)"),
        (
            "typical_cases",
            "公布典型案例(个),其中危险作业罪案例(个)",
            (
                Figure("typical_cases", "公布典型案例(个)"),
                Figure("typical_cases_dangerous_operation", "其中危险作业罪案例(个)"),
            ),
        ),
        ("persons_held_accountable", "责任倒查追责问责(人)"),
        ("regions_interviewed", "约谈通报有关地区及部门(次)"),
    ),
)

LEADERSHIP = Section(
    "leadership",
    "四",
    "党委政府组织领导情况",
    _rows(
        ("party_government_study_sessions", "党委政府分别组织专题学习安全生产十五条硬措施(次)"),
        ("principal_leader_studies", "党委政府主要负责同志分别专题研究(次)"),
        ("government_onsite_supervision", "政府负责同志分别现场督导检查(次)"),
        ("member_unit_enterprise_visits", "市安委会成员单位负责同志分别到企业(次)"),
        (
            "report_rewards_wan",
            "举报奖励(万元),其中匿名举报查实奖励(万元)",
            (
                Figure("report_rewards_wan", "举报奖励(万元)", Kind.AMOUNT),
                Figure("anonymous_report_rewards_wan", "其中匿名举报查实奖励(万元)", Kind.AMOUNT),
            ),
        ),
        (
            "media_column_broadcast",
            "是否在市级、县级主流媒体播放安全生产专题栏目",
            (Figure("media_column_broadcast", "是否在市级、县级主流媒体播放安全生产专题栏目", Kind.FLAG),),
        ),
        ("technical_inspectors", "配备专兼职技术检查员数量(人)"),
        ("inspection_tours", "组织开展考核巡查督导检查(次)"),
    ),
    manual=True,
)

EXTRAS = Section(
    "extras",
    "",
    "补充指标",
    _rows(
        ("general_found", "发现一般事故隐患(个)"),
        ("general_rectified", "一般事故隐患已完成整改(个)"),
        ("major_found", "发现重大事故隐患总数(个)"),
        ("major_rectified", "重大事故隐患已完成整改(个)"),
        ("rectification_rate", "隐患整改率(%)", (Figure("rectification_rate", "隐患整改率(%)", Kind.RATE),)),
        (
            "major_rectification_rate",
            "重大事故隐患整改率(%)",
            (Figure("major_rectification_rate", "重大事故隐患整改率(%)", Kind.RATE),),
        ),
        ("overdue", "逾期未整改隐患(个)"),
        (
            "funds_committed_wan",
            "落实整改资金(万元)",
            (Figure("funds_committed_wan", "落实整改资金(万元)", Kind.AMOUNT),),
        ),
        ("listed_province", "其中省级挂牌督办(个)"),
        ("listed_city", "其中市级挂牌督办(个)"),
        ("listed_county", "其中县级挂牌督办(个)"),
    ),
    official=False,
)

OFFICIAL_SECTIONS: tuple[Section, ...] = (OVERVIEW, SPOT_INSPECTIONS, ENFORCEMENT, LEADERSHIP)
SECTIONS: tuple[Section, ...] = (*OFFICIAL_SECTIONS, EXTRAS)


def figures_of(sections: tuple[Section, ...]) -> tuple[Figure, ...]:
    return tuple(figure for section in sections for row in section.rows for figure in row.figures)


# Section 四 is entered by hand, but for row 5: the tip rewards are computed from the tips stream.
FROM_TIPS = ("report_rewards_wan", "anonymous_report_rewards_wan")
COMPUTED_FIGURES = figures_of((OVERVIEW, SPOT_INSPECTIONS, ENFORCEMENT, EXTRAS)) + tuple(
    figure for figure in figures_of((LEADERSHIP,)) if figure.key in FROM_TIPS
)
MANUAL_FIGURES = tuple(figure for figure in figures_of((LEADERSHIP,)) if figure.key not in FROM_TIPS)
FIGURES = {figure.key: figure for figure in figures_of(SECTIONS)}
