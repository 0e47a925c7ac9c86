"""The supervision list, the hazard ledger, and frozen submissions compared with live figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event

from hl_platform.db import Database
from hl_platform.errors import Conflict, InvalidInput, NotFound
from hl_reporting.adapters.unit_of_work import SqlUnitOfWork
from hl_reporting.application.pages import encode_cursor
from hl_reporting.application.ports import LedgerQuery, SupervisionQuery
from hl_reporting.application.queries import dispatch_table, hazard_ledger, supervision_list
from hl_reporting.application.submissions import compare, get_submission, submission_by_id, submit
from tests.integration.reporting.scenario import INSPECTOR, NOW, TODAY, HazardStream, at, hazard_streams
from tests.integration.reporting.test_dispatch_table import CATALOGUE, db, project

__all__ = ["db"]  # the fixture, shared with the dispatch-table tests


async def test_supervision_list_of_active_listings_with_days_left_or_overdue(db: Database) -> None:
    async with SqlUnitOfWork(db, write=False) as uow:
        page = await supervision_list(uow, SupervisionQuery(region_prefix="3710", today=TODAY), catalogue=CATALOGUE)
    assert [item.hazard_id for item in page.items] == ["t-H12", "t-H6"]  # oldest listing first
    h12, h6 = page.items
    assert (h12.listing_level, h12.listing_authority, h12.deadline) == ("province", "山东省安委会", date(2024, 5, 20))
    assert (h12.days_left, h12.days_overdue, h12.region_name) == (None, 5, "文登区")
    assert (h6.listing_level, h6.deadline, h6.days_left, h6.days_overdue) == ("province", date(2024, 7, 15), 51, None)
    assert h6.listed_at == at(5, 15) and h6.status == "reported" and h6.enterprise_name == "t-H6公司"
    assert page.next_cursor is None


async def test_supervision_list_filters(db: Database) -> None:
    async def ids(**filters: object) -> list[str]:
        async with SqlUnitOfWork(db, write=False) as uow:
            page = await supervision_list(
                uow, SupervisionQuery(region_prefix=str(filters.pop("region", "3710")), today=TODAY, **filters)
            )  # type: ignore[arg-type]
        return [item.hazard_id for item in page.items]

    assert await ids(overdue=True) == ["t-H12"]
    assert await ids(overdue=False) == ["t-H6"]
    assert await ids(status="delisted") == ["t-H5"]
    assert await ids(status="all") == ["t-H5", "t-H12", "t-H6"]
    assert await ids(status="all", level="county") == ["t-H5"]
    assert await ids(region="371002") == ["t-H6"]
    assert await ids(region="3701") == []


async def test_supervision_list_pages(db: Database) -> None:
    async with SqlUnitOfWork(db, write=False) as uow:
        first = await supervision_list(uow, SupervisionQuery(region_prefix="37", today=TODAY, status="all", limit=2))
        assert first.next_cursor is not None
        second = await supervision_list(
            uow, SupervisionQuery(region_prefix="37", today=TODAY, status="all", limit=2, cursor=first.next_cursor)
        )
        with pytest.raises(InvalidInput):
            await supervision_list(uow, SupervisionQuery(region_prefix="37", today=TODAY, cursor="not-a-cursor"))
    assert [i.hazard_id for i in first.items + second.items] == ["t-H5", "t-H12", "t-H6"]
    assert second.next_cursor is None


async def test_hazard_ledger_filters_and_pages(db: Database) -> None:
    async with SqlUnitOfWork(db, write=False) as uow:
        seen: list[str] = []
        cursor: str | None = None
        while True:
            page = await hazard_ledger(uow, LedgerQuery(region_prefix="3710", limit=5, cursor=cursor))
            seen += [item.hazard_id for item in page.items]
            if (cursor := page.next_cursor) is None:
                break
        voided = await hazard_ledger(uow, LedgerQuery(region_prefix="3710", status="voided"))
        listed = await hazard_ledger(uow, LedgerQuery(region_prefix="3710", listed=True))
        general = await hazard_ledger(uow, LedgerQuery(region_prefix="", level="general", source="self_inspection"))
        h1 = await hazard_ledger(uow, LedgerQuery(region_prefix="3710", enterprise_id="ent-of-t-H1"))
    assert len(seen) == 12 == len(set(seen)) and "t-H7" not in seen and "t-H13" not in seen
    assert seen[0] == "t-H3" and seen[-1] == "t-H14"  # newest found first
    assert [item.hazard_id for item in voided.items] == ["t-H7"]
    assert {item.hazard_id for item in listed.items} == {"t-H5", "t-H6", "t-H12"}
    assert {item.hazard_id for item in general.items} == {"t-H11"}  # H10 is major now
    (item,) = h1.items
    assert (item.status, item.funds_yuan, item.deadline) == ("closed", Decimal(200000), date(2024, 5, 20))
    assert item.version == 4


async def test_a_submission_freezes_the_figures_and_compare_names_the_facts_recorded_since(db: Database) -> None:
    """Submitted on the 25th at 10:00: the back-dated records of the 26th (H8's fix, H9) and a late
    fix of H4 (dated the 23rd, recorded the 27th) move the live table, and the comparison says which."""
    section4 = {"party_government_study_sessions": 2, "media_column_broadcast": True}
    async with SqlUnitOfWork(db) as uow:
        submitted = await submit(
            uow,
            period="2024-05",
            region_code="3710",
            catalogue=CATALOGUE,
            actor=INSPECTOR,
            filled_by="孙填表",
            reviewed_by="李审核",
            section4=section4,
            now=NOW,
        )
    assert submitted.signoff.filled_on == TODAY  # the Shanghai day of `now`
    assert submitted.signoff.section4["party_government_study_sessions"] == 2
    assert submitted.table.figures["report_rewards_wan"] == Decimal(0)  # row 5 is computed from the tips stream
    assert submitted.signoff.section4["technical_inspectors"] is None
    assert not submitted.table.draft and not submitted.table.early and submitted.table.as_of == NOW
    assert submitted.table.figures["department_inspection_major_rectified"] == 1  # H8's fix not yet recorded
    late = HazardStream("hazard", "t-H4", "371003", "hazardous_chemicals")
    late.events = list(hazard_streams("t")["H4"].events)
    late.rectified(at(5, 23), recorded=at(5, 27))
    await project(db, late.events[-1:])
    async with SqlUnitOfWork(db) as uow:
        with pytest.raises(Conflict) as refused:
            await submit(
                uow,
                period="2024-05",
                region_code="3710",
                catalogue=CATALOGUE,
                actor=INSPECTOR,
                filled_by="孙填表",
                reviewed_by="李审核",
                section4={},
            )
        assert refused.value.extensions["existing_id"] == submitted.id
    async with SqlUnitOfWork(db, write=False) as uow:
        frozen = await get_submission(uow, period="2024-05", region_code="3710")
        by_id = await submission_by_id(uow, submitted.id, period="2024-05")
        comparison = await compare(uow, submission_id=submitted.id, catalogue=CATALOGUE)
        with pytest.raises(NotFound):
            await get_submission(uow, period="2024-04", region_code="3710")
        with pytest.raises(NotFound):
            await submission_by_id(uow, submitted.id, period="2024-04")
        again = await dispatch_table(uow, period="2024-05", region_code="3710", catalogue=CATALOGUE, as_of=NOW)
    assert frozen.table.figures == submitted.table.figures == by_id.table.figures == again.figures
    assert frozen.table.breakdown == submitted.table.breakdown == again.breakdown
    assert frozen.signoff == submitted.signoff and frozen.submitted_by == INSPECTOR
    changed = {change.key: (change.frozen, change.live, change.difference) for change in comparison.changed}
    assert changed == {
        "department_inspection_major_rectified": (1, 3, 2),
        "major_found": (8, 9, 1),
        "major_rectified": (2, 4, 2),
        "overdue": (2, 1, -1),
        "rectification_rate": (Decimal("33.33"), Decimal("50.00"), Decimal("16.67")),
        "major_rectification_rate": (Decimal("25.00"), Decimal("44.44"), Decimal("19.44")),
    }
    facts = {
        change.key: [(f.subject, f.event_type, f.recorded_at, f.changes.get(change.key)) for f in change.facts]
        for change in comparison.changed
    }
    assert facts["department_inspection_major_rectified"] == [
        ("t-H8", "hazard.rectified", at(5, 26, 9), 1),
        ("t-H4", "hazard.rectified", at(5, 27), 1),
    ]
    assert facts["major_found"] == [("t-H9", "hazard.found", at(5, 26, 9), 1)]
    assert facts["overdue"] == [("t-H4", "hazard.rectified", at(5, 27), -1)]
    assert {f.subject for f in dict((c.key, c) for c in comparison.changed)["rectification_rate"].facts} == {
        "t-H4",
        "t-H8",
        "t-H9",
    }
    (h4,) = [f for f in comparison.changed[0].facts if f.subject == "t-H4"]
    assert (h4.occurred_at, h4.version) == (at(5, 23), 5)  # its business time, dated before the submission
    assert comparison.facts_count == 3


async def test_section4_is_validated(db: Database) -> None:
    async with SqlUnitOfWork(db) as uow:
        for bad in (
            {"no_such_figure": 1},
            {"technical_inspectors": -1},
            {"technical_inspectors": 1.5},
            {"media_column_broadcast": "yes"},
            {"report_rewards_wan": "lots"},
        ):
            with pytest.raises(InvalidInput):
                await submit(
                    uow,
                    period="2024-05",
                    region_code="3710",
                    catalogue=CATALOGUE,
                    actor=INSPECTOR,
                    filled_by="孙",
                    reviewed_by="李",
                    section4=bad,
                )


async def test_the_dispatch_table_reads_buckets_never_hazards(db: Database) -> None:
    """The cost rule: a report is a few grouped sums over buckets, whatever the number of hazards."""
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(db.reader.sync_engine, "before_cursor_execute", record)
    try:
        async with SqlUnitOfWork(db, write=False) as uow:
            await dispatch_table(uow, period="2024-05", region_code="3710", catalogue=CATALOGUE)
    finally:
        event.remove(db.reader.sync_engine, "before_cursor_execute", record)
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # the roll-up; then enforcement buckets, marks total, marks per child, tip rewards
    assert len(queries) == 5
    assert sum("FROM hazard_rollup" in query for query in queries) == 1  # the region and its children at once
    assert not any("hazard_state" in query or "hazard_daily" in query for query in queries)


async def test_list_pages_of_a_province_or_city_walk_an_index_in_list_order(db: Database) -> None:
    """A page never sorts a province's hazards, and a cursor seeks to where the last page ended."""
    if db.writer.dialect.name != "sqlite":
        pytest.skip("SQLite's query plans; PostgreSQL's planner chooses from statistics")
    statements: list[tuple[str, object]] = []

    def record(conn: object, cursor: object, statement: str, parameters: object, *args: object) -> None:
        if "FROM hazard_state" in statement:
            statements.append((statement, parameters))

    cursor = encode_cursor(at(5, 1).isoformat(), "t-H1")
    event.listen(db.reader.sync_engine, "before_cursor_execute", record)
    try:
        async with SqlUnitOfWork(db, write=False) as uow:
            for region in ("37", "3710"):
                await supervision_list(uow, SupervisionQuery(region_prefix=region, today=TODAY))
                await supervision_list(
                    uow, SupervisionQuery(region_prefix=region, today=TODAY, cursor=cursor, status="all")
                )
                await hazard_ledger(uow, LedgerQuery(region_prefix=region))
                await hazard_ledger(uow, LedgerQuery(region_prefix=region, cursor=cursor, level="major"))
    finally:
        event.remove(db.reader.sync_engine, "before_cursor_execute", record)
    assert len(statements) == 8
    async with db.read() as conn:
        for statement, parameters in statements:
            rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)  # type: ignore[arg-type]
            plan = " / ".join(row[-1] for row in rows)
            assert "TEMP B-TREE" not in plan, plan
            assert "ix_hazard_state_listing_order" in plan or "ix_hazard_state_found" in plan, plan
            if "LIMIT" in statement and "> (" in statement.replace("<", ">"):
                assert "SEARCH" in plan, plan  # the cursor is a seek
