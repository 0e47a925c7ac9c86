"""Filling a reporting read model straight from hazard histories, without the consumer.

For each hazard: the envelopes are parsed by the contract (`CloudEvent`, `.payload()`), followed by
the reporting domain (`HazardRecord.found` / `.apply`), and its bucket contributions computed by
`HazardRecord.contributions()`; the rows are those `HazardProjection` writes (`hazard_rows.values_of`),
the buckets (daily and the `hazard_totals` roll-up) the sum of every hazard's contributions (the
projection's per-event differences add up to exactly that), and `consumer_progress` records each
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
    from hl_reporting.adapters.hazard_totals import TOTAL_COLUMNS, total_deltas
    from hl_reporting.domain.hazard_record import HazardRecord

    histories = HazardHistories(hazards, seed=seed, now=now, light=True)
    buckets: dict[tuple[Any, ...], int] = defaultdict(int)
    states, progress = [], []
    events = 0
    for chain in histories.by_hazard(start, stop):
        parsed = [CloudEvent.model_validate(item.envelope) for item in chain]
        first = parsed[0]
        record = HazardRecord.found(first, first.payload())  # type: ignore[arg-type]
        for later in parsed[1:]:
            record.apply(later, later.payload())
        contributions = record.contributions()
        for key, delta in contributions.items():
            buckets[key] += delta
        states.append(hazard_rows.values_of(record, contributions))
        progress.append(
            {"consumer": consumer, "aggregate_id": record.hazard_id, "version": record.version, "updated_at": now}
        )
        events += len(parsed)
    daily = [dict(zip(BUCKET_COLUMNS, key, strict=True)) | {"delta": d} for key, d in buckets.items() if d]
    rolled = [dict(zip(TOTAL_COLUMNS, key, strict=True)) | {"delta": d} for key, d in total_deltas(buckets).items()]
    return {"states": states, "progress": progress, "daily": daily, "totals": rolled, "events": events}


def _adding(table: Any) -> Any:
    """An upsert that adds `delta` to a bucket row (chunks of hazards share buckets)."""
    upsert = sqlite.insert(table)
    keys = [column.name for column in table.primary_key.columns]
    return upsert.on_conflict_do_update(index_elements=keys, set_={"delta": table.c.delta + upsert.excluded.delta})


def fill(db_path: Path, *, seed: int, hazards: int, now: datetime, consumer: str, workers: int = 2) -> dict[str, int]:
    from hl_platform.tables import consumer_progress
    from hl_reporting.adapters.tables import hazard_daily, hazard_state, hazard_totals

    engine = create_engine(f"sqlite:///{db_path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=OFF")  # loading only; the service reopens with its own settings
        cursor.close()

    add_daily, add_totals = _adding(hazard_daily), _adding(hazard_totals)
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
                conn.execute(add_totals, part["totals"])
            totals["hazards"] += len(part["states"])
            totals["events"] += part["events"]
    with engine.connect() as conn:
        totals["bucket_rows"] = conn.exec_driver_sql("SELECT count(*) FROM hazard_daily").scalar_one()
        totals["total_rows"] = conn.exec_driver_sql("SELECT count(*) FROM hazard_totals").scalar_one()
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
        rolled = sorted(con.execute("SELECT * FROM hazard_totals WHERE delta != 0").fetchall())
        state = sorted(
            con.execute(
                "SELECT hazard_id, status, level, listing_level, deadline, funds_fen, version, contributions, facts "
                "FROM hazard_state"
            ).fetchall()
        )
    finally:
        con.close()
    return {"daily": daily, "totals": rolled, "state": state}
