"""From summed buckets to figures, and from enterprise events to marks and deltas."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hl_contracts.enterprise import EnterpriseEnforcementRecorded, EnterpriseInspected
from hl_platform.errors import NotFound
from hl_reporting.application.regions import region_name
from hl_reporting.domain.dispatch_table import COMPUTED_FIGURES
from hl_reporting.domain.enterprise_figures import enforcement_deltas, enforcement_marks, inspection_marks
from hl_reporting.domain.figures import HazardSums, Sums, compute_figures, rate, wan
from hl_reporting.domain.report import decode, encode
from tests.unit.reporting.fakes import FakeCatalogue


def test_figures_from_sums() -> None:
    hazards = HazardSums()
    for key, value in {
        ("found", "self_inspection", "major", ""): 3,
        ("found", "department_inspection", "major", ""): 2,
        ("found", "public_report", "general", ""): 5,
        ("rectified", "self_inspection", "major", ""): 1,
        ("rectified", "public_report", "general", ""): 5,
        ("listed", "department_inspection", "major", "province"): 1,
        ("listed", "self_inspection", "major", "county"): 1,
        ("listed_rectified", "self_inspection", "major", "county"): 1,
        ("overdue", "department_inspection", "major", ""): 1,
        ("funds_fen", "self_inspection", "major", ""): 12_345_600,
    }.items():
        hazards.add(key, value)
    figures = compute_figures(
        Sums(
            hazards,
            {"assistance_visits": 4, "administrative_penalty_amount_fen": 3_500_000},
            {"enterprises_inspected": 7},
        )
    )
    assert list(figures) == [figure.key for figure in COMPUTED_FIGURES]
    assert figures["self_inspection_major_found"] == 3 and figures["department_inspection_major_rectified"] == 0
    assert (figures["listed_major"], figures["listed_major_rectified"], figures["listed_province"]) == (2, 1, 1)
    assert (figures["general_found"], figures["general_rectified"], figures["major_found"]) == (5, 5, 5)
    assert figures["rectification_rate"] == Decimal("60.00")  # 6 of 10
    assert figures["major_rectification_rate"] == Decimal("20.00")
    assert figures["funds_committed_wan"] == Decimal("12.3456")
    assert figures["administrative_penalty_amount_wan"] == Decimal("3.5")
    assert (figures["assistance_visits"], figures["enterprises_inspected"], figures["dual_penalties"]) == (4, 7, 0)


def test_rates_and_amounts() -> None:
    assert rate(0, 0) is None and rate(2, 3) == Decimal("66.67") and rate(1, 1) == Decimal("100.00")
    assert wan(1_000_000) == Decimal("1.0000") and wan(50) == Decimal("0.0001")


def test_values_survive_json() -> None:
    figures = compute_figures(Sums())
    figures["media_column_broadcast"] = True
    assert decode(encode(figures)) == figures


def test_inspection_marks_count_each_deficiency_once() -> None:
    data = EnterpriseInspected(
        inspection_id="i",
        department="应急局",
        inspected_on=date(2024, 5, 6),
        findings=["no_emergency_drill", "no_emergency_drill", "not_a_code"],
    )
    assert inspection_marks(data) == ["enterprises_inspected", "deficiency_no_emergency_drill"]


@pytest.mark.parametrize(
    ("kind", "details", "deltas", "marks"),
    [
        ("assistance_visit", {"key_enterprise": True}, {"assistance_visits": 1, "key_enterprise_assistance": 1}, []),
        (
            "administrative_penalty",
            {"amount_wan": Decimal("1.25")},
            {"administrative_penalties": 1, "administrative_penalty_amount_fen": 1_250_000},
            [],
        ),
        ("judicial_referral", {"persons": 3}, {"judicial_referrals": 3}, []),
        ("accountability", {}, {"persons_held_accountable": 1}, []),
        (
            "typical_case",
            {"dangerous_operation_crime": True},
            {"typical_cases": 1, "typical_cases_dangerous_operation": 1},
            [],
        ),
        ("suspension_order", {}, {}, ["suspension_orders"]),
        ("interview", {}, {}, ["exposed_interviewed_punished"]),
    ],
)
def test_enforcement_kinds(kind: str, details: dict[str, object], deltas: dict[str, int], marks: list[str]) -> None:
    data = EnterpriseEnforcementRecorded(
        action_id="a", kind=kind, department="应急局", decided_on=date(2024, 5, 6), **details
    )
    assert enforcement_deltas(data) == deltas
    assert enforcement_marks(data) == marks


def test_region_names_come_from_the_catalogue() -> None:
    catalogue = FakeCatalogue({"3710": "威海市", "371002": "环翠区"})
    assert region_name(catalogue, "3710") == "威海市" and region_name(catalogue, "") == "全国"
    with pytest.raises(NotFound):
        region_name(catalogue, "9999")
