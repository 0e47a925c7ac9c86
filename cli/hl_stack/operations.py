"""Operator commands: API keys straight on the gateway's database (`./hl keys create|list|revoke`)
and the stack's health at a glance (`./hl status`). Settings come from the HL_GATEWAY_* (and
each service's HL_<SERVICE>_*) variables, as for the services themselves."""

from __future__ import annotations

import argparse
import asyncio
import getpass
from typing import Any

from rich.console import Console
from rich.table import Table

from hl_contracts.roles import ROLES
from hl_stack.commands import SubParsers, command, parsers
from hl_stack.target import NoStack, acting_on, add_data_dir

console = Console()


@parsers
def _parsers(sub: SubParsers) -> None:
    keys = sub.add_parser("keys", help="issue, list and revoke API keys (on the gateway's database)")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    create = actions.add_parser("create", help="issue a key for an identity; the key is printed once")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", required=True, help="the person or system using the key")
    create.add_argument("--region-code", default="", help="GB/T 2260 prefix the identity is limited to")
    create.add_argument("--level", choices=("county", "city", "province"), default=None)
    create.add_argument("--department", default="")
    create.add_argument("--enterprise-id", default=None)
    create.add_argument("--organisation", default="")
    listing = actions.add_parser("list", help="list keys (never the keys themselves)")
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    revoke = actions.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("id")
    for parser in (create, listing, revoke):
        add_data_dir(parser)
    status = sub.add_parser("status", help="readiness of the stack's services and NATS streams")
    add_data_dir(status)


@command("keys")
def _keys(args: argparse.Namespace) -> int:
    action = {"create": create_key, "list": list_keys, "revoke": revoke_key}[args.keys_command]
    try:
        with acting_on(args.data_dir, "gateway"):
            return asyncio.run(action(args))
    except NoStack as exc:
        console.print(f"[red]{exc}[/]")
        return 1


async def _with_keys(work: Any) -> int:
    from hl_gateway.adapters.key_store import SqlKeyStore
    from hl_gateway.application.keys import ApiKeys
    from hl_gateway.settings import GatewaySettings
    from hl_platform.db import Database
    from hl_platform.errors import DomainError

    db = Database(GatewaySettings().db_url)
    try:
        return int(await work(ApiKeys(SqlKeyStore(db))))
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/]")
        return 2
    finally:
        await db.dispose()


async def create_key(args: argparse.Namespace) -> int:
    from hl_gateway.domain.credentials import identity_from

    values = {
        "role": args.role,
        "name": args.name,
        "region_code": args.region_code,
        "level": args.level,
        "department": args.department,
        "enterprise_id": args.enterprise_id,
        "organisation": args.organisation,
    }

    async def work(keys: Any) -> int:
        stored, key = await keys.issue(identity_from(values), created_by=f"cli:{getpass.getuser()}")
        console.print(f"issued key [bold]{stored.id}[/] for {args.role} {args.name!r}; it is shown only now:")
        print(key)
        return 0

    return await _with_keys(work)


async def list_keys(args: argparse.Namespace) -> int:
    async def work(keys: Any) -> int:
        table = Table(title="API keys")
        table.add_column("id", overflow="fold", min_width=36)
        for column in ("prefix", "role", "name", "region", "level / enterprise", "last used", "revoked"):
            table.add_column(column, overflow="fold")
        cursor = None
        while True:
            page = await keys.store.page("", cursor, 200, args.all)
            for key in page:
                identity = key.identity
                table.add_row(
                    key.id,
                    key.prefix + "…",
                    identity.role,
                    identity.name,
                    identity.region_code or "(all)",
                    identity.level or identity.enterprise_id or "",
                    _when(key.last_used_at),
                    _when(key.revoked_at),
                )
            if len(page) < 200:
                break
            cursor = page[-1].id
        wide = console if console.is_terminal else Console(width=160)  # ids in full when piped
        wide.print(table)
        return 0

    return await _with_keys(work)


async def revoke_key(args: argparse.Namespace) -> int:
    from hl_platform.identity import Caller

    async def work(keys: Any) -> int:
        operator = Caller(id=f"cli:{getpass.getuser()}", name="operator", role="admin")
        await keys.revoke_for(operator, args.id)
        console.print(f"revoked {args.id}")
        return 0

    return await _with_keys(work)


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


@command("status")
def _status(args: argparse.Namespace) -> int:
    from hl_stack.services import SERVICES

    try:
        with acting_on(args.data_dir, *SERVICES) as stack:
            if stack is not None:
                console.print(f"the stack of {stack.data_dir} (./hl up, pid {stack.pid})")
            return asyncio.run(show_status())
    except NoStack as exc:
        console.print(f"[red]{exc}[/]")
        return 1


async def show_status() -> int:
    from hl_stack.services import SERVICES

    services = {name: info.settings() for name, info in SERVICES.items()}
    readiness = await asyncio.gather(*(_ready(s.host, s.port) for s in services.values()))
    table = Table(title="Hazard Ledger — status")
    for column in ("part", "address", "state", "detail"):
        table.add_column(column)
    for (name, settings), (ok, detail) in zip(services.items(), readiness, strict=True):
        state = "[green]ready[/]" if ok else "[red]not ready[/]"
        table.add_row(name, f"http://{settings.host}:{settings.port}", state, detail)
    streams = await _streams(services["gateway"].nats_url, services["gateway"].nats_credentials)
    for name, (ok, detail) in streams.items():
        table.add_row(f"stream {name}", "", "[green]ok[/]" if ok else "[red]missing[/]", detail)
    console.print(table)
    return 0 if all(ok for ok, _ in readiness) and all(ok for ok, _ in streams.values()) else 1


async def _ready(host: str, port: int) -> tuple[bool, str]:
    import httpx

    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            answer = await client.get(f"http://{host}:{port}/readyz")
    except httpx.HTTPError as exc:
        return False, exc.__class__.__name__
    checks = answer.json().get("checks", {}) if answer.headers.get("content-type") == "application/json" else {}
    return answer.status_code == 200, ", ".join(f"{k}: {v}" for k, v in checks.items())


async def _streams(nats_url: str, credentials: Any) -> dict[str, tuple[bool, str]]:
    from nats.js.errors import NotFoundError

    from hl_platform.nats_io import STREAMS, connect

    try:
        nc = await asyncio.wait_for(connect(nats_url, "hl-status", credentials, retry=False), 5)
    except Exception as exc:
        return {"(NATS)": (False, f"cannot connect to {nats_url.split('@')[-1]}: {exc.__class__.__name__}")}
    found: dict[str, tuple[bool, str]] = {}
    try:
        for name in STREAMS.values():
            try:
                info = await nc.jetstream().stream_info(name)
            except NotFoundError:
                found[name] = (False, "not created yet")
                continue
            state = info.state
            replicas = info.config.num_replicas
            found[name] = (True, f"{state.messages} messages, last seq {state.last_seq}, {replicas} replica(s)")
    finally:
        await nc.close()
    return found
