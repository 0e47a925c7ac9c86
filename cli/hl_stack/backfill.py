"""`./hl backfill FILE`: hazards with their history from an NDJSON, CSV or xlsx file, sent through
the gateway in batches (`POST /api/v1/hazard-backfills`) with a progress bar and a summary.

The layouts are in docs/BACKFILL.md: NDJSON holds one API item per line; CSV and xlsx hold one row
per step, a hazard's rows together (its `found` row first), columns named as the API's fields.
Each item is checked against the API's schema here first (`hl_api.backfill.BackfillItem`), so a
typo in one row is reported with its row and field and never holds back the rest of its batch;
the domain rules are the service's. Exit status: 0 all created or duplicate, 1 some invalid, 2 the
file or the gateway could not be used.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from hl_api.backfill import MAX_ITEMS, PATH, BackfillItem
from hl_stack.commands import SubParsers, command, parsers
from hl_stack.state import default_data_dir, running_stack

console = Console(stderr=True)
SHANGHAI = ZoneInfo("Asia/Shanghai")  # a spreadsheet's time without an offset is local time
FOUND = "found"  # the `step` of a hazard's first row: its report
ITEM_COLUMNS = ("key", "step")
ACTOR_COLUMNS = ("actor_role", "actor_name", "actor_organisation", "actor_level")
TIMES = {"found_at", "decided_at", "completed_at", "escalated_at", "delisted_at", "approved_at", "received_at"}
DATES = {"deadline", "new_deadline"}
BOOLEANS = {"rectify_immediately", "accepted"}
TRUE, FALSE = {"true", "yes", "1", "是"}, {"false", "no", "0", "否"}
SHOWN_PROBLEMS = 20
RESENDS = 3


class FileUnusable(Exception):
    """The file cannot be read as a backfill (its type, its header, its encoding)."""


@dataclass
class Entry:
    """One item read from the file: where it came from (a line, or a row per step) and what it is."""

    rows: list[int]
    item: dict[str, Any] | None = None
    problem: tuple[str, str] | None = None  # (JSON pointer, reason) when the schema refused it
    result: dict[str, Any] = field(default_factory=dict)

    def row_of(self, pointer: str) -> int:
        """The file's row (or line) a pointer into the item points at."""
        parts = pointer.split("/")
        if len(parts) > 2 and parts[1] == "steps" and parts[2].isdigit() and int(parts[2]) + 1 < len(self.rows):
            return self.rows[int(parts[2]) + 1]
        return self.rows[0]


@parsers
def _parsers(sub: SubParsers) -> None:
    parser = sub.add_parser("backfill", help="send hazards with their history from a .ndjson, .csv or .xlsx file")
    parser.add_argument("file", type=Path)
    parser.add_argument("--url", default=None, help="the gateway (default: the stack running on --data-dir)")
    parser.add_argument("--api-key", default=None, help="default HL_API_KEY, else HL_DEV_ADMIN_KEY")
    parser.add_argument("--batch", type=int, default=MAX_ITEMS, help=f"items per request (at most {MAX_ITEMS})")
    parser.add_argument("--data-dir", type=Path, default=None, help="the data folder of the stack (default ./data)")


@command("backfill")
def _backfill(args: argparse.Namespace) -> int:
    key = args.api_key or os.environ.get("HL_API_KEY") or os.environ.get("HL_DEV_ADMIN_KEY")
    url = args.url or _stack_url(args.data_dir)
    if not key or not url:
        console.print("[red]name the gateway (--url, or a running ./hl up) and an API key (--api-key or HL_API_KEY)[/]")
        return 2
    try:
        entries = read_entries(args.file)
    except (FileUnusable, OSError, UnicodeDecodeError) as exc:
        console.print(f"[red]cannot read {args.file}: {exc}[/]")
        return 2
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
        try:
            send(client, entries, max(1, min(args.batch, MAX_ITEMS)), args.file.name)
        except GatewayRefused as exc:
            console.print(f"[red]the gateway refused a batch: {exc}[/]")
            return 2
    return summarise(entries)


def _stack_url(data_dir: Path | None) -> str | None:
    state = running_stack(default_data_dir(data_dir))
    return state.gateway_url if state else None


# -- reading -------------------------------------------------------------------------------------


def read_entries(path: Path) -> list[Entry]:
    """Every item of the file, checked against the API's schema."""
    suffix = path.suffix.lower()
    if suffix in (".ndjson", ".jsonl"):
        entries = list(_ndjson(path))
    elif suffix in (".csv", ".xlsx"):
        entries = list(_grouped(_csv_rows(path) if suffix == ".csv" else _xlsx_rows(path)))
    else:
        raise FileUnusable(f"expected a .ndjson, .jsonl, .csv or .xlsx file, not {suffix or 'no suffix'}")
    for entry in entries:
        if entry.item is not None and entry.problem is None:
            entry.problem = _schema_problem(entry.item)
    return entries


def _ndjson(path: Path) -> Iterator[Entry]:
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Entry([number], problem=("", f"not JSON: {exc.msg}"))
                continue
            yield (
                Entry([number], item=value)
                if isinstance(value, dict)
                else Entry([number], problem=("", "not an object"))
            )


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        _check_header(reader.fieldnames or [])
        for number, row in enumerate(reader, start=2):
            yield number, {name: value for name, value in row.items() if name}


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
        _check_header(header)
        for number, cells in enumerate(rows, start=2):
            yield number, {name: cell for name, cell in zip(header, cells, strict=False) if name}
    finally:
        book.close()


def _check_header(names: Sequence[str]) -> None:
    missing = [name for name in ITEM_COLUMNS if name not in names]
    if missing:
        raise FileUnusable(f"the header row lacks {', '.join(missing)} (see docs/BACKFILL.md)")


def _grouped(rows: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[Entry]:
    """One entry per key, its rows in the file's order; its first row must be its `found` row."""
    entries: dict[str, Entry] = {}
    for number, row in rows:
        cells = {name: value for name, value in row.items() if value not in (None, "")}
        if not cells:
            continue
        key, step = str(cells.pop("key", "")).strip(), str(cells.pop("step", "")).strip()
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = Entry([number], item={"key": key})
            if step != FOUND:
                entry.problem = ("/hazard", f"the first row of key {key!r} must be its {FOUND!r} row, not {step!r}")
        else:
            entry.rows.append(number)
        if entry.item is not None and entry.problem is None:
            _add_row(entry.item, step, cells, first=len(entry.rows) == 1)
    yield from entries.values()


def _add_row(item: dict[str, Any], step: str, cells: dict[str, Any], *, first: bool) -> None:
    actor = {name.removeprefix("actor_"): cells.pop(name) for name in ACTOR_COLUMNS if name in cells}
    fields = {name: _value(name, value) for name, value in cells.items()}
    if first:
        item["hazard"] = fields
        if actor:
            item["actor"] = actor
        return
    item.setdefault("steps", []).append({"step": step, **fields, **({"actor": actor} if actor else {})})


def _value(name: str, value: Any) -> Any:
    """A cell as the API takes it: times with an offset, dates as dates, yes/no as booleans."""
    if isinstance(value, str):
        value = value.strip()
    if name in BOOLEANS and isinstance(value, str) and value.lower() in TRUE | FALSE:
        return value.lower() in TRUE
    if name in TIMES and isinstance(value, datetime | str):
        return _aware(value)
    if name in DATES and isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _aware(value: datetime | str) -> Any:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value  # the schema names what is wrong with it
    return (value if value.tzinfo else value.replace(tzinfo=SHANGHAI)).isoformat()


def _schema_problem(item: dict[str, Any]) -> tuple[str, str] | None:
    try:
        BackfillItem.model_validate(item)
    except ValidationError as exc:
        error = exc.errors()[0]
        return "/" + "/".join(str(part) for part in _without_tag(list(error["loc"]), item)), error["msg"]
    return None


def _without_tag(loc: list[Any], item: dict[str, Any]) -> list[Any]:
    """A step's error location without the union's tag (`steps/0/plan/funds_yuan`): not a field."""
    steps = item.get("steps")
    if len(loc) > 2 and loc[0] == "steps" and isinstance(steps, list) and isinstance(loc[1], int):
        step = steps[loc[1]] if loc[1] < len(steps) else None
        if isinstance(step, dict) and loc[2] == step.get("step"):
            return loc[:2] + loc[3:]
    return loc


# -- sending and the summary ---------------------------------------------------------------------


class GatewayRefused(Exception):
    """A batch was answered with an error (credentials, scope, the gateway itself)."""


def send(client: httpx.Client, entries: list[Entry], batch: int, label: str) -> None:
    """Send the schema-valid items in batches; each entry gets its result."""
    valid = [entry for entry in entries if entry.problem is None]
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
    )
    with progress:
        task = progress.add_task(f"backfilling {label}", total=len(entries))
        progress.advance(task, len(entries) - len(valid))
        for start in range(0, len(valid), batch):
            chunk = valid[start : start + batch]
            answer = _post(client, {"items": [entry.item for entry in chunk]})
            for entry, result in zip(chunk, answer["items"], strict=True):
                entry.result = result
            progress.advance(task, len(chunk))


def _post(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    """One batch; sent again after a timeout or an unavailable service (a re-sent item is a
    duplicate of what the first send wrote, so this is safe)."""
    for attempt in range(RESENDS + 1):
        answer = client.post("/api/v1" + PATH, json=body)
        if answer.status_code == 200:
            return dict(answer.json())
        if answer.status_code not in (502, 503, 504) or attempt == RESENDS:
            break
        time.sleep(2**attempt)
    raise GatewayRefused(f"{answer.status_code} {answer.text[:500]}")


def summarise(entries: list[Entry]) -> int:
    """The counts and the first invalid rows; the exit status (1 when any item is invalid)."""
    counts = {"created": 0, "duplicate": 0, "invalid": 0}
    problems: list[tuple[int, str, str, str]] = []
    for entry in entries:
        if entry.problem is not None:
            counts["invalid"] += 1
            key = str((entry.item or {}).get("key", ""))
            problems.append((entry.row_of(entry.problem[0]), key, *entry.problem))
            continue
        counts[entry.result["outcome"]] += 1
        if entry.result["outcome"] == "invalid":
            pointer = entry.result.get("field", "")
            problems.append((entry.row_of(pointer), entry.result["key"], pointer, entry.result.get("reason", "")))
    totals = Table("created", "duplicate", "invalid", title="backfill")
    totals.add_row(*(f"{counts[name]:,}" for name in counts))
    console.print(totals)
    if problems:
        table = Table("row", "key", "field", "reason", title=f"invalid items (first {SHOWN_PROBLEMS})")
        for row, key, pointer, reason in sorted(problems)[:SHOWN_PROBLEMS]:
            table.add_row(str(row), key, pointer, reason)
        console.print(table)
    return 1 if problems else 0
