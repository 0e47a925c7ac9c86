"""The second write baseline: what a user would build instead of Hazard Ledger — one FastAPI +
SQLAlchemy process that stores the reported hazard as one row of a `hazards` table in SQLite.

The same body (the public `HazardCreate` schema, so the same validation) and answer as
`bench/baseline_app.py`, uvicorn with the settings `hl_stack serve` uses, and the same file settings
as `hl_platform.db` (WAL, `synchronous=NORMAL`, a busy timeout, foreign keys on). Written the way
FastAPI's own SQL tutorial does it: a plain SQLAlchemy ORM model, a `Session` per request from a
dependency, a sync path operation (FastAPI runs it on its thread pool), one INSERT and a commit.
No event, no outbox, no auth, no read model — and SQLite's default auto-checkpoint, as a user has it.

Run: python -m bench.crud_peer_app PORT DATABASE_FILE

(No `from __future__ import annotations`: FastAPI resolves the route's `Annotated` dependency,
local to `create_app`, from the live annotation.)
"""

import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Response
from sqlalchemy import DateTime, String, Text, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from hl_api.hazards import HazardCreate
from hl_platform.db import SQLITE_BUSY_TIMEOUT_MS


class Base(DeclarativeBase):
    pass


class HazardRow(Base):
    __tablename__ = "hazards"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    found_by: Mapped[str] = mapped_column(String(200))
    rectify_immediately: Mapped[bool]
    deadline: Mapped[str | None] = mapped_column(String(10))
    production_halt: Mapped[str | None] = mapped_column(String(16))
    standard_clause: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def create_app(database_file: str) -> FastAPI:
    engine = create_engine(f"sqlite:///{database_file}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    Base.metadata.create_all(engine)

    def session() -> Iterator[Session]:
        with Session(engine) as db:
            yield db

    app = FastAPI(title="bench CRUD peer")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/hazards", status_code=201)
    def report(body: HazardCreate, response: Response, db: Annotated[Session, Depends(session)]) -> dict[str, Any]:
        row = HazardRow(
            id=str(uuid.uuid4()),
            status="reported",
            created_at=datetime.now(UTC),
            **body.model_dump(mode="python", exclude={"deadline"}),
            deadline=body.deadline.isoformat() if body.deadline else None,
        )
        db.add(row)
        db.commit()
        response.headers["Location"] = f"/api/v1/hazards/{row.id}"
        response.headers["ETag"] = '"1"'
        return {"id": row.id, "version": 1, "status": "reported", **body.model_dump(mode="json")}

    return app


def main() -> None:
    import uvicorn

    port, database_file = int(sys.argv[1]), sys.argv[2]
    # The same uvicorn settings as `hl_stack serve` (hl_stack/cli.py) and bench/baseline_app.py.
    uvicorn.run(
        create_app(database_file),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
