"""Reads and writes of `enterprise_directory`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hl_enterprise.adapters.tables import enterprise_directory
from hl_enterprise.application.ports import EnterpriseFilters
from hl_enterprise.application.views import enterprise_view
from hl_enterprise.domain.model import Enterprise
from hl_platform.cursors import decode_cursor, encode_cursor


async def save_entry(conn: AsyncConnection, enterprise: Enterprise) -> None:
    """Replace the enterprise's row (a new uscc row fails on the unique index: a duplicate)."""
    await conn.execute(delete(enterprise_directory).where(enterprise_directory.c.id == enterprise.id))
    await conn.execute(
        insert(enterprise_directory).values(
            id=enterprise.id,
            version=enterprise.version,
            uscc=enterprise.uscc,
            name=enterprise.details["name"],
            region_code=enterprise.region_code,
            industry=enterprise.industry,
            closed=enterprise.is_closed,
            blacklisted=enterprise.is_blacklisted,
            snapshot=enterprise_view(enterprise),
        )
    )


async def id_by_uscc(conn: AsyncConnection, uscc: str) -> str | None:
    return await conn.scalar(select(enterprise_directory.c.id).where(enterprise_directory.c.uscc == uscc))


async def list_page(
    conn: AsyncConnection, filters: EnterpriseFilters, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    c = enterprise_directory.c
    query = select(c.id, c.snapshot).where(c.region_code.startswith(filters.region_code, autoescape=True))
    if filters.industry:
        query = query.where(c.industry == filters.industry)
    if filters.q:
        query = query.where(or_(c.name.contains(filters.q, autoescape=True), c.uscc == filters.q.upper()))
    if cursor:
        query = query.where(c.id > decode_cursor(cursor))
    rows = (await conn.execute(query.order_by(c.id).limit(limit + 1))).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].id) if len(rows) > limit and page else None
    return [row.snapshot for row in page], next_cursor
