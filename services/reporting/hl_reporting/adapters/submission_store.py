"""Submissions (报送) in `report_submissions`: a frozen table per (period, region, industry), whose
unique key turns a racing second submission into a 409 (the `Submissions` port)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, tuple_
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_contracts import Actor
from hl_platform.errors import Conflict
from hl_platform.sql import in_chunks
from hl_reporting.adapters.bucket_reads import in_region
from hl_reporting.adapters.tables import report_submissions
from hl_reporting.application.pages import CursorPage, check_limit, decode_cursor, encode_cursor
from hl_reporting.application.views import Submission
from hl_reporting.domain.calendar import parse_period
from hl_reporting.domain.report import ComputedTable, Signoff, decode, decode_breakdown, encode, encode_table


async def find(conn: AsyncConnection, period: str, region_code: str, industry: str | None) -> Submission | None:
    row = await _find(conn, period, region_code, industry)
    return _submission(row) if row is not None else None


async def by_id(conn: AsyncConnection, submission_id: str) -> Submission | None:
    query = select(report_submissions).where(report_submissions.c.id == submission_id)
    row = (await conn.execute(query)).mappings().first()
    return _submission(row) if row is not None else None


async def add(conn: AsyncConnection, submission: Submission) -> None:
    try:
        async with conn.begin_nested():
            await conn.execute(insert(report_submissions).values(_values(submission)))
    except IntegrityError as exc:  # another request submitted the same report meanwhile
        table = submission.table
        raced = await _find(conn, table.period, table.region_code, table.industry)
        raise Conflict(
            f"the {table.period} report of {table.region_code} is already submitted",
            existing_id=raced["id"] if raced else None,
        ) from exc


async def page(
    conn: AsyncConnection, *, period: str, region_prefix: str, industry: str | None, cursor: str | None, limit: int
) -> CursorPage[Submission]:
    t = report_submissions
    query = select(t).where(t.c.period == period, in_region(t.c.region_code, region_prefix))
    if industry is not None:
        query = query.where(t.c.industry == industry)
    if cursor:
        code, ind, submission_id = decode_cursor(cursor, 3)
        query = query.where(tuple_(t.c.region_code, t.c.industry, t.c.id) > (code, ind, submission_id))
    query = query.order_by(t.c.region_code, t.c.industry, t.c.id).limit(check_limit(limit) + 1)
    rows = list((await conn.execute(query)).mappings())
    items = [_submission(row) for row in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    return CursorPage(items, encode_cursor(last["region_code"], last["industry"], last["id"]) if last else None)


async def of_regions(conn: AsyncConnection, period: str, region_codes: list[str]) -> list[Submission]:
    t = report_submissions
    found: list[Submission] = []
    for chunk in in_chunks(region_codes):
        query = select(t).where(t.c.period == period, t.c.region_code.in_(chunk))
        found += [_submission(row) for row in (await conn.execute(query)).mappings()]
    return found


async def submitted_at(
    conn: AsyncConnection, period: str, codes: tuple[str, ...], known_at: datetime
) -> dict[str, datetime]:
    if not codes:
        return {}
    t = report_submissions
    query = select(t.c.region_code, t.c.submitted_at).where(
        t.c.period == period, t.c.industry == "", t.c.region_code.in_(codes), t.c.submitted_at <= known_at
    )
    return {row.region_code: row.submitted_at for row in await conn.execute(query)}


async def _find(conn: AsyncConnection, period: str, region_code: str, industry: str | None) -> RowMapping | None:
    t = report_submissions
    query = select(t).where(t.c.period == period, t.c.region_code == region_code, t.c.industry == (industry or ""))
    return (await conn.execute(query)).mappings().first()


def _values(submission: Submission) -> dict[str, Any]:
    table, signoff, actor = submission.table, submission.signoff, submission.submitted_by
    frozen = encode_table(table)
    return {
        "id": submission.id,
        "period": table.period,
        "region_code": table.region_code,
        "industry": table.industry or "",
        "since": table.since,
        "cutoff": table.cutoff,
        "cutoff_day": submission.cutoff_day,
        "region_name": table.region_name,
        "filled_by": signoff.filled_by,
        "reviewed_by": signoff.reviewed_by,
        "filled_on": signoff.filled_on,
        "section4": encode(signoff.section4),
        "figures": frozen["figures"],
        "breakdown": frozen["breakdown"],
        "submitted_at": submission.submitted_at,
        "submitted_by_id": actor.id,
        "submitted_by_name": actor.name,
        "submitted_by_role": actor.role,
        "submitted_by_org": actor.organisation,
    }


def _submission(row: RowMapping) -> Submission:
    table = ComputedTable(
        period=row["period"],
        region_code=row["region_code"],
        region_name=row["region_name"],
        industry=row["industry"] or None,
        since=row["since"],
        cutoff=row["cutoff"],
        figures=decode(row["figures"]),
        breakdown=decode_breakdown(row["breakdown"]),
        as_of=row["submitted_at"],
        computed_at=row["submitted_at"],
        kind=parse_period(row["period"]).kind.value,
        draft=False,
    )
    actor = Actor(
        id=row["submitted_by_id"],
        name=row["submitted_by_name"],
        role=row["submitted_by_role"],
        organisation=row["submitted_by_org"],
    )
    signoff = Signoff(row["filled_by"], row["reviewed_by"], row["filled_on"], decode(row["section4"]))
    return Submission(row["id"], table, row["cutoff_day"], signoff, row["submitted_at"], actor)
