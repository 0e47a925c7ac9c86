"""Tip rewards into section 四 row 5 of the dispatch table: 举报奖励(万元) and, of them,
其中匿名举报查实奖励(万元), computed from the tips stream instead of typed in at submission.

A reward counts on the day it was paid (`tip.reward_paid`, Asia/Shanghai), in the tip's region;
every paid reward is of a verified tip, so the anonymous part is the 匿名举报查实 figure. The other
tip events move the consumer's position and nothing else. The rows are additive deltas per
(region, day, anonymous), so a figure as of any cut-off is a small range sum, as for the hazards.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import CloudEvent
from hl_contracts.registry import UnknownEventType
from hl_contracts.tips import TipRewardPaid
from hl_platform.nats_io import ConsumerSpec
from hl_platform.sql import dialect_insert
from hl_reporting.adapters.tables import tip_reward_daily
from hl_reporting.domain.calendar import business_day

TIPS_SPEC = ConsumerSpec(stream="HL_TIPS", durable="reporting-tip")
TOTAL, ANONYMOUS = "report_rewards_fen", "anonymous_report_rewards_fen"
FEN_PER_YUAN = 100


class TipRewardProjection:
    """Adds each paid reward to its day's row (the consumer applies a tip's events once, in order)."""

    async def apply(self, conn: AsyncConnection, event: CloudEvent) -> None:
        if event.type != TipRewardPaid.event_type:
            return
        try:
            paid = event.payload()
        except UnknownEventType:  # a newer version than this build knows: skipped, never stalls
            return
        assert isinstance(paid, TipRewardPaid)
        row = {
            "region_code": event.regioncode,
            "day": business_day(paid.paid_at),
            "anonymous": paid.anonymous,
            "amount_fen": int(paid.amount_yuan * FEN_PER_YUAN),
        }
        stmt = dialect_insert(conn.dialect, tip_reward_daily).values(row)
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["region_code", "day", "anonymous"],
                set_={"amount_fen": tip_reward_daily.c.amount_fen + stmt.excluded.amount_fen},
            )
        )


async def reward_sums(
    conn: AsyncConnection, prefix: str, since: date, cutoff: date, child_length: int | None
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Rewards paid in the window under `prefix`, in fen: (total, by child region), each {TOTAL, ANONYMOUS}."""
    t = tip_reward_daily
    child = func.substr(t.c.region_code, 1, child_length or 0).label("child")
    query = select(t.c.anonymous, func.sum(t.c.amount_fen), child).where(
        t.c.region_code.startswith(prefix, autoescape=True), t.c.day >= since, t.c.day <= cutoff
    )
    total = {TOTAL: 0, ANONYMOUS: 0}
    by_child: dict[str, dict[str, int]] = {}
    for anonymous, amount, code in await conn.execute(query.group_by(t.c.anonymous, child)):
        fen = int(amount or 0)
        targets = [total, by_child.setdefault(code, {TOTAL: 0, ANONYMOUS: 0})] if child_length else [total]
        for sums in targets:
            sums[TOTAL] += fen
            sums[ANONYMOUS] += fen if anonymous else 0
    return total, by_child
