"""Evaluating a region's child units for a period (月度评估赋分), frozen with its submission.

Once the region has submitted the period's dispatch table, its evaluation is *frozen*: it is
computed from the figures frozen in that submission (the per-child breakdown), the units' own
submissions as known at that moment, and the scheme version in force for the period, so it reads
the same however late a fact arrives. Before that it is *live*: today's figures and submissions.

What the evaluation needs of the rest of the service comes through two ports, so that their
sources can change without touching the scoring: `EvaluationInputs` (the dispatch tables and
submissions; `application/evaluation_inputs.py`) and `SchemeSource` (`adapters/evaluation_schemes.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hl_platform.errors import InvalidInput
from hl_reporting.application.regions import RegionTree, region_name
from hl_reporting.domain.evaluation import Evaluation, due_date, ranked, score_unit, submission_figures
from hl_reporting.domain.evaluation_scheme import Scheme
from hl_reporting.domain.figures import Sums, compute_figures
from hl_reporting.domain.report import ComputedTable, FigureValue


@dataclass(frozen=True)
class FrozenTable:
    """A region's submitted dispatch table of a period: its frozen figures and when it was submitted."""

    submission_id: str
    submitted_at: datetime
    table: ComputedTable


class EvaluationInputs(Protocol):
    async def frozen_table(self, period: str, region_code: str) -> FrozenTable | None:
        """The region's submission of the period (all industries), or None."""
        ...

    async def live_table(self, period: str, region_code: str, as_of: datetime | None) -> ComputedTable:
        """The period's table with its per-child breakdown, from the facts recorded by `as_of` (None: all)."""
        ...

    async def submission_times(self, period: str, codes: tuple[str, ...], known_at: datetime) -> dict[str, datetime]:
        """When each of these units submitted the period's report, for those submitted by `known_at`."""
        ...


class SchemeSource(Protocol):
    def scheme_for(self, region_code: str, period: str) -> Scheme:
        """The scheme version in force for the period, the region's own or its nearest ancestor's;
        `NotFound` when none applies."""
        ...


async def evaluate(
    inputs: EvaluationInputs,
    schemes: SchemeSource,
    catalogue: RegionTree,
    *,
    period: str,
    region_code: str,
    now: datetime,
    as_of: datetime | None = None,
) -> Evaluation:
    """Score and rank the region's child units for the period, as known at `as_of` (default: now)."""
    if as_of is not None and as_of > now:
        raise InvalidInput("as_of", "must not be in the future")
    name = region_name(catalogue, region_code)
    scheme = schemes.scheme_for(region_code, period)
    frozen = await inputs.frozen_table(period, region_code)
    if frozen is not None and (as_of is None or as_of >= frozen.submitted_at):
        table, known_at, submission_id = frozen.table, frozen.submitted_at, frozen.submission_id
    else:
        table, known_at, submission_id = await inputs.live_table(period, region_code, as_of), as_of or now, None
    children = tuple(catalogue.children(region_code))
    submitted = await inputs.submission_times(period, tuple(child.code for child in children), known_at)
    rows = {row.region_code: row.figures for row in table.breakdown}
    due = due_date(period, scheme.submission_due_day)
    units = [
        score_unit(
            scheme,
            child.code,
            child.name,
            _figures(rows.get(child.code), submission_figures(submitted.get(child.code), due)),
        )
        for child in children
    ]
    return Evaluation(
        period=period,
        region_code=region_code,
        region_name=name,
        since=table.since,
        cutoff=table.cutoff,
        scheme=scheme,
        as_of=known_at,
        submission_id=submission_id,
        units=ranked(units),
    )


def _figures(row: Mapping[str, FigureValue] | None, extra: Mapping[str, FigureValue]) -> dict[str, FigureValue]:
    """A unit's named figures; a unit with no row (nothing recorded, or new in the catalogue) has zeros."""
    return {**(row if row is not None else compute_figures(Sums())), **extra}
