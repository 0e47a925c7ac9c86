"""The reporting results as the public REST schemas (`hl_api.reports`)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from hl_api.reports import ComparisonPublic, SubmissionPublic, SupervisionItem
from hl_api.reports import DispatchTable as DispatchTablePublic
from hl_reporting.application.submissions import Comparison, Submission
from hl_reporting.domain.dispatch_table import SECTIONS
from hl_reporting.domain.listings import SupervisionItem as SupervisionRow
from hl_reporting.domain.report import DispatchTable, FigureValue, encode


def _json(value: FigureValue) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def table_public(table: DispatchTable, section_four: dict[str, FigureValue] | None = None) -> DispatchTablePublic:
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
    return DispatchTablePublic(
        period=table.period,
        region_code=table.region_code,
        region_name=table.region_name,
        industry=table.industry,
        since=table.since,
        cutoff=table.cutoff,
        sections=sections,
        breakdown=breakdown,
    )


def submission_public(submission: Submission) -> SubmissionPublic:
    signoff = submission.signoff
    return SubmissionPublic(
        id=submission.id,
        period=submission.table.period,
        region_code=submission.table.region_code,
        industry=submission.table.industry,
        filled_by=signoff.filled_by,
        reviewed_by=signoff.reviewed_by,
        filled_on=signoff.filled_on,
        submitted_at=submission.submitted_at,
        submitted_by=submission.submitted_by.model_dump(),
        table=table_public(submission.table, dict(signoff.section4)),
    )


def comparison_public(comparison: Comparison) -> ComparisonPublic:
    changed = [
        {
            "key": c.key,
            "label": c.label,
            "frozen": _json(c.frozen),
            "live": _json(c.live),
            "difference": _json(c.difference),
        }
        for c in comparison.changed
    ]
    return ComparisonPublic(submission=submission_public(comparison.submission), changed=changed)


def supervision_public(item: SupervisionRow) -> SupervisionItem:
    return SupervisionItem.model_validate(asdict(item))
