"""The reporting handlers on the in-memory unit of work: the dispatch table's rows, the list
exports, submitting and comparing, and who has reported — no database, a fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from hl_contracts import Actor
from hl_platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from hl_platform.identity import Caller
from hl_reporting.application.access import SUBMITTERS, region_in_scope
from hl_reporting.application.late_facts import LateFact
from hl_reporting.application.ports import LedgerQuery, ScopeSums, SupervisionQuery
from hl_reporting.application.service import ReportingService
from hl_reporting.domain.calendar import SHANGHAI
from hl_reporting.domain.figures import Sums
from hl_reporting.domain.listings import ListedHazard
from hl_reporting.domain.measures import sums_of
from tests.unit.reporting.fakes import FakeCatalogue, FakeUnitsOfWork

NOW = datetime(2024, 6, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: June's dispatch window is open
CATALOGUE = FakeCatalogue({"37": "山东省", "3710": "威海市", "371002": "环翠区", "371003": "文登区"})
ACTOR = Actor(id="u1", name="王科长", role="supervisor")
GENERAL = "found_self_inspection_general"
MAJOR = "found_self_inspection_major"


def _service(units: FakeUnitsOfWork | None = None) -> tuple[ReportingService, FakeUnitsOfWork]:
    units = units or FakeUnitsOfWork()
    return ReportingService(units, lambda: CATALOGUE, schemes=_NoSchemes(), clock=lambda: NOW), units


class _NoSchemes:
    def scheme_for(self, region_code: str, period: str) -> object:
        raise NotFound("no scheme")


def _sums(**measures: int) -> Sums:
    return Sums(hazards=sums_of([measures]))


def _weihai(units: FakeUnitsOfWork, total: int = 6) -> None:
    sums = ScopeSums(_sums(**{GENERAL: total}))
    sums.by_child = {"371002": _sums(**{GENERAL: 4}), "3710": _sums(**{GENERAL: 1}), "371099": _sums(**{GENERAL: 1})}
    units.rows.sums[("3710", None)] = sums


async def _submit(service: ReportingService, region: str = "3710", industry: str | None = None) -> object:
    return await service.submit(
        period="2024-05",
        region_code=region,
        actor=ACTOR,
        filled_by="张三",
        reviewed_by="李四",
        section4={"party_government_study_sessions": 2},
        industry=industry,
        since=None,
        cutoff_day=24,
    )


@pytest.mark.asyncio
async def test_a_table_has_a_row_per_child_the_regions_own_records_and_unknown_codes() -> None:
    service, units = _service()
    _weihai(units)
    table = await service.dispatch_table(period="2024-05", region_code="3710")
    assert (table.region_name, table.since, table.cutoff, table.draft) == (
        "威海市",
        date(2024, 1, 1),
        date(2024, 5, 24),
        True,
    )
    assert table.figures["general_found"] == 6 and table.as_of == NOW == table.computed_at
    rows = [(row.region_code, row.region_name, row.figures["general_found"]) for row in table.breakdown]
    assert rows == [
        ("371002", "环翠区", 4),
        ("371003", "文登区", 0),
        ("3710", "威海市(本级)", 1),
        ("371099", "371099", 1),
    ]
    (scope,) = units.rows.scopes
    assert (scope.region_code, scope.children, scope.since, scope.cutoff) == (
        "3710",
        ("371002", "371003"),
        date(2024, 1, 1),
        date(2024, 5, 24),
    )
    assert units.opened == [False]  # a query reads


@pytest.mark.asyncio
async def test_without_a_period_the_table_is_this_months_standing_now() -> None:
    service, units = _service()
    table = await service.dispatch_table(period=None, region_code="3710")
    assert table.period == "2024-06" and table.early
    assert units.rows.scopes[0].cutoff == date(2024, 6, 3)  # counted up to today: the period still runs


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"industry": "not-an-industry"}, "industry"),
        ({"as_of": datetime(2023, 12, 31, tzinfo=SHANGHAI)}, "as_of"),
        ({"as_of": datetime(2024, 7, 1, tzinfo=UTC)}, "as_of"),
        ({"since": date(2024, 5, 25)}, "since"),
    ],
)
async def test_a_table_that_cannot_be_is_a_422_naming_its_field_and_reads_nothing(
    arguments: dict[str, object], field: str
) -> None:
    service, units = _service()
    with pytest.raises(InvalidInput) as refused:
        await service.dispatch_table(period="2024-05", region_code="3710", **arguments)  # type: ignore[arg-type]
    assert refused.value.field == field and units.rows.scopes == []


@pytest.mark.asyncio
async def test_an_export_reads_every_page_of_the_supervision_list() -> None:
    service, units = _service()
    item = ListedHazard(
        "h", "报警器失效", "e1", "甲公司", "371002", "环翠区", "chemicals", "major", "city", "威海市安委会",
        NOW, None, "rectifying", None, None, None,
    )  # fmt: skip
    units.rows.listed = [replace(item, hazard_id=f"h{n}") for n in range(1201)]
    units.rows.listed.append(replace(item, hazard_id="elsewhere", region_code="370202"))
    items = await service.supervision_items(SupervisionQuery(region_prefix="3710", today=date(2024, 6, 3)))
    assert [i.hazard_id for i in items] == [f"h{n}" for n in range(1201)]
    assert len(units.rows.pages) == 3 and units.opened == [False]  # 500 a page, in one read


@pytest.mark.asyncio
async def test_the_ledger_judges_overdue_as_of_the_clocks_day() -> None:
    service, units = _service()
    await service.hazard_ledger(LedgerQuery(region_prefix="3710", level="major", limit=10))
    assert units.rows.pages == [{"list": "ledger", "region": "3710", "today": date(2024, 6, 3), "as_of": None}]


@pytest.mark.asyncio
async def test_a_submission_freezes_the_table_as_known_now_with_its_signoff() -> None:
    service, units = _service()
    _weihai(units)
    submission = await _submit(service)
    assert units.opened == [True]
    stored = units.rows.submissions[submission.id]  # type: ignore[attr-defined]
    assert stored == submission
    assert (stored.table.draft, stored.table.as_of, stored.submitted_at, stored.submitted_by) == (
        False,
        NOW,
        NOW,
        ACTOR,
    )
    assert stored.table.figures["general_found"] == 6 and units.rows.scopes[0].as_of == NOW
    assert (stored.signoff.filled_by, stored.signoff.reviewed_by, stored.signoff.filled_on) == (
        "张三",
        "李四",
        date(2024, 6, 3),
    )
    assert stored.signoff.section4["party_government_study_sessions"] == 2
    assert stored.signoff.section4["principal_leader_studies"] is None  # left blank


@pytest.mark.asyncio
async def test_a_second_submission_is_a_409_naming_the_first_and_a_bad_section_four_a_422() -> None:
    service, units = _service()
    first = await _submit(service)
    with pytest.raises(Conflict) as twice:
        await _submit(service)
    assert twice.value.extensions["existing_id"] == first.id  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput) as refused:
        await service.submit(
            period="2024-05", region_code="371002", actor=ACTOR, filled_by="", reviewed_by="",
            section4={"report_rewards_wan": 1}, industry=None, since=None, cutoff_day=24,
        )  # fmt: skip
    assert refused.value.field == "section4.report_rewards_wan"
    assert list(units.rows.submissions) == [first.id]  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_a_comparison_names_each_moved_cell_and_the_facts_that_moved_it() -> None:
    service, units = _service()
    _weihai(units, total=6)
    submission = await _submit(service)
    _weihai(units, total=8)
    moved = LateFact(
        "h9", "hazard.found", 1, datetime(2024, 5, 20, tzinfo=SHANGHAI), NOW.replace(hour=5), {"general_found": 2}
    )
    before = LateFact("h1", "hazard.found", 1, datetime(2024, 5, 2, tzinfo=SHANGHAI), NOW, {"general_found": 1})
    units.rows.late = [before, moved]
    comparison = await service.compare(submission.id, period="2024-05")  # type: ignore[attr-defined]
    found = next(change for change in comparison.figures if change.key == "general_found")
    assert (found.frozen, found.live, found.difference, found.facts) == (6, 8, 2, (moved,))
    assert [change.key for change in comparison.changed] == ["general_found"]  # the rate stays 0.00
    assert comparison.facts_count == 1
    with pytest.raises(NotFound):
        await service.compare(submission.id, period="2024-04")  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_who_has_reported_lists_the_children_and_the_departments() -> None:
    service, _ = _service()
    county = await _submit(service, "371002")
    department = await _submit(service, "3710", industry="hazardous_chemicals")
    status = await service.reporting_status(period="2024-05", region_code="3710")
    units = [(u.code, u.kind, u.industry, u.submission) for u in status.units]
    assert units == [
        ("371002", "unit", None, county),
        ("371003", "unit", None, None),
        ("3710", "department", "hazardous_chemicals", department),
    ]
    assert [u.code for u in status.missing] == ["371003"] and status.due == date(
        2024, 5, 25
    )  # the day after the cut-off
    page = await service.submissions(period="2024-05", region_prefix="3710", industry=None, cursor=None, limit=1)
    assert page.items == [department] and page.next_cursor is not None  # type: ignore[comparison-overlap]


def test_a_report_is_for_the_callers_region_or_one_inside_it() -> None:
    supervisor = Caller(id="s1", name="市安委办", role="supervisor", region_code="3710")
    national = Caller(id="a1", name="管理员", role="admin", region_code="")
    assert region_in_scope(supervisor, None, CATALOGUE) == "3710"
    assert region_in_scope(supervisor, "371002", CATALOGUE, SUBMITTERS) == "371002"
    assert region_in_scope(national, None, CATALOGUE) == "37"  # the catalogue's one root
    with pytest.raises(Forbidden):
        region_in_scope(supervisor, "37", CATALOGUE)
    with pytest.raises(Forbidden):
        region_in_scope(supervisor.model_copy(update={"role": "inspector"}), None, CATALOGUE, SUBMITTERS)
    with pytest.raises(InvalidInput) as unknown:
        region_in_scope(supervisor, "371099", CATALOGUE)
    assert unknown.value.field == "region_code"
