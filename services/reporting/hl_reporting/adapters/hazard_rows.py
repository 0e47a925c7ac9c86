"""Mapping between a `HazardRecord` and its `hazard_state` row."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import RowMapping

from hl_reporting.domain.hazard_record import HazardRecord
from hl_reporting.domain.hazard_timeline import BucketKey, Fact, encode_contributions

_PLAIN = (
    "hazard_id",
    "enterprise_id",
    "enterprise_name",
    "title",
    "region_code",
    "industry",
    "source",
    "level",
    "status",
    "found_at",
    "version",
    "deadline",
    "funds_fen",
    "rectified_at",
    "closed_at",
    "listing_level",
    "listing_authority",
    "listed_at",
    "first_listed_at",
    "delisted_at",
    "overdue_recorded",
    "evidence_count",
)


def record_from(row: RowMapping) -> HazardRecord:
    fields: dict[str, Any] = {name: row[name] for name in _PLAIN}
    return HazardRecord(**fields, facts=[Fact.from_json(raw) for raw in row["facts"]])


def values_of(record: HazardRecord, contributions: dict[BucketKey, int]) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in _PLAIN}
    values["facts"] = [fact.to_json() for fact in record.facts]
    values["contributions"] = encode_contributions(contributions)
    return values
