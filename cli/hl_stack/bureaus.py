"""`./hl bureaus add|list|revoke`: read-only NATS access for other bureaus, limited to a region.

A bureau gets the NATS user `bureau-<id>` with a generated password (shown once, kept only as a
bcrypt hash under the data folder). It may create consumers named `bureau-<id>` on both streams,
filtered inside its region (`hl.v1.<context>.*.<province>.<city>.>`), fetch from them and ack; it
publishes nothing. A running stack's nats-server reloads its configuration at once (a revoked
bureau is disconnected); a stopped one uses it from its next start. `./hl nats-auth-conf` prints
production's deploy/nats/auth.conf, generated from the same permission definitions.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from hl_platform.nats_io import STREAMS
from hl_stack.commands import SubParsers, command, parsers
from hl_stack.credentials import BureauRegistry
from hl_stack.nats_auth import Bureau, read_bureaus_csv, render_production
from hl_stack.nats_server import embedded_config
from hl_stack.state import StackState, default_data_dir, running_stack
from hl_stack.target import add_data_dir

console = Console(stderr=True)
PRODUCTION_BUREAUS = Path(__file__).resolve().parents[2] / "deploy" / "nats" / "bureaus.csv"


@parsers
def _parsers(sub: SubParsers) -> None:
    bureaus = sub.add_parser("bureaus", help="read-only NATS access for other bureaus, limited to their region")
    actions = bureaus.add_subparsers(dest="bureaus_command", required=True)
    add = actions.add_parser("add", help="give a bureau access; its password is printed once")
    add.add_argument("id", help="lower-case letters, digits and '-' (the NATS user is bureau-<id>)")
    add.add_argument("--region", required=True, help="GB/T 2260 province, city or county code it may read")
    listing = actions.add_parser("list", help="bureaus with access (and, with --all, revoked ones)")
    listing.add_argument("--all", action="store_true")
    revoke = actions.add_parser("revoke", help="end a bureau's access (it is disconnected at once)")
    revoke.add_argument("id")
    for parser in (add, listing, revoke):
        add_data_dir(parser)
    conf = sub.add_parser(
        "nats-auth-conf", help="print production's deploy/nats/auth.conf (from the permission definitions)"
    )
    conf.add_argument("--bureaus", type=Path, default=PRODUCTION_BUREAUS, help="id,region_code rows")


@command("bureaus")
def _bureaus(args: argparse.Namespace) -> int:
    data_dir = default_data_dir(args.data_dir)
    registry = BureauRegistry(data_dir)
    action = {"add": _add, "list": _list, "revoke": _revoke}[args.bureaus_command]
    return action(args, data_dir, registry)


def _add(args: argparse.Namespace, data_dir: Path, registry: BureauRegistry) -> int:
    try:
        bureau = Bureau(args.id, args.region)
        password = registry.add(bureau)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    console.print(f"bureau {bureau.id}: NATS user [bold]{bureau.user}[/], region {bureau.region_code}")
    console.print(f"  connect with inbox_prefix={'_INBOX_' + bureau.user!r}; consumers named {bureau.user!r}")
    for context, stream in STREAMS.items():
        console.print(f"  {stream}: filter within {bureau.region_filter(context)}")
    console.print("its password, shown only now:")
    print(password)
    return _apply(data_dir)


def _list(args: argparse.Namespace, data_dir: Path, registry: BureauRegistry) -> int:
    table = Table(title=f"bureaus of {data_dir}")
    for column in ("id", "NATS user", "region", "hazard filter", "created", "revoked"):
        table.add_column(column, overflow="fold")
    for record in registry.all() if args.all else registry.active():
        bureau = record.bureau
        table.add_row(
            record.id,
            bureau.user,
            record.region_code,
            bureau.region_filter("hazard"),
            record.created_at,
            record.revoked_at or "",
        )
    out = Console()
    (out if out.is_terminal else Console(width=160)).print(table)  # ids in full when piped
    return 0


def _revoke(args: argparse.Namespace, data_dir: Path, registry: BureauRegistry) -> int:
    try:
        registry.revoke(args.id)
    except KeyError:
        console.print(f"[red]no bureau {args.id!r} has access on {data_dir}[/]")
        return 2
    console.print(f"revoked bureau {args.id}")
    return _apply(data_dir)


def _apply(data_dir: Path) -> int:
    """Rewrite a running stack's nats-server configuration and have the server reload it."""
    state = running_stack(data_dir)
    if state is None or "nats-server" not in state.pids:
        console.print(f"no ./hl up runs on {data_dir}: the change applies from its next start")
        return 0
    embedded_config(data_dir, state.ports["nats"], state.ports["nats_monitor"])
    if reload_nats(state):
        console.print("[green]✓[/] nats-server reloaded its configuration")
        return 0
    console.print("[red]nats-server did not confirm the reload; see nats/nats-server.log[/]")
    return 1


def reload_nats(state: StackState, timeout: float = 5.0) -> bool:
    """SIGHUP (reload) to the stack's nats-server; True once /varz shows a new configuration load."""
    monitor = f"http://127.0.0.1:{state.ports['nats_monitor']}/varz"
    before = httpx.get(monitor, timeout=2).json().get("config_load_time")
    os.kill(state.pids["nats-server"], signal.SIGHUP)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.1)
        try:
            if httpx.get(monitor, timeout=2).json().get("config_load_time") != before:
                return True
        except httpx.HTTPError:
            continue
    return False


@command("nats-auth-conf")
def _nats_auth_conf(args: argparse.Namespace) -> int:
    print(render_production(read_bureaus_csv(args.bureaus.read_text(encoding="utf-8"))), end="")
    return 0
