"""Section 四 row 5 from the tips stream: rewards paid (举报奖励) and, of them, anonymous ones
(其中匿名举报查实奖励), by the day they were paid, per region, each paid reward counted once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal

import pytest

from hl_catalogue import RegionCatalogue
from hl_contracts import Actor, CloudEvent
from hl_contracts.tips import TipRewardApproved, TipRewardPaid
from hl_platform.consumer import ConsumerRunner
from hl_platform.db import Database
from hl_reporting.adapters.tip_rewards import TIPS_SPEC, TipRewardProjection
from hl_reporting.adapters.unit_of_work import SqlUnitOfWork
from hl_reporting.application.queries import dispatch_table
from tests.integration.reporting.conftest import NewDatabase
from tests.integration.reporting.scenario import at

pytestmark = pytest.mark.asyncio
CATALOGUE = RegionCatalogue.load_default()
OFFICER = Actor(id="u-insp", name="王检查", role="inspector")


@pytest.fixture
async def db(new_database: NewDatabase) -> AsyncIterator[Database]:
    database = Database(new_database())
    yield database
    await database.dispose()


def _paid(tip_id: str, region: str, yuan: str, paid_at: datetime, anonymous: bool) -> list[CloudEvent]:
    """A tip's approval (version 1 here) and its payment (version 2)."""
    events = []
    for version, data in enumerate(
        (
            TipRewardApproved(amount_yuan=Decimal(yuan), approved_by="局长", approved_at=paid_at),
            TipRewardPaid(amount_yuan=Decimal(yuan), paid_at=paid_at, method="cash", anonymous=anonymous),
        ),
        start=1,
    ):
        events.append(
            CloudEvent.create(
                data=data,
                service="tip",
                aggregate_id=tip_id,
                sequence=version,
                region_code=region,
                industry="other",
                actor=OFFICER,
                time=paid_at,
            )
        )
    return events


def _row5(figures: object) -> tuple[object, object]:
    values = dict(figures)  # type: ignore[call-overload]
    return values["report_rewards_wan"], values["anonymous_report_rewards_wan"]


async def test_paid_rewards_fill_row_5_by_the_day_they_were_paid(db: Database) -> None:
    events = [
        *_paid("tip-a", "371002", "30000", at(5, 10), anonymous=True),  # 3 万元, anonymous
        *_paid("tip-b", "371003", "3000", at(5, 24, 23, 30), anonymous=False),  # the cut-off day, late evening
        *_paid("tip-c", "371002", "500", at(5, 25, 0, 10), anonymous=True),  # after the cut-off: next period
        *_paid("tip-d", "370102", "80000", at(5, 12), anonymous=True),  # 济南: outside Weihai
    ]
    runner = ConsumerRunner(db, lambda: None, TIPS_SPEC, TipRewardProjection())  # type: ignore[arg-type, return-value]
    async with db.write() as conn:
        await runner.apply_events(conn, events + events[:3])  # redeliveries are counted once
    async with SqlUnitOfWork(db, write=False) as uow:
        table = await dispatch_table(uow, period="2024-05", region_code="3710", catalogue=CATALOGUE)
        june = await dispatch_table(uow, period="2024-06", region_code="3710", catalogue=CATALOGUE)
        province = await dispatch_table(uow, period="2024-05", region_code="37", catalogue=CATALOGUE)
    assert _row5(table.figures) == (Decimal("3.3000"), Decimal("3.0000"))
    by_region = {row.region_code: _row5(row.figures) for row in table.breakdown}
    assert by_region["371002"] == (Decimal("3.0000"), Decimal("3.0000"))
    assert by_region["371003"] == (Decimal("0.3000"), Decimal("0.0000"))
    assert _row5(june.figures) == (Decimal("3.3500"), Decimal("3.0500"))  # cumulative from 1 January
    assert _row5(province.figures) == (Decimal("11.3000"), Decimal("11.0000"))
