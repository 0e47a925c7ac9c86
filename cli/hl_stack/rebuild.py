"""`./hl rebuild-projections`: rebuild the reporting read models from the streams, with progress
bars, into a new generation; running reporting processes switch to it without downtime."""

from __future__ import annotations

import argparse
import asyncio

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from hl_stack.commands import SubParsers, command, parsers
from hl_stack.target import NoStack, acting_on, add_data_dir

console = Console(stderr=True)


@parsers
def _parsers(sub: SubParsers) -> None:
    rebuild = sub.add_parser(
        "rebuild-projections", help="replay the event streams into fresh reporting tables and switch over"
    )
    add_data_dir(rebuild)


@command("rebuild-projections")
def _rebuild(args: argparse.Namespace) -> int:
    try:
        with acting_on(args.data_dir, "reporting"):
            return asyncio.run(rebuild_projections())
    except NoStack as exc:
        console.print(f"[red]{exc}[/]")
        return 1


async def rebuild_projections() -> int:
    from hl_platform.migrate import upgrade
    from hl_platform.nats_io import connect
    from hl_reporting.application.generations import rebuild
    from hl_reporting.settings import ReportingSettings

    settings = ReportingSettings()
    await asyncio.to_thread(upgrade, "reporting", settings.db_url)
    nc = await connect(settings.nats_url, "reporting-rebuild", settings.nats_credentials, retry=False)
    bars = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console
    )
    tasks: dict[str, TaskID] = {}

    def progress(stream: str, done: int, total: int | None) -> None:
        if stream not in tasks:
            tasks[stream] = bars.add_task(f"replaying {stream}", total=total)
        bars.update(tasks[stream], completed=done, total=total)

    with bars:
        generation = await rebuild(settings.db_url, nc.jetstream(), progress)
    await nc.close()
    console.print(f"[green]✓[/] generation {generation.number} is live: {generation.url}")
    console.print("reporting processes switch to it within a few seconds; the previous one is kept for rollback")
    return 0
