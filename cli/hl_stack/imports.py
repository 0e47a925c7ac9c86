"""Operator imports with progress bars: `./hl import-enterprises FILE`, `./hl import-regions FILE`."""

from __future__ import annotations

import argparse
import asyncio
import shutil
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from hl_stack.commands import SubParsers, command, parsers
from hl_stack.state import default_data_dir
from hl_stack.target import NoStack, acting_on, add_data_dir

console = Console(stderr=True)
IMPORT_BATCH = 200  # valid rows registered per transaction (a bad row is never part of one)


@parsers
def _parsers(sub: SubParsers) -> None:
    enterprises = sub.add_parser("import-enterprises", help="register enterprises from a .csv or .xlsx list")
    enterprises.add_argument("file", type=Path)
    enterprises.add_argument("--as-name", default="批量导入", help="name recorded as the actor of each registration")
    add_data_dir(enterprises)
    regions = sub.add_parser("import-regions", help="validate a GB/T 2260-style region CSV and make it the catalogue")
    regions.add_argument("file", type=Path)
    regions.add_argument(
        "--data-dir", type=Path, default=None, help="the data folder (default HL_DATA_DIR, else ./data)"
    )


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
    )


@command("import-enterprises")
def _import_enterprises(args: argparse.Namespace) -> int:
    try:
        with acting_on(args.data_dir, "enterprise"):
            return asyncio.run(import_enterprises(args.file, args.as_name))
    except NoStack as exc:
        console.print(f"[red]{exc}[/]")
        return 1


async def import_enterprises(path: Path, actor_name: str) -> int:
    """Register every valid row; rows already registered (same uscc) are left as they are."""
    from hl_enterprise.application.bulk_import import parse_rows
    from hl_enterprise.bootstrap import enterprise_service
    from hl_enterprise.settings import EnterpriseSettings
    from hl_platform.db import Database
    from hl_platform.errors import DomainError
    from hl_platform.identity import Caller

    settings = EnterpriseSettings()
    db = Database(settings.db_url)
    service = enterprise_service(db)
    caller = Caller(id="system:import", name=actor_name, role="admin")
    try:
        results = list(parse_rows(path))
    except DomainError as exc:
        console.print(f"[red]cannot import {path}: {exc.detail}[/]")
        return 2
    counts = {"registered": 0, "already registered": 0, "invalid": 0}
    problems: list[tuple[int, str, str]] = []
    with _progress() as progress:
        task = progress.add_task(f"importing {path.name}", total=len(results))
        for start in range(0, len(results), IMPORT_BATCH):
            batch = results[start : start + IMPORT_BATCH]
            for result in batch:
                if result.profile is None:
                    counts["invalid"] += 1
                    problems += [(result.row, e["field"], e["reason"]) for e in result.errors]
            profiles = [result.profile for result in batch if result.profile is not None]
            for outcome in await service.register_batch(caller, profiles) if profiles else []:
                counts[outcome] += 1
            progress.advance(task, len(batch))
    await db.dispose()
    _report(counts, problems)
    return 1 if problems else 0


def _report(counts: dict[str, int], problems: list[tuple[int, str, str]]) -> None:
    console.print(", ".join(f"{name}: {count}" for name, count in counts.items()))
    if problems:
        table = Table("row", "field", "reason", title="rows not imported")
        for row, field, reason in problems[:200]:
            table.add_row(str(row), field, reason)
        console.print(table)
        if len(problems) > 200:
            console.print(f"… and {len(problems) - 200} more")


@command("import-regions")
def _import_regions(args: argparse.Namespace) -> int:
    from hl_catalogue import RegionCatalogue
    from hl_catalogue.regions import RegionCatalogueError

    with _progress() as progress:
        task = progress.add_task(f"checking {args.file.name}", total=None)
        try:
            catalogue = RegionCatalogue.from_csv(args.file)
        except (RegionCatalogueError, OSError) as exc:
            console.print(f"[red]{exc}[/]")
            return 2
        progress.update(task, total=len(catalogue), completed=len(catalogue))
    target = default_data_dir(args.data_dir) / "regions.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.file, target)
    levels: dict[str, Any] = {}
    for region in catalogue:
        levels[region.level] = levels.get(region.level, 0) + 1
    console.print(f"{len(catalogue)} regions ({', '.join(f'{k}: {v}' for k, v in sorted(levels.items()))}) → {target}")
    console.print("the embedded stack uses it from its next start (HL_REGIONS_CSV)")
    return 0
