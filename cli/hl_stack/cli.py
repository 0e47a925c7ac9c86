"""`./hl <command>`: run, migrate and operate Hazard Ledger."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The command modules register themselves in `hl_stack.commands` when imported; they import only
# that registry, never this module (so there is no import cycle).
from hl_stack import backfill, bureaus, imports, operations, rebuild  # noqa: F401
from hl_stack.commands import COMMANDS, PARSERS, command
from hl_stack.services import SERVICES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hl", description="Hazard Ledger: hazard investigation and governance backend"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser(
        "up",
        help="run the whole system on one machine (nats-server, SQLite, the services), supervised",
        description="Ports: HL_PORT (gateway, 8000), HL_HAZARD_PORT, HL_ENTERPRISE_PORT, HL_REPORTING_PORT,"
        " HL_NATS_PORT, HL_NATS_MONITOR_PORT (defaults, else a free port). One ./hl up per data folder.",
    )
    up.add_argument(
        "--data-dir", type=Path, default=None, help="where all state lives (default ./data, or HL_DATA_DIR)"
    )
    serve = sub.add_parser("serve", help="run one service (settings from HL_<SERVICE>_* variables)")
    serve.add_argument("service", choices=sorted(SERVICES))
    migrate = sub.add_parser("migrate", help="bring a service's database to the newest schema")
    migrate.add_argument("service", choices=[*sorted(SERVICES), "all"])
    for add_parsers in PARSERS:
        add_parsers(sub)
    return parser


@command("serve")
def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    info = SERVICES[args.service]
    settings = info.settings()
    uvicorn.run(
        info.app_factory(),
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=10,
    )
    return 0


@command("migrate")
def _migrate(args: argparse.Namespace) -> int:
    from hl_platform.migrate import upgrade

    names = sorted(SERVICES) if args.service == "all" else [args.service]
    for name in names:
        settings = SERVICES[name].settings()
        upgrade(name, settings.db_url)
        print(f"migrated {name}: {settings.db_url.split('@')[-1]}")
    return 0


@command("up")
def _up(args: argparse.Namespace) -> int:
    from hl_stack.launcher import run_stack

    return run_stack(args.data_dir)


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    sys.exit(COMMANDS[args.command](args))
