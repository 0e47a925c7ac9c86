"""Filling a reporting read model straight from hazard histories, without the consumer.

For each hazard: the envelopes are parsed by the contract (`CloudEvent`, `.payload()`), followed by
the reporting domain (`HazardRecord.found` / `.apply`), event by event, and each event's difference
to the hazard's steps kept with its recorded time (`projection.change_of`), exactly as
`HazardProjection` does; the rows are those it writes (`hazard_rows.values_of`, the daily buckets,
the roll-ups and the change log through `rollup_writes.Batch`), and `consumer_progress` records each
hazard as applied by the live durable. Only the I/O differs: bulk inserts in large transactions,
the rows computed by worker processes.
`replay.py` checks the result is identical to what the real consumer builds from the same events.
"""

from __future__ import annotations

import multiprocessing
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, insert
from sqlalchemy.dialects import sqlite

BUCKET_COLUMNS = ("day", "cohort_day", "region_code", "industry", "source", "level", "listing_level", "metric")
CHUNK = 4000


def rows_for(seed: int, hazards: int, now: datetime, start: int, stop: int, consumer: str) -> dict[str, Any]:
    """The projection's rows for hazards [start, stop) of a history set (runs in a worker process)."""
    from bench.datagen import HazardHistories
    from hl_contracts import CloudEvent
    from hl_reporting.adapters import hazard_rows
    from hl_reporting.adapters.projection import change_of
    from hl_reporting.adapters.rollup_writes import Batch
    from hl_reporting.domain.hazard_record import HazardRecord
    from hl_reporting.domain.hazard_timeline import difference

    histories = HazardHistories(hazards, seed=seed, now=now, light=True)
    buckets: dict[tuple[Any, ...], int] = defaultdict(int)
    states, progress = [], []
    events = 0
    batch = Batch()
    for chain in histories.by_hazard(start, stop):
        parsed = [CloudEvent.model_validate(item.envelope) for item in chain]
        first = parsed[0]
        record = HazardRecord.found(first, first.payload())  # type: ignore[arg-type]
        contributions: dict[Any, int] = {}
        for index, event_ in enumerate(parsed):
            if index:
                record.apply(event_, event_.payload())
            after = record.contributions()
            moved = difference(contributions, after)
            if moved:
                batch.add(change_of(record, event_, moved))
            contributions = after
        for key, delta in contributions.items():
            buckets[key] += delta
        states.append(hazard_rows.values_of(record, contributions))
        progress.append(
            {"consumer": consumer, "aggregate_id": record.hazard_id, "version": record.version, "updated_at": now}
        )
        events += len(parsed)
    daily = [dict(zip(BUCKET_COLUMNS, key, strict=True)) | {"delta": d} for key, d in buckets.items() if d]
    return {
        "states": states,
        "progress": progress,
        "daily": daily,
        "rollup": dict(batch.rollup),
        "late": dict(batch.late),
        "changes": batch.changes,
        "events": events,
    }


def _adding(table: Any) -> Any:
    """An upsert that adds `delta` to a bucket row (chunks of hazards share buckets)."""
    upsert = sqlite.insert(table)
    keys = [column.name for column in table.primary_key.columns]
    return upsert.on_conflict_do_update(index_elements=keys, set_={"delta": table.c.delta + upsert.excluded.delta})


def _adding_wide(table: Any) -> Any:
    """An upsert that adds every measure to a roll-up row (chunks of hazards share rows)."""
    from hl_reporting.domain.measures import MEASURES

    upsert = sqlite.insert(table)
    keys = [column.name for column in table.primary_key.columns]
    sums = {name: table.c[name] + upsert.excluded[name] for name in MEASURES}
    return upsert.on_conflict_do_update(index_elements=keys, set_=sums)


def fill(db_path: Path, *, seed: int, hazards: int, now: datetime, consumer: str, workers: int = 2) -> dict[str, int]:
    from hl_platform.tables import consumer_progress
    from hl_reporting.adapters.rollup_writes import LATE_KEY, ROLLUP_KEY, as_values
    from hl_reporting.adapters.tables import (
        hazard_changes,
        hazard_daily,
        hazard_late_rollup,
        hazard_rollup,
        hazard_state,
    )

    engine = create_engine(f"sqlite:///{db_path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=OFF")  # loading only; the service reopens with its own settings
        cursor.close()

    add_daily, add_rollup, add_late = (
        _adding(hazard_daily),
        _adding_wide(hazard_rollup),
        _adding_wide(hazard_late_rollup),
    )
    totals = {"hazards": 0, "events": 0}
    ranges = [(start, min(start + CHUNK, hazards)) for start in range(0, hazards, CHUNK)]
    context = multiprocessing.get_context("spawn")  # never fork a process with threads and an event loop
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(rows_for, seed, hazards, now, a, b, consumer) for a, b in ranges]
        for future in futures:
            part = future.result()
            with engine.begin() as conn:
                conn.execute(insert(hazard_state), part["states"])
                conn.execute(insert(consumer_progress), part["progress"])
                conn.execute(add_daily, part["daily"])
                conn.execute(add_rollup, as_values(ROLLUP_KEY, part["rollup"]))
                if part["late"]:
                    conn.execute(add_late, as_values(LATE_KEY, part["late"]))
                if part["changes"]:
                    conn.execute(insert(hazard_changes), part["changes"])
            totals["hazards"] += len(part["states"])
            totals["events"] += part["events"]
    with engine.connect() as conn:
        totals["bucket_rows"] = conn.exec_driver_sql("SELECT count(*) FROM hazard_daily").scalar_one()
        totals["rollup_rows"] = conn.exec_driver_sql("SELECT count(*) FROM hazard_rollup").scalar_one()
        totals["change_rows"] = conn.exec_driver_sql("SELECT count(*) FROM hazard_changes").scalar_one()
    engine.dispose()
    return totals


def snapshot(db_path: Path) -> dict[str, Any]:
    """The read model's content, order-free (for comparing two ways of building it)."""
    import sqlite3

    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        daily = sorted(
            con.execute(
                "SELECT region_code, cohort_day, day, industry, source, level, listing_level, metric, delta "
                "FROM hazard_daily WHERE delta != 0"
            ).fetchall()
        )
        rolled = sorted(con.execute("SELECT * FROM hazard_rollup").fetchall())
        late = sorted(con.execute("SELECT * FROM hazard_late_rollup").fetchall())
        changes = sorted(
            tuple(row[1:]) for row in con.execute("SELECT * FROM hazard_changes").fetchall()
        )  # not the id: the order rows were written in
        state = sorted(
            con.execute(
                "SELECT hazard_id, status, level, listing_level, deadline, funds_fen, version, contributions, facts "
                "FROM hazard_state"
            ).fetchall()
        )
    finally:
        con.close()
    rolled = [row for row in rolled if any(row[7:])]  # rows whose steps cancelled out count for nothing
    late = [row for row in late if any(row[8:])]
    return {"daily": daily, "rollup": rolled, "late": late, "changes": changes, "state": state}
