"""The reporting results as the public REST schemas (`hl_api.reports`)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from hl_api.reports import (
    ComparisonPublic,
    DispatchTable,
    FactPublic,
    FigureChangePublic,
    LedgerItemPublic,
    ReportingStatusPublic,
    ReportingUnitPublic,
    SubmissionPublic,
    SubmissionSummary,
    SupervisionItem,
)
from hl_reporting.adapters.export_cells import chinese_date, industry_label, local_minute
from hl_reporting.adapters.status_exports import KIND_LABELS
from hl_reporting.application.late_facts import LateFact
from hl_reporting.application.reporting_units import ReportingStatus, ReportingUnit
from hl_reporting.application.submissions import Comparison, FigureChange
from hl_reporting.application.views import Submission
from hl_reporting.domain.dispatch_table import SECTIONS
from hl_reporting.domain.listings import LedgerItem, ListedHazard
from hl_reporting.domain.report import ComputedTable, FigureValue, encode


def _json(value: FigureValue) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def table_public(table: ComputedTable, section_four: dict[str, FigureValue] | None = None) -> DispatchTable:
    values = {**table.figures, **(section_four or {})}
    sections = [
        {
            "key": section.key,
            "number": section.number,
            "title": section.label,
            "official": section.official,
            "manual": section.manual,
            "rows": [
                {
                    "number": row.number,
                    "label": row.label,
                    "figures": [
                        {"key": f.key, "label": f.label, "value": _json(values.get(f.key))} for f in row.figures
                    ],
                }
                for row in section.rows
            ],
        }
        for section in SECTIONS
    ]
    breakdown = [
        {"region_code": r.region_code, "region_name": r.region_name, "figures": encode(r.figures)}
        for r in table.breakdown
    ]
    return DispatchTable(
        period=table.period,
        kind=table.kind,
        region_code=table.region_code,
        region_name=table.region_name,
        industry=table.industry,
        since=table.since,
        cutoff=table.cutoff,
        as_of=table.as_of,
        through=table.through,
        early=table.early,
        computed_at=table.computed_at,
        draft=table.draft,
        sections=sections,
        breakdown=breakdown,
    )


def _summary_fields(submission: Submission) -> dict[str, Any]:
    signoff, table = submission.signoff, submission.table
    return {
        "id": submission.id,
        "period": table.period,
        "region_code": table.region_code,
        "region_name": table.region_name,
        "industry": table.industry,
        "filled_by": signoff.filled_by,
        "reviewed_by": signoff.reviewed_by,
        "filled_on": signoff.filled_on,
        "submitted_at": submission.submitted_at,
        "submitted_by": submission.submitted_by.model_dump(),
        "early": table.early,
    }


def submission_summary(submission: Submission) -> SubmissionSummary:
    return SubmissionSummary(**_summary_fields(submission))


def submission_public(submission: Submission) -> SubmissionPublic:
    table = table_public(submission.table, dict(submission.signoff.section4))
    return SubmissionPublic(**_summary_fields(submission), table=table)


def _fact(fact: LateFact, key: str) -> FactPublic:
    return FactPublic(
        subject=fact.subject,
        event_type=fact.event_type,
        version=fact.version,
        occurred_at=fact.occurred_at,
        recorded_at=fact.recorded_at,
        change=_json(fact.changes.get(key)),
    )


def _figure_change(change: FigureChange) -> FigureChangePublic:
    return FigureChangePublic(
        key=change.key,
        label=change.label,
        frozen=_json(change.frozen),
        live=_json(change.live),
        difference=_json(change.difference),
        facts=[_fact(fact, change.key) for fact in change.facts],
    )


def comparison_public(comparison: Comparison) -> ComparisonPublic:
    return ComparisonPublic(
        submission=submission_public(comparison.submission),
        live_computed_at=comparison.live.computed_at,
        changed=[_figure_change(change) for change in comparison.changed],
        facts_count=comparison.facts_count,
    )


def _unit(unit: ReportingUnit) -> ReportingUnitPublic:
    submission = unit.submission
    return ReportingUnitPublic(
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        industry=unit.industry,
        status="submitted" if submission else "not_yet",
        submission_id=submission.id if submission else None,
        submitted_at=submission.submitted_at if submission else None,
        submitted_by=submission.submitted_by.name if submission else None,
        early=submission.table.early if submission else False,
    )


def reporting_status_public(status: ReportingStatus) -> ReportingStatusPublic:
    missing = len(status.missing)
    return ReportingStatusPublic(
        period=status.period,
        region_code=status.region_code,
        region_name=status.region_name,
        due=status.due,
        reported=len(status.units) - missing,
        not_yet=missing,
        units=[_unit(unit) for unit in status.units],
    )


def reporting_status_rows(status: ReportingStatus) -> tuple[str, list[tuple[str, ...]]]:
    """The xlsx's title and one text row per unit."""
    missing = len(status.missing)
    title = (
        f"{status.region_name}{status.period}报送情况(应于{chinese_date(status.due)}报送;"
        f"已报送{len(status.units) - missing}个,未报送{missing}个)"
    )
    rows: list[tuple[str, ...]] = []
    for unit in status.units:
        submission = unit.submission
        done = (
            ("已报送", local_minute(submission.submitted_at), submission.submitted_by.name)
            if submission
            else ("未报送", "", "")
        )
        note = "提前报送" if submission and submission.table.early else ""
        industry = industry_label(unit.industry) if unit.industry else ""
        rows.append((unit.code, unit.name, KIND_LABELS.get(unit.kind, unit.kind), industry, *done, note))
    return title, rows


def supervision_public(item: ListedHazard) -> SupervisionItem:
    return SupervisionItem.model_validate(asdict(item))


def ledger_public(item: LedgerItem) -> LedgerItemPublic:
    fields = asdict(item)
    fields["funds_yuan"] = str(item.funds_yuan)
    fields.pop("overdue_recorded")
    return LedgerItemPublic.model_validate(fields)
