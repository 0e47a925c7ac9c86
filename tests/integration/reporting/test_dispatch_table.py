"""The dispatch table from a month of events with known answers, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import pytest

from hl_catalogue import RegionCatalogue
from hl_contracts import CloudEvent
from hl_platform.db import Database
from hl_platform.errors import InvalidInput, NotFound
from hl_reporting.adapters.bucket_reads import Scope, _daily_sums, _Measured, _own_records, _rollup_sums
from hl_reporting.adapters.projection import EnterpriseProjection, HazardProjection
from hl_reporting.adapters.unit_of_work import SqlUnitOfWork
from hl_reporting.application.queries import dispatch_table
from hl_reporting.domain.calendar import report_window
from hl_reporting.domain.report import ComputedTable
from tests.integration.reporting.conftest import NewDatabase
from tests.integration.reporting.scenario import MAY_WEIHAI, enterprise_streams, hazard_streams, interleave

CATALOGUE = RegionCatalogue.load_default()


async def project(db: Database, events: list[CloudEvent]) -> None:
    """Apply events straight to the projections (in-order delivery, no consumer bookkeeping)."""
    hazards, enterprises = HazardProjection(), EnterpriseProjection()
    async with db.write() as conn:
        for event in events:
            await (hazards if event.type.startswith("hazard.") else enterprises).apply(conn, event)


def scenario_events() -> list[CloudEvent]:
    return interleave([*hazard_streams("t").values(), *enterprise_streams("t").values()])


@pytest.fixture
async def db(new_database: NewDatabase) -> AsyncIterator[Database]:
    database = Database(await asyncio.to_thread(new_database))
    await project(database, scenario_events())
    yield database
    await database.dispose()


async def table(
    db: Database,
    period: str = "2024-05",
    region: str = "3710",
    *,
    industry: str | None = None,
    since: date | None = None,
    cutoff_day: int = 24,
) -> ComputedTable:
    async with SqlUnitOfWork(db, write=False) as uow:
        return await dispatch_table(
            uow,
            period=period,
            region_code=region,
            catalogue=CATALOGUE,
            industry=industry,
            since=since,
            cutoff_day=cutoff_day,
        )


async def test_every_row_of_the_may_table_for_weihai(db: Database) -> None:
    result = await table(db)
    assert {key: result.figures[key] for key in MAY_WEIHAI} == MAY_WEIHAI
    assert (result.region_name, result.since, result.cutoff) == ("威海市", date(2024, 1, 1), date(2024, 5, 24))


async def test_cut_off_is_the_end_of_the_24th_in_shanghai(db: Database) -> None:
    may = await table(db)
    assert may.figures["self_inspection_major_found"] == 3  # H2 at 23:30 on the 24th; not H3 at 00:10 on the 25th
    june = await table(db, "2024-06")
    assert june.figures["self_inspection_major_found"] == 4  # now H3 too


async def test_rejection_reclassification_and_overdue_move_on_their_own_days(db: Database) -> None:
    on_15th = await table(db, cutoff_day=15)
    assert on_15th.figures["department_inspection_major_rectified"] == 1  # H4 rectified on the 14th …
    on_16th = await table(db, cutoff_day=16)
    assert on_16th.figures["department_inspection_major_rectified"] == 0  # … and rejected on the 16th
    on_21st = await table(db, cutoff_day=21)
    assert on_21st.figures["self_inspection_major_found"] == 1  # H10 is still general
    assert on_21st.figures["general_found"] == 2
    assert on_21st.figures["overdue"] == 2  # H4 (deadline 15th) and H12 (deadline 20th)
    assert on_16th.figures["overdue"] == 1  # H4 only: rejected after its deadline
    assert on_15th.figures["overdue"] == 0  # a deadline is the end of its day


async def test_back_dated_events_land_in_their_own_period(db: Database) -> None:
    april = await table(db, "2024-04")
    assert april.figures["major_found"] == 2  # H8 (10 April) and H9 (20 April, recorded in May)
    assert april.figures["department_inspection_major_found"] == 1
    assert april.figures["department_inspection_major_rectified"] == 0  # H8's fix is dated 20 May
    assert april.figures["enterprises_inspected"] == 1  # E3 on 3 April


async def test_since_selects_the_cohort_of_hazards_found_from_then(db: Database) -> None:
    from_december = await table(db, since=date(2023, 12, 1))
    assert from_december.figures["self_inspection_major_found"] == 4  # H14 joins …
    assert from_december.figures["self_inspection_major_rectified"] == 2  # … with its May fix
    assert from_december.figures["deficiency_outsourcing_chaos"] == 1  # E3 on 20 December
    from_may = await table(db, since=date(2024, 5, 1))
    assert from_may.figures["department_inspection_major_found"] == 3  # H8 (April) left out
    assert from_may.figures["department_inspection_major_rectified"] == 1  # and its May fix with it


async def test_breakdown_per_child_region_adds_up(db: Database) -> None:
    result = await table(db)
    rows = {row.region_code: row for row in result.breakdown}
    assert [row.region_code for row in result.breakdown] == [r.code for r in CATALOGUE.children("3710")]
    huancui, wendeng, gaoqu = rows["371002"], rows["371003"], rows["371071"]
    assert huancui.region_name == "环翠区"
    assert huancui.figures["self_inspection_major_found"] == 3
    assert huancui.figures["major_found"] == 6
    assert huancui.figures["listed_province"] == 1
    assert wendeng.figures["overdue"] == 2 and wendeng.figures["department_inspection_major_found"] == 2
    assert gaoqu.figures["listed_major_rectified"] == 1 and gaoqu.figures["general_found"] == 1
    assert rows["371082"].figures["major_found"] == 0
    for key in ("major_found", "overdue", "listed_major", "assistance_visits", "enterprises_inspected"):
        assert sum(int(row.figures[key] or 0) for row in result.breakdown) == result.figures[key]
    amounts = [row.figures["administrative_penalty_amount_wan"] for row in result.breakdown]
    assert sum(Decimal(str(amount or 0)) for amount in amounts) == Decimal("4.75")


async def test_a_county_rolls_up_its_towns_and_its_own_records(db: Database) -> None:
    result = await table(db, region="371002")
    assert result.figures["major_found"] == 6
    rows = {row.region_code: row for row in result.breakdown}
    assert rows["371002100"].figures["self_inspection_major_found"] == 2  # H1, H10
    assert rows["371002101"].figures["self_inspection_major_found"] == 1  # H2
    assert rows["371002"].region_name == "环翠区(本级)"
    assert rows["371002"].figures["major_found"] == 1  # H9 recorded at county level
    town = await table(db, region="371002100")
    assert town.breakdown == () and town.figures["self_inspection_major_found"] == 2
    province = await table(db, region="37")
    assert province.figures["self_inspection_major_found"] == 4  # Jinan's H13 too
    assert {row.region_code for row in province.breakdown} >= {"3701", "3710"}


async def test_one_industry(db: Database) -> None:
    result = await table(db, industry="construction")
    assert result.figures["department_inspection_major_found"] == 1  # H5
    assert result.figures["listed_major_rectified"] == 1
    assert result.figures["general_rectified"] == 1  # H11
    assert result.figures["self_inspection_major_found"] == 0
    assert result.figures["enterprises_inspected"] == 1  # E3
    assert result.figures["exposed_interviewed_punished"] == 1
    assert result.figures["rectification_rate"] == Decimal("100.00")


async def test_bad_parameters(db: Database) -> None:
    with pytest.raises(InvalidInput):
        await table(db, "2024-13")
    with pytest.raises(InvalidInput):
        await table(db, industry="shipping")
    with pytest.raises(InvalidInput):
        await table(db, since=date(2024, 6, 1))
    with pytest.raises(NotFound):
        await table(db, region="9999")


@pytest.mark.parametrize("region", ["", "37", "3710", "371002", "371002100", "371003"])
async def test_the_roll_up_answers_every_window_as_the_daily_buckets_do(db: Database, region: str) -> None:
    """Any since and cut-off the roll-up serves sums, region by region, to the daily buckets' sums."""
    children = tuple(child.code for child in CATALOGUE.children(region))
    compared = served = 0
    async with db.read() as conn:
        for period in ("2023-12", "2024-01", "2024-04", "2024-05", "2024-06", "2025-01"):
            for cutoff_day in (24, 15, 31):
                cutoff = report_window(period, cutoff_day=cutoff_day).cutoff
                for since in (date(2023, 1, 1), date(cutoff.year, 1, 1), date(2024, 5, 1), date(2023, 12, 15)):
                    if since > cutoff:
                        continue
                    for industry in (None, "construction", "hazardous_chemicals"):
                        scope = Scope(region, since, cutoff, industry, children)
                        rolled, daily = _Measured(), _Measured()
                        if not await _rollup_sums(conn, scope, rolled):
                            continue
                        _own_records(scope, rolled)
                        await _daily_sums(conn, scope, daily)
                        served += 1
                        assert _nonzero(rolled.rows.get("")) == _nonzero(daily.rows.get(""))
                        for code in children:
                            assert _nonzero(rolled.rows.get(code)) == _nonzero(daily.rows.get(code)), code
                        compared += bool(_nonzero(daily.rows.get("")))
    assert compared >= 5 and served > 50  # the scenario has figures in these windows, not only zeros


def _nonzero(measures: dict[str, int] | None) -> dict[str, int]:
    return {key: value for key, value in (measures or {}).items() if value}


@pytest.mark.parametrize(
    ("since", "cutoff", "served"),
    [
        (date(2024, 2, 1), date(2024, 5, 24), True),
        (date(2024, 2, 10), date(2024, 5, 24), True),
        (date(2024, 1, 1), date(2024, 5, 31), True),
        (date(2024, 2, 10), date(2024, 5, 31), False),  # no grain: the daily buckets answer
    ],
)
async def test_which_windows_the_roll_up_serves(db: Database, since: date, cutoff: date, served: bool) -> None:
    async with db.read() as conn:
        assert await _rollup_sums(conn, Scope("3710", since, cutoff, None, ("371002",)), _Measured()) is served
