"""Reports as known at a moment, on SQLite and PostgreSQL: a submission's frozen figures are the
live table as of its submission, whatever is recorded later (back-dated fixes, a void, a late
find, a back-dated reclassification, an extension); early submissions stand at their moment; the
lists as of a moment; quarterly and annual tables with hand-counted figures; who has reported.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from hl_contracts.hazard import HazardDeadlineExtended, HazardReclassified
from hl_contracts.vocabulary import HazardLevel
from hl_platform.db import Database
from hl_platform.errors import InvalidInput
from hl_reporting.adapters.unit_of_work import SqlUnitOfWork
from hl_reporting.application.ports import LedgerQuery, SupervisionQuery
from hl_reporting.application.queries import dispatch_table, hazard_ledger, supervision_list
from hl_reporting.application.reporting_units import reporting_status
from hl_reporting.application.submissions import Submission, compare, submit
from hl_reporting.domain.report import ComputedTable
from tests.integration.reporting.scenario import INSPECTOR, HazardStream, at, d, hazard_streams
from tests.integration.reporting.test_dispatch_table import CATALOGUE, db, project

__all__ = ["db"]  # the fixture, shared with the dispatch-table tests
SUBMITTED = at(5, 26, 10)  # after the back-dated records of 09:00 on the 26th
EARLY = at(5, 23, 15)  # before the cut-off: a holiday on the 25th


async def _submit(db: Database, now: datetime, region: str = "3710", **scope: object) -> Submission:
    async with SqlUnitOfWork(db) as uow:
        return await submit(
            uow,
            period="2024-05",
            region_code=region,
            catalogue=CATALOGUE,
            actor=INSPECTOR,
            filled_by="孙填表",
            reviewed_by="李审核",
            section4={"technical_inspectors": 3},
            now=now,
            **scope,  # type: ignore[arg-type]
        )


async def _as_of(db: Database, submission: Submission) -> ComputedTable:
    frozen = submission.table
    async with SqlUnitOfWork(db, write=False) as uow:
        return await dispatch_table(
            uow,
            period=frozen.period,
            region_code=frozen.region_code,
            catalogue=CATALOGUE,
            industry=frozen.industry,
            since=frozen.since,
            cutoff_day=submission.cutoff_day,
            as_of=submission.submitted_at,
        )


def _later_facts() -> list[object]:
    """Facts recorded after the submissions, most of them dated before them."""
    streams = hazard_streams("t")
    h2 = streams["H2"].events[:]
    h4 = HazardStream("hazard", "t-H4", "371003", "hazardous_chemicals")
    h4.events = list(streams["H4"].events)
    h4.rectified(at(5, 23), recorded=at(5, 27))  # back-dated fix
    h6 = HazardStream("hazard", "t-H6", "371002100", "hazardous_chemicals")
    h6.events = list(streams["H6"].events)
    h6.emit(
        HazardDeadlineExtended(
            previous_deadline=d(7, 15), new_deadline=d(8, 15), reason="再延期", approved_by="周", approved_at=at(5, 21)
        ),
        at(5, 21),
        at(5, 28),
    )
    h10 = HazardStream("hazard", "t-H10", "371002100", "hazardous_chemicals")
    h10.events = list(streams["H10"].events)
    h10.emit(
        HazardReclassified(
            previous_level=HazardLevel.MAJOR, level=HazardLevel.GENERAL, reason="复核", decided_at=at(5, 23)
        ),
        at(5, 23),
        at(5, 29),
    )  # back-dated: general from the 23rd
    late = HazardStream("hazard", "t-H20", "371003101", "hazardous_chemicals")
    late.found("department_inspection", "major", at(5, 19), recorded=at(5, 30))  # found long before it was recorded
    voided = HazardStream("hazard", "t-H2", "371002101", "hazardous_chemicals")
    voided.events = h2
    voided.voided(at(6, 2))
    return [h4.events[-1], h6.events[-1], h10.events[-1], *late.events, voided.events[-1]]


async def test_a_submissions_figures_are_the_live_table_as_of_its_submission(db: Database) -> None:
    """The city's table, a campaign's table (another `since`), a county's with its towns, one
    industry's, and an early one: after the later facts, each as of its moment is its frozen self."""
    submissions = [
        await _submit(db, SUBMITTED),
        await _submit(db, SUBMITTED + timedelta(minutes=1), region="37", since=date(2024, 3, 15)),
        await _submit(db, SUBMITTED, region="371002"),
        await _submit(db, SUBMITTED, industry="construction"),
        await _submit(db, EARLY, region="371003"),
    ]
    before = [await _as_of(db, s) for s in submissions]
    await project(db, _later_facts())  # type: ignore[arg-type]
    for submission, earlier in zip(submissions, before, strict=True):
        now = await _as_of(db, submission)
        assert now.figures == submission.table.figures == earlier.figures, submission.table.region_code
        assert now.breakdown == submission.table.breakdown
        assert (now.through, now.early) == (submission.table.through, submission.table.early)
    city = submissions[0]
    async with SqlUnitOfWork(db, write=False) as uow:
        live = await dispatch_table(uow, period="2024-05", region_code="3710", catalogue=CATALOGUE)
        comparison = await compare(uow, submission_id=city.id, catalogue=CATALOGUE)
    assert (
        live.figures["department_inspection_major_found"] == city.table.figures["department_inspection_major_found"] + 1
    )
    assert (
        live.figures["self_inspection_major_found"] == city.table.figures["self_inspection_major_found"] - 2
    )  # H2, H10
    moved = {change.key: {fact.subject for fact in change.facts} for change in comparison.changed}
    assert moved["department_inspection_major_found"] == {"t-H20"}
    assert moved["self_inspection_major_found"] == {"t-H2", "t-H10"}
    assert moved["overdue"] == {"t-H4"}


async def test_an_early_submission_stands_at_its_moment(db: Database) -> None:
    """Submitted at 15:00 on the 23rd: counted to that moment — not the fact recorded at 16:00 that
    day, not H12's deadline passing — and the table says so."""
    same_day = HazardStream("hazard", "t-H21", "371003", "hazardous_chemicals")
    same_day.found("department_inspection", "major", at(5, 23, 14), recorded=at(5, 23, 16))
    await project(db, same_day.events)
    early = await _submit(db, EARLY)
    assert early.table.early and early.table.through == date(2024, 5, 23)
    assert early.table.stands_at == EARLY and early.table.cutoff == date(2024, 5, 24)
    assert early.table.figures["department_inspection_major_found"] == 4  # H4, H5, H8, H12; not H21 yet
    assert early.table.figures["overdue"] == 2  # H4 (the 15th) and H12 (the 20th)
    async with SqlUnitOfWork(db, write=False) as uow:
        on_time = await dispatch_table(
            uow, period="2024-05", region_code="3710", catalogue=CATALOGUE, as_of=at(5, 25, 10)
        )
    assert on_time.figures["department_inspection_major_found"] == 5  # H21 too, recorded by then
    assert not on_time.early and on_time.through == date(2024, 5, 24)
    assert (await _as_of(db, early)).figures == early.table.figures


async def test_the_lists_as_known_at_a_moment(db: Database) -> None:
    async with SqlUnitOfWork(db, write=False) as uow:
        ledger = await hazard_ledger(uow, LedgerQuery(region_prefix="3710", as_of=at(5, 25, 10), limit=50))
        listed_14th = await supervision_list(
            uow, SupervisionQuery(region_prefix="3710", today=d(5, 14), as_of=at(5, 14, 12))
        )
        overdue_21st = await supervision_list(
            uow, SupervisionQuery(region_prefix="3710", today=d(5, 21), status="all", overdue=True, as_of=at(5, 21, 12))
        )
        first = await supervision_list(
            uow, SupervisionQuery(region_prefix="3710", today=d(5, 14), as_of=at(5, 14, 12), limit=1)
        )
        second = await supervision_list(
            uow,
            SupervisionQuery(
                region_prefix="3710", today=d(5, 14), as_of=at(5, 14, 12), limit=1, cursor=first.next_cursor
            ),
        )
    rows = {item.hazard_id: item for item in ledger.items}
    assert "t-H9" not in rows  # found on 20 April, recorded on the 26th
    assert rows["t-H8"].status == "reported" and rows["t-H8"].rectified_at is None  # its fix not recorded yet
    assert rows["t-H10"].level == "major" and "t-H7" not in rows  # reclassified on the 22nd; voided on the 10th
    assert rows["t-H4"].overdue and not rows["t-H1"].overdue
    assert [item.hazard_id for item in listed_14th.items] == ["t-H5", "t-H6", "t-H12"]  # in the order first listed
    h6 = listed_14th.items[1]
    assert (h6.listing_level, h6.deadline, h6.days_left) == ("county", d(6, 30), 47)  # before its provincial listing
    assert [item.hazard_id for item in overdue_21st.items] == ["t-H12"]  # deadline the 20th; H5 fixed on the 20th
    assert [item.hazard_id for item in first.items + second.items] == ["t-H5", "t-H6"]


async def test_quarterly_and_annual_tables_by_hand(db: Database) -> None:
    """2024-Q2 (1 January – 30 June) and 2024 (to 31 December) of Weihai, counted by hand from the
    scenario; 2023 holds H14 and E3's December inspection; 2024-Q1 nothing yet."""
    async with SqlUnitOfWork(db, write=False) as uow:
        tables = {
            period: await dispatch_table(uow, period=period, region_code="3710", catalogue=CATALOGUE)
            for period in ("2024-Q1", "2024-Q2", "2024", "2023")
        }
    q2 = tables["2024-Q2"]
    assert (q2.kind, q2.since, q2.cutoff, q2.through, q2.early) == (
        "quarterly",
        date(2024, 1, 1),
        date(2024, 6, 30),
        date(2024, 6, 30),
        False,
    )
    expected_q2 = {
        "self_inspection_major_found": 4,  # H1, H2, H3 (the 25th counts in the quarter), H10
        "self_inspection_major_rectified": 1,  # H1 (H7 voided; H14 found in 2023)
        "department_inspection_major_found": 4,  # H4, H5, H8, H12
        "department_inspection_major_rectified": 2,  # H5, H8; H4 rejected
        "listed_major": 3,  # H5, H6, H12
        "listed_major_rectified": 1,  # H5
        "enterprises_inspected": 3,  # E1, E2, E3 (E4 is in Jinan)
        "deficiency_principal_not_studied": 1,
        "deficiency_uncertified_special_workers": 1,  # E2 on 25 May: after May's cut-off, inside the quarter
        "deficiency_outsourcing_chaos": 0,  # E3's was in December
        "assistance_visits": 2,
        "administrative_penalties": 3,  # E2's three, the third on 25 May
        "administrative_penalty_amount_wan": Decimal("14.75"),
        "suspension_orders": 1,
        "exposed_interviewed_punished": 2,
        "typical_cases": 2,
        "typical_cases_dangerous_operation": 1,
        "general_found": 1,  # H11 (H10 is major now)
        "major_found": 10,  # H1–H6, H8, H9, H10, H12
        "major_rectified": 3,  # H1, H5, H8
        "rectification_rate": Decimal("36.36"),  # 4 of 11
        "major_rectification_rate": Decimal("30.00"),
        "overdue": 2,  # H4, H12; H6's deadline is 15 July
        "funds_committed_wan": Decimal("25"),  # 200 000 + 50 000 yuan
        "listed_province": 2,
        "listed_county": 1,
    }
    assert {key: q2.figures[key] for key in expected_q2} == expected_q2
    year = tables["2024"]
    assert (year.kind, year.cutoff) == ("annual", date(2024, 12, 31))
    assert {key: year.figures[key] for key in expected_q2} == expected_q2 | {"overdue": 3}  # H6's passed in July
    old = tables["2023"]
    assert (old.figures["self_inspection_major_found"], old.figures["self_inspection_major_rectified"]) == (1, 0)
    assert (old.figures["enterprises_inspected"], old.figures["deficiency_outsourcing_chaos"]) == (1, 1)
    assert tables["2024-Q1"].figures["major_found"] == 0 and tables["2024-Q1"].figures["rectification_rate"] is None
    wendeng = {row.region_code: row for row in q2.breakdown}["371003"]
    assert (wendeng.figures["department_inspection_major_found"], wendeng.figures["overdue"]) == (2, 2)


async def test_who_has_reported(db: Database) -> None:
    await _submit(db, SUBMITTED, region="371002")
    await _submit(db, EARLY, region="371071")
    await _submit(db, SUBMITTED, industry="construction")  # the city's construction department
    async with SqlUnitOfWork(db, write=False) as uow:
        status = await reporting_status(uow, period="2024-05", region_code="3710", catalogue=CATALOGUE, today=d(5, 27))
    assert status.due == date(2024, 5, 25)
    units = {(unit.code, unit.industry): unit for unit in status.units}
    assert [code for code, industry in units if industry is None] == [c.code for c in CATALOGUE.children("3710")]
    assert units[("371002", None)].submission is not None and units[("371002", None)].kind == "county"
    zone = units[("371071", None)]
    assert zone.kind == "zone" and zone.submission is not None and zone.submission.table.early
    department = units[("3710", "construction")]
    assert department.kind == "department" and department.reported
    assert {unit.code for unit in status.missing} == {"371003", "371072", "371073", "371082", "371083", "371090"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"period": "0000-01"}, "period"),
        ({"period": "2999-01"}, "period"),
        ({"period": "2024-Q5"}, "period"),
        ({"as_of": datetime(2999, 1, 1, tzinfo=at(5, 1).tzinfo)}, "as_of"),
        ({"as_of": at(4, 1)}, "as_of"),  # before the campaign's window starts
        ({"period": "2024-Q2", "cutoff_day": 20}, "cutoff_day"),
    ],
)
async def test_bad_periods_and_moments_are_refused(db: Database, changes: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"period": "2024-05", "since": date(2024, 5, 1)} | changes
    async with SqlUnitOfWork(db, write=False) as uow:
        with pytest.raises(InvalidInput) as refused:
            await dispatch_table(uow, region_code="3710", catalogue=CATALOGUE, **arguments)  # type: ignore[arg-type]
    assert refused.value.field == field
