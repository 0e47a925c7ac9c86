"""The reporting service's read models (beside the platform's consumer bookkeeping).

Report figures come from small pre-aggregated tables, never from a scan of hazards:
- `hazard_daily`: daily delta buckets of the hazard figures (see `domain.hazard_timeline`); a figure
  as of a cut-off is a SUM over rows with cohort_day in [since, cut-off], day ≤ cut-off and
  region_code in the region's code range, so the primary key leads with region_code, cohort_day.
- `hazard_rollup`: the same steps rolled up per region level (the code cut to 2, 4, 6 and 9
  characters), for one industry and for all ("*"), at four (cohort, day) grains, one wide row per
  key with a column per measure (`domain.measures`): any window is at most four ranges of rows per
  region, however many hazards (see `domain.rollup`).
- `hazard_late_rollup`: the steps recorded after the day they land on, by when they became known:
  what an as-of report takes back from the live figures.
- `hazard_changes`: every event's steps with its business and recorded times (the bitemporal
  detail): the part of a day before an as-of moment, and the facts a comparison names.
- `enforcement_daily`: additive section 三 figures per day (actions, persons, fen), and
  `enforcement_changes` the same per event with its recorded time.
- `enterprise_marks`: one row per (enterprise, mark, day) for the rows counted in enterprises (家),
  whose distinct enterprises are counted over the window; with when each was first recorded.
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
from hl_reporting.domain.measures import MEASURES

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


def _measure_columns() -> list[Column[int]]:
    return [Column(name, BigInteger, nullable=False, server_default="0") for name in MEASURES]


hazard_rollup = Table(
    "hazard_rollup",
    metadata,
    Column("depth", SmallInteger, primary_key=True),  # 2 province, 4 city, 6 county/zone, 9 town
    Column("industry", Key, primary_key=True),  # "*" for all industries
    Column("cohort_grain", String(1), primary_key=True),  # y, m, d (see domain.rollup)
    Column("day_grain", String(1), primary_key=True),  # p (dispatch period), d
    Column("region_code", Code, primary_key=True),  # the hazard's code cut to `depth` characters
    Column("cohort", Date, primary_key=True),  # the cohort's year, month or day (its first day)
    Column("day", Date, primary_key=True),  # the dispatch period's month (its first day), or the day
    *_measure_columns(),
    sqlite_with_rowid=False,  # the key is the table: a report reads one b-tree, never a row lookup
)

hazard_late_rollup = Table(
    "hazard_late_rollup",
    metadata,
    Column("depth", SmallInteger, primary_key=True),
    Column("industry", Key, primary_key=True),
    Column("known_grain", String(1), primary_key=True),  # m, d: when the step became known
    Column("day_grain", String(1), primary_key=True),  # p, d: the day it lands on
    Column("cohort_year", Integer, primary_key=True),
    Column("region_code", Code, primary_key=True),
    Column("known", Date, primary_key=True),
    Column("day", Date, primary_key=True),
    *_measure_columns(),
    sqlite_with_rowid=False,
)

hazard_changes = Table(
    "hazard_changes",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("hazard_id", Key, nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_type", Key, nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),  # the fact's business time
    Column("recorded_at", UTCDateTime, nullable=False),  # when it became known (never earlier than before)
    Column("region_code", Code, nullable=False),
    Column("industry", Key, nullable=False),
    Column("cohort_day", Date, nullable=False),
    Column("day", Date, nullable=False),
    Column("late", Boolean, nullable=False),  # known after the day it lands on
    *_measure_columns(),
    Index("ix_hazard_changes_recorded", "recorded_at"),
    Index(
        "ix_hazard_changes_late",
        "recorded_at",
        sqlite_where=text("late"),
        postgresql_where=text("late"),
    ),
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
    Column("recorded_at", UTCDateTime, nullable=True),  # when first recorded; null: before it was kept
    Index("ix_enterprise_marks_region_day", "region_code", "day"),
)

enforcement_changes = Table(
    "enforcement_changes",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("enterprise_id", Key, nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_type", Key, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("region_code", Code, nullable=False),
    Column("industry", Key, nullable=False),
    Column("day", Date, nullable=False),
    Column("metric", Key, nullable=False),
    Column("delta", BigInteger, nullable=False),
    Index("ix_enforcement_changes_recorded", "recorded_at"),
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
    Column("first_listed_at", UTCDateTime, nullable=True),  # the first listing's time (as-of lists)
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
    # the supervision list as known at a moment: listed hazards in the order they were first listed
    Index(
        "ix_hazard_state_first_listing_order",
        "first_listed_at",
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
    hazard_rollup,
    hazard_late_rollup,
    hazard_changes,
    enforcement_daily,
    enforcement_changes,
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
