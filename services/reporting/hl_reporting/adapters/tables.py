"""The reporting service's read models (beside the platform's consumer bookkeeping).

Report figures come from small pre-aggregated tables, never from a scan of hazards:
- `hazard_daily`: daily delta buckets of the hazard figures (see `domain.hazard_timeline`); a figure
  as of a cut-off is a SUM over rows with cohort_day in [since, cut-off], day ≤ cut-off and
  region_code in the region's code range, so the primary key leads with region_code, cohort_day.
- `hazard_totals`: the same deltas rolled up for the standard window (from 1 January to the 24th):
  per region level (the code cut to 2, 4, 6 and 9 characters), for one industry and for all ("*"),
  with the cohort reduced to its year and the day to its dispatch period, so that a standard table
  sums at most 12 periods per region, however many hazards (see `adapters.hazard_totals`).
- `enforcement_daily`: additive section 三 figures per day (actions, persons, fen).
- `enterprise_marks`: one row per (enterprise, mark, day) for the rows counted in enterprises (家),
  whose distinct enterprises are counted over the window.
`hazard_state` is one row per hazard: the ledger's and the supervision list's source, and the facts
and bucket contributions that let a later event (a void, a back-dated fix) correct the buckets.
`report_submissions` holds the frozen reports; a rebuild never touches it.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from hl_platform.db import UTCDateTime

metadata = MetaData()

Code = String(12)  # region codes: 2, 4, 6 or 9 digits
Key = String(64)  # ids and vocabulary keys

hazard_daily = Table(
    "hazard_daily",
    metadata,
    Column("region_code", Code, primary_key=True),
    Column("cohort_day", Date, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("industry", Key, primary_key=True),
    Column("source", Key, primary_key=True),
    Column("level", Key, primary_key=True),
    Column("listing_level", Key, primary_key=True),  # "" when the figure is not a listing figure
    Column("metric", Key, primary_key=True),
    Column("delta", BigInteger, nullable=False),
)

hazard_totals = Table(
    "hazard_totals",
    metadata,
    Column("depth", SmallInteger, primary_key=True),  # 2 province, 4 city, 6 county/zone, 9 town
    Column("industry", Key, primary_key=True),  # "*" for all industries
    Column("cohort_year", Integer, primary_key=True),
    Column("region_code", Code, primary_key=True),  # the hazard's code cut to `depth` characters
    Column("period", Date, primary_key=True),  # the dispatch period's month (its first day)
    Column("source", Key, primary_key=True),
    Column("level", Key, primary_key=True),
    Column("listing_level", Key, primary_key=True),
    Column("metric", Key, primary_key=True),
    Column("delta", BigInteger, nullable=False),
    sqlite_with_rowid=False,  # the key is the table: a report reads one b-tree, never a row lookup
)

enforcement_daily = Table(
    "enforcement_daily",
    metadata,
    Column("region_code", Code, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("industry", Key, primary_key=True),
    Column("metric", Key, primary_key=True),
    Column("delta", BigInteger, nullable=False),
)

enterprise_marks = Table(
    "enterprise_marks",
    metadata,
    Column("enterprise_id", Key, primary_key=True),
    Column("mark", Key, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("region_code", Code, nullable=False),
    Column("industry", Key, nullable=False),
    Index("ix_enterprise_marks_region_day", "region_code", "day"),
)

enterprise_names = Table(
    "enterprise_names",
    metadata,
    Column("enterprise_id", Key, primary_key=True),
    Column("uscc", String(18), nullable=False),
    Column("name", String(200), nullable=False),
    Column("region_code", Code, nullable=False),
    Column("industry", Key, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_enterprise_names_region", "region_code"),
)

hazard_state = Table(
    "hazard_state",
    metadata,
    Column("hazard_id", Key, primary_key=True),
    Column("enterprise_id", Key, nullable=False),
    Column("enterprise_name", String(200), nullable=False),
    Column("title", String(200), nullable=False),
    Column("region_code", Code, nullable=False),
    Column("industry", Key, nullable=False),
    Column("source", Key, nullable=False),
    Column("level", Key, nullable=False),
    Column("status", Key, nullable=False),
    Column("found_at", UTCDateTime, nullable=False),
    Column("deadline", Date, nullable=True),
    Column("funds_fen", BigInteger, nullable=False),
    Column("rectified_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("listing_level", Key, nullable=True),
    Column("listing_authority", String(200), nullable=True),
    Column("listed_at", UTCDateTime, nullable=True),
    Column("delisted_at", UTCDateTime, nullable=True),
    Column("overdue_recorded", Boolean, nullable=False),
    Column("evidence_count", Integer, nullable=False, default=0, server_default="0"),
    Column("version", Integer, nullable=False),
    Column("facts", JSON, nullable=False),
    Column("contributions", JSON, nullable=False),
    Index("ix_hazard_state_region_found", "region_code", "found_at", "hazard_id"),
    Index("ix_hazard_state_enterprise_found", "enterprise_id", "found_at", "hazard_id"),
    Index("ix_hazard_state_found", "found_at", "hazard_id"),  # the ledger of a province or a city
    # the supervision list of a province or a city: listed hazards only, in list order
    Index(
        "ix_hazard_state_listing_order",
        "listed_at",
        "hazard_id",
        sqlite_where=text("listing_level IS NOT NULL"),
        postgresql_where=text("listing_level IS NOT NULL"),
    ),
)

report_submissions = Table(
    "report_submissions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("period", String(7), nullable=False),
    Column("region_code", Code, nullable=False),
    Column("industry", Key, nullable=False),  # "" for all industries
    Column("since", Date, nullable=False),
    Column("cutoff", Date, nullable=False),
    Column("cutoff_day", Integer, nullable=False),
    Column("region_name", String(200), nullable=False),
    Column("filled_by", String(200), nullable=False),
    Column("reviewed_by", String(200), nullable=False),
    Column("filled_on", Date, nullable=False),
    Column("section4", JSON, nullable=False),
    Column("figures", JSON, nullable=False),
    Column("breakdown", JSON, nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("submitted_by_id", String(200), nullable=False),
    Column("submitted_by_name", String(200), nullable=False),
    Column("submitted_by_role", String(40), nullable=False),
    Column("submitted_by_org", String(200), nullable=False),
    UniqueConstraint("period", "region_code", "industry", name="uq_report_submissions_scope"),
)

# Section 四 row 5 (举报奖励, 其中匿名举报查实奖励): tip rewards paid per region, day and anonymity, in fen
# (see adapters/tip_rewards.py).
tip_reward_daily = Table(
    "tip_reward_daily",
    metadata,
    Column("region_code", Code, primary_key=True),
    Column("day", Date, primary_key=True),
    Column("anonymous", Boolean, primary_key=True),
    Column("amount_fen", BigInteger, nullable=False),
)

READ_MODELS = (
    hazard_daily,
    hazard_totals,
    enforcement_daily,
    enterprise_marks,
    enterprise_names,
    hazard_state,
    tip_reward_daily,
)

# One row (id 1) in the reporting service's own database: which generation serves reads. Absent:
# generation 0, the service's own database. See application/generations.py.
projection_generation = Table(
    "projection_generation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("database_url", Text, nullable=True),
    Column("switched_at", UTCDateTime, nullable=False),
)
