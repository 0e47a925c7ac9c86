"""The monthly evaluation of Weihai's units for May 2024, computed by hand, under two weightings.

The month is the dispatch-table scenario (`scenario.py`). Per unit, as the table has it (live):

| unit          | major found | rectified | overdue | penalties+dual+suspension+judicial | submitted        |
|---------------|-------------|-----------|---------|------------------------------------|------------------|
| 371002 环翠区 | 6           | 2         | 0       | 0 + 1 + 1 + 0 = 2                  | 25 May (on time) |
| 371003 文登区 | 2           | 0         | 2       | 2 + 0 + 0 + 2 = 4                  | 27 May (late)    |
| 371071 高区   | 1           | 1         | 0       | 0                                  | not              |
| the 5 others  | 0           | 0         | 0       | 0                                  | not              |

Indicators (scores as fractions of the weight):
  rectification = rectified ÷ found × 100:  ≥100 → 1, ≥50 → 0.6, else 0;  no hazard → 1
  overdue:                                  ≤0 → 1, ≤2 → 0.5, else 0
  submission = submitted + on time:         2 → 1, 1 → 0.5, else 0
  enforcement = actions ÷ major found:      ≥1 → 1, ≥0.5 → 0.6, else 0.2;  no hazard → 1

| unit   | rectification   | overdue  | submission | enforcement | A (40/30/20/10)      | B (10/20/30/40)      |
|--------|-----------------|----------|------------|-------------|----------------------|----------------------|
| 371002 | 33.33 → 0       | 0 → 1    | 2 → 1      | 0.33 → 0.2  | 0+30+20+2  = 52.00   | 0+20+30+8  = 58.00   |
| 371003 | 0.00 → 0        | 2 → 0.5  | 1 → 0.5    | 2.00 → 1    | 0+15+10+10 = 35.00   | 0+10+15+40 = 65.00   |
| 371071 | 100.00 → 1      | 0 → 1    | 0 → 0      | 0.00 → 0.2  | 40+30+0+2  = 72.00   | 10+20+0+8  = 38.00   |
| others | 无数据 → 1      | 0 → 1    | 0 → 0      | 无数据 → 1  | 40+30+0+10 = 80.00   | 10+20+0+40 = 70.00   |
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from hl_platform.db import Database
from hl_platform.errors import InvalidInput, NotFound
from hl_reporting.adapters.evaluation_export import evaluation_xlsx
from hl_reporting.adapters.evaluation_schemes import FileSchemeStore
from hl_reporting.adapters.unit_of_work import SqlUnitOfWork
from hl_reporting.application.evaluation import evaluate
from hl_reporting.application.evaluation_inputs import ReportingInputs
from hl_reporting.application.submissions import submit
from hl_reporting.domain.evaluation import Evaluation
from tests.integration.reporting.conftest import NewDatabase
from tests.integration.reporting.scenario import INSPECTOR, HazardStream, at
from tests.integration.reporting.test_dispatch_table import CATALOGUE, project, scenario_events

OTHERS = ("371072", "371073", "371082", "371083", "371090")
RANKED_A = [
    *((code, 1, "80.00") for code in OTHERS),
    ("371071", 6, "72.00"),
    ("371002", 7, "52.00"),
    ("371003", 8, "35.00"),
]
RANKED_B = [
    *((code, 1, "70.00") for code in OTHERS),
    ("371003", 6, "65.00"),
    ("371002", 7, "58.00"),
    ("371071", 8, "38.00"),
]
BEFORE_CITY_SUBMITS = at(5, 27, 18)
CITY_SUBMITS = at(5, 28, 9)


def scheme(version: int, effective_from: str, weights: tuple[int, int, int, int]) -> dict[str, Any]:
    rectification, overdue, submission, enforcement = weights
    return {
        "region_code": "3710",
        "version": version,
        "effective_from": effective_from,
        "title": f"测试评估办法{version}",
        "submission_due_day": 25,
        "indicators": [
            {
                "key": "major_rectification",
                "label": "重大事故隐患整改率",
                "weight": rectification,
                "value": {"ratio": ["major_rectified", "major_found"], "unit": "percent"},
                "if_undefined": 1,
                "bands": [{"at_least": 100, "score": 1}, {"at_least": 50, "score": 0.6}, {"score": 0}],
            },
            {
                "key": "overdue",
                "label": "逾期未整改隐患",
                "weight": overdue,
                "value": {"count": "overdue"},
                "bands": [{"at_most": 0, "score": 1}, {"at_most": 2, "score": 0.5}, {"score": 0}],
            },
            {
                "key": "submission",
                "label": "按时报送调度表",
                "weight": submission,
                "value": {"count": {"sum": ["submitted", "submitted_on_time"]}},
                "bands": [{"at_least": 2, "score": 1}, {"at_least": 1, "score": 0.5}, {"score": 0}],
            },
            {
                "key": "enforcement",
                "label": "执法处罚与重大隐患之比",
                "weight": enforcement,
                "value": {
                    "ratio": [
                        {
                            "sum": [
                                "administrative_penalties",
                                "dual_penalties",
                                "suspension_orders",
                                "judicial_referrals",
                            ]
                        },
                        "major_found",
                    ]
                },
                "if_undefined": 1,
                "bands": [{"at_least": 1, "score": 1}, {"at_least": 0.5, "score": 0.6}, {"score": 0.2}],
            },
        ],
    }


def store(folder: Path, *schemes: dict[str, Any]) -> FileSchemeStore:
    (folder / "3710").mkdir(parents=True)
    for raw in schemes:
        (folder / "3710" / f"v{raw['version']}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return FileSchemeStore.from_folder(folder)


WEIGHTING_A = scheme(1, "2024-01", (40, 30, 20, 10))
WEIGHTING_B = scheme(2, "2024-05", (10, 20, 30, 40))


@pytest.fixture
async def db(new_database: NewDatabase) -> AsyncIterator[Database]:
    """The scenario month, with 环翠区 submitting on the due day and 文登区 two days late."""
    database = Database(await asyncio.to_thread(new_database))
    await project(database, scenario_events())
    await _submit(database, "371002", at(5, 25, 16))
    await _submit(database, "371003", at(5, 27, 10))
    yield database
    await database.dispose()


async def _submit(db: Database, region: str, when: datetime) -> None:
    async with SqlUnitOfWork(db) as uow:
        await submit(
            uow,
            period="2024-05",
            region_code=region,
            catalogue=CATALOGUE,
            actor=INSPECTOR,
            filled_by="张填表",
            reviewed_by="李审核",
            section4={},
            now=when,
        )


async def _evaluate(
    db: Database, schemes: FileSchemeStore, period: str = "2024-05", region: str = "3710", **kw: Any
) -> Evaluation:
    async with SqlUnitOfWork(db, write=False) as uow:
        kw.setdefault("now", BEFORE_CITY_SUBMITS)
        return await evaluate(
            ReportingInputs(uow, CATALOGUE), schemes, CATALOGUE, period=period, region_code=region, **kw
        )


def ranking(evaluation: Evaluation) -> list[tuple[str, int, str]]:
    return [(unit.region_code, unit.rank, f"{unit.total}") for unit in evaluation.units]


def explained(evaluation: Evaluation, code: str) -> dict[str, tuple[str | None, str, str, str]]:
    unit = next(unit for unit in evaluation.units if unit.region_code == code)
    return {
        line.key: (None if line.value is None else f"{line.value}", line.band, f"{line.score}", f"{line.points}")
        for line in unit.indicators
    }


async def test_weighting_a_scores_and_ranks_the_units_as_computed_by_hand(db: Database, tmp_path: Path) -> None:
    evaluation = await _evaluate(db, store(tmp_path, WEIGHTING_A))
    assert ranking(evaluation) == RANKED_A
    assert explained(evaluation, "371002") == {
        "major_rectification": ("33.33", "其他", "0", "0.00"),
        "overdue": ("0.00", "≤0", "1", "30.00"),
        "submission": ("2.00", "≥2", "1", "20.00"),
        "enforcement": ("0.33", "其他", "0.2", "2.00"),
    }
    assert explained(evaluation, "371003") == {
        "major_rectification": ("0.00", "其他", "0", "0.00"),
        "overdue": ("2.00", "≤2", "0.5", "15.00"),
        "submission": ("1.00", "≥1", "0.5", "10.00"),
        "enforcement": ("2.00", "≥1", "1", "10.00"),
    }
    assert explained(evaluation, "371071") == {
        "major_rectification": ("100.00", "≥100", "1", "40.00"),
        "overdue": ("0.00", "≤0", "1", "30.00"),
        "submission": ("0.00", "其他", "0", "0.00"),
        "enforcement": ("0.00", "其他", "0.2", "2.00"),
    }
    assert explained(evaluation, "371082")["major_rectification"] == (None, "无数据", "1", "40.00")
    assert (evaluation.frozen, evaluation.as_of, evaluation.scheme.version) == (False, BEFORE_CITY_SUBMITS, 1)


async def test_every_input_of_an_explanation_is_the_units_figure(db: Database, tmp_path: Path) -> None:
    evaluation = await _evaluate(db, store(tmp_path, WEIGHTING_A))
    unit = {u.region_code: u for u in evaluation.units}["371003"]
    inputs = {name: value for line in unit.indicators for name, value in line.inputs.items()}
    assert inputs == {
        "major_rectified": 0,
        "major_found": 2,
        "overdue": 2,
        "submitted": 1,
        "submitted_on_time": 0,
        "administrative_penalties": 2,
        "dual_penalties": 0,
        "suspension_orders": 0,
        "judicial_referrals": 2,
    }


async def test_weighting_b_from_may_reorders_the_same_units(db: Database, tmp_path: Path) -> None:
    schemes = store(tmp_path, WEIGHTING_A, WEIGHTING_B)
    may = await _evaluate(db, schemes)
    assert ranking(may) == RANKED_B
    assert [line.points for line in may.units[5].indicators] == [
        Decimal("0.00"),
        Decimal("10.00"),
        Decimal("15.00"),
        Decimal("40.00"),
    ]
    april = await _evaluate(db, schemes, period="2024-04")
    assert april.scheme.version == 1  # weighting B applies from May only
    assert may.scheme.digest != april.scheme.digest


async def test_the_evaluation_is_frozen_with_the_regions_submission(db: Database, tmp_path: Path) -> None:
    schemes = store(tmp_path, WEIGHTING_A)
    await _submit(db, "3710", CITY_SUBMITS)
    late = HazardStream("hazard", "late-H1", "371071", "construction")
    late.found("department_inspection", "major", at(5, 20), recorded=at(5, 29))  # back-dated, after the freeze
    await project(db, late.events)
    await _submit(db, "371071", at(5, 29, 9))  # after the city's submission: not known when it was frozen
    frozen = await _evaluate(db, schemes, now=at(5, 30))
    assert ranking(frozen) == RANKED_A
    assert frozen.frozen and frozen.as_of == CITY_SUBMITS and frozen.submission_id is not None
    assert explained(frozen, "371071")["submission"] == ("0.00", "其他", "0", "0.00")
    async with SqlUnitOfWork(db, write=False) as uow:
        live = await ReportingInputs(uow, CATALOGUE).live_table("2024-05", "3710", None)
    assert {row.region_code: row.figures["major_found"] for row in live.breakdown}[
        "371071"
    ] == 2  # the live table moved


async def test_as_of_before_the_freeze_is_a_live_evaluation_of_the_facts_recorded_by_then(
    db: Database, tmp_path: Path
) -> None:
    schemes = store(tmp_path, WEIGHTING_A)
    await _submit(db, "3710", CITY_SUBMITS)
    late = HazardStream("hazard", "late-H1", "371071", "construction")
    late.found("department_inspection", "major", at(5, 20), recorded=at(5, 29))  # back-dated, after the freeze
    await project(db, late.events)
    assert (await _evaluate(db, schemes, now=at(5, 30), as_of=at(5, 29, 12))).frozen
    before = await _evaluate(db, schemes, now=at(5, 30), as_of=BEFORE_CITY_SUBMITS)
    assert not before.frozen and before.as_of == BEFORE_CITY_SUBMITS and before.submission_id is None
    assert ranking(before) == RANKED_A  # the late fact was not recorded yet
    found = {u.region_code: dict(i for line in u.indicators for i in line.inputs.items()) for u in before.units}
    assert found["371071"]["major_found"] == 1
    with pytest.raises(InvalidInput) as refused:
        await _evaluate(db, schemes, now=at(5, 30), as_of=at(6, 1))  # the future
    assert refused.value.field == "as_of"


async def test_a_county_is_scored_by_its_citys_scheme_and_unknown_regions_have_none(
    db: Database, tmp_path: Path
) -> None:
    schemes = store(tmp_path, WEIGHTING_A)
    towns = await _evaluate(db, schemes, region="371002")
    assert towns.scheme.region_code == "3710" and len(towns.units) == len(CATALOGUE.children("371002"))
    with pytest.raises(NotFound):
        await _evaluate(db, schemes, region="3701")


async def test_the_score_sheet_xlsx_has_the_official_headers_and_the_same_numbers(db: Database, tmp_path: Path) -> None:
    evaluation = await _evaluate(db, store(tmp_path, WEIGHTING_A))
    book = openpyxl.load_workbook(io.BytesIO(evaluation_xlsx(evaluation)))
    assert book.sheetnames == ["评估赋分表", "评分说明", "评估方案"]
    sheet = book["评估赋分表"]
    assert sheet["A1"].value == "威海市2024年5月安全生产工作月度评估赋分表"
    assert "实时" in str(sheet["A2"].value) and "2024年5月24日24时" in str(sheet["A2"].value)
    header = [cell.value for cell in sheet[3]]
    assert header == [
        "排名",
        "单位代码",
        "单位名称",
        "重大事故隐患整改率(40分)",
        "逾期未整改隐患(30分)",
        "按时报送调度表(20分)",
        "执法处罚与重大隐患之比(10分)",
        "总分",
    ]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=4, max_row=11, values_only=True)}
    assert rows["371003"] == (8, "371003", "文登区", 0, 15, 10, 10, 35)
    assert rows["371071"][:3] == (6, "371071", "威海火炬高技术产业开发区") and rows["371071"][-1] == 72
    explanation = list(book["评分说明"].iter_rows(min_row=2, values_only=True))
    assert len(explanation) == 8 * 4
    assert "major_rectified=0,major_found=2" in str(explanation[[r[1] for r in explanation].index("371003")][6])
