"""The evaluation scheme language: what it accepts, what it refuses (naming the place), and how a
unit is scored and ranked from its figures."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hl_platform.errors import NotFound
from hl_reporting.adapters.evaluation_schemes import FileSchemeStore
from hl_reporting.domain.evaluation import EVALUATION_FIGURES, ranked, score_unit, submission_figures
from hl_reporting.domain.evaluation_scheme import Scheme, SchemeError
from hl_reporting.domain.evaluation_scheme_reader import parse_scheme

RAW: dict[str, Any] = {
    "region_code": "3710",
    "version": 1,
    "effective_from": "2024-01",
    "title": "办法",
    "indicators": [
        {
            "key": "rectification",
            "label": "整改率",
            "weight": 60,
            "value": {"ratio": ["major_rectified", "major_found"], "unit": "percent"},
            "if_undefined": 1,
            "bands": [{"at_least": 90, "score": 1}, {"at_least": 60, "at_most": 89.99, "score": 0.5}, {"score": 0}],
        },
        {
            "key": "overdue",
            "label": "逾期",
            "weight": 40,
            "value": {"count": {"sum": ["overdue", "submitted"]}},
            "bands": [{"at_most": 0, "score": 1}, {"score": 0.25}],
        },
    ],
}


def parsed(raw: dict[str, Any] | None = None) -> Scheme:
    return parse_scheme(raw or RAW, EVALUATION_FIGURES, "3710/v1.yaml")


def broken(change: Any) -> str:
    raw = copy.deepcopy(RAW)
    change(raw)
    with pytest.raises(SchemeError) as refused:
        parsed(raw)
    return str(refused.value)


def test_a_scheme_reads_its_indicators_bands_and_digest() -> None:
    scheme = parsed()
    rectification, overdue = scheme.indicators
    assert rectification.expression() == "major_rectified ÷ major_found × 100"
    assert overdue.expression() == "(overdue + submitted)"
    assert [band.label for band in rectification.bands] == ["≥90", "60–89.99", "其他"]
    assert scheme.submission_due_day == 25 and len(scheme.digest) == 64
    assert scheme.figures == ("major_rectified", "major_found", "overdue", "submitted")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["indicators"][0].update(weight=50), "indicators weights must sum to 100 (they sum to 90)"),
        (lambda r: r["indicators"][1]["value"].update(count="nonsense"), "indicators[1].value.count 'nonsense' is not"),
        (lambda r: r["indicators"][0].pop("if_undefined"), "indicators[0].if_undefined a ratio needs the score"),
        (lambda r: r["indicators"][1]["bands"][1].update(at_least=3), "indicators[1].bands[1] the last band must"),
        (lambda r: r["indicators"][1]["bands"][0].update(score=2), "bands[0].score a score is a fraction"),
        (lambda r: r["indicators"][1].update(key="Overdue"), "indicators[1].key must be lower_snake_case"),
        (lambda r: r["indicators"][1].update(key="rectification"), "indicators keys must be unique"),
        (lambda r: r.update(effective_from="2024-13"), "effective_from must be a period"),
        (lambda r: r["indicators"][0]["value"].update(unit="count"), "indicators[0].value.unit must be ratio or"),
        (lambda r: r["indicators"][0]["bands"][1].update(at_least=95), "bands[1] at_least is above at_most"),
    ],
)
def test_a_broken_scheme_is_refused_naming_the_file_and_the_place(change: Any, message: str) -> None:
    reason = broken(change)
    assert reason.startswith("3710/v1.yaml: ") and message in reason


def test_a_unit_is_scored_line_by_line_and_units_with_equal_totals_share_a_rank() -> None:
    scheme = parsed()
    busy = score_unit(
        scheme, "371002", "环翠区", {"major_rectified": 2, "major_found": 3, "overdue": 1, "submitted": 1}
    )
    assert [(line.value, line.band, line.points) for line in busy.indicators] == [
        (Decimal("66.67"), "60–89.99", Decimal("30.00")),
        (Decimal("2.00"), "其他", Decimal("10.00")),
    ]
    assert busy.total == Decimal("40.00")
    quiet = score_unit(
        scheme, "371003", "文登区", {"major_rectified": 0, "major_found": 0, "overdue": 0, "submitted": 0}
    )
    assert quiet.indicators[0].band == "无数据" and quiet.total == Decimal("100.00")
    twin = score_unit(
        scheme, "371082", "荣成市", {"major_rectified": 0, "major_found": 0, "overdue": 0, "submitted": 0}
    )
    assert [(u.region_code, u.rank) for u in ranked([busy, twin, quiet])] == [
        ("371003", 1),
        ("371082", 1),
        ("371002", 3),
    ]


def test_on_time_means_by_the_end_of_the_due_day_in_shanghai() -> None:
    from datetime import UTC, date, datetime

    due = date(2024, 5, 25)
    assert submission_figures(datetime(2024, 5, 25, 15, 59, tzinfo=UTC), due) == {
        "submitted": 1,
        "submitted_on_time": 1,
    }
    assert (
        submission_figures(datetime(2024, 5, 25, 16, 0, tzinfo=UTC), due)["submitted_on_time"] == 0
    )  # 00:00 on the 26th
    assert submission_figures(None, due) == {"submitted": 0, "submitted_on_time": 0}


def test_the_store_picks_the_version_in_force_and_falls_back_to_the_nearest_ancestor(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "3710").mkdir()
    for version, start in ((1, "2024-01"), (2, "2025-03")):
        raw = {**RAW, "version": version, "effective_from": start}
        (tmp_path / "3710" / f"v{version}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    store = FileSchemeStore.from_folder(tmp_path)
    assert store.scheme_for("3710", "2025-02").version == 1
    assert store.scheme_for("371002100", "2025-03").version == 2  # a town, by its city's scheme
    with pytest.raises(NotFound):
        store.scheme_for("3710", "2023-12")
    with pytest.raises(NotFound):
        store.scheme_for("3701", "2025-03")
    (tmp_path / "3701").mkdir()
    (tmp_path / "3701" / "v1.yaml").write_text(yaml.safe_dump(RAW, allow_unicode=True), "utf-8")
    with pytest.raises(SchemeError, match="is not its folder's 3701"):
        FileSchemeStore.from_folder(tmp_path)


def test_the_shipped_schemes_load() -> None:
    store = FileSchemeStore.from_folder()
    assert store.regions() == ["3710"]
    assert sum(i.weight for i in store.scheme_for("3710", "2026-05").indicators) == 100
