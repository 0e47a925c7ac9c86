"""NATS users and their least-privilege permissions: the one source of both the embedded
nats-server's configuration (written by `./hl up` under the data folder) and production's
`deploy/nats/auth.conf` (`./hl nats-auth-conf > deploy/nats/auth.conf`; a test checks they match).

Each service publishes only its own events and touches only its own stream and durables; every
user receives replies on an inbox prefix of its own (`_INBOX_<user>`), so no user can read another
user's replies; a bureau reads only its region's subjects, through consumers named after it, and
publishes nothing. Why per-user JetStream API subjects and not `$JS.API.>`: a user who may publish
to `$JS.API.STREAM.DELETE.*` or `$JS.API.CONSUMER.DELETE.<stream>.*` can delete the log or another
service's durable consumer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from hl_contracts.subjects import PREFIX, region_tokens
from hl_platform.nats_io import STREAMS, inbox_prefix

API = "$JS.API"
ALL_STREAMS = tuple(STREAMS.values())
BUREAU_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,38}$")
BUREAU_REGION = re.compile(r"^(\d{2}|\d{4}|\d{6})$")


def _durable_rights(stream: str, durable: str) -> list[str]:
    """Create (every form nats clients use), inspect, delete (for a rebuild), fetch and ack."""
    return [
        f"{API}.CONSUMER.INFO.{stream}.{durable}",
        f"{API}.CONSUMER.CREATE.{stream}.{durable}",
        f"{API}.CONSUMER.CREATE.{stream}.{durable}.>",
        f"{API}.CONSUMER.DURABLE.CREATE.{stream}.{durable}",
        f"{API}.CONSUMER.DELETE.{stream}.{durable}",
        f"{API}.CONSUMER.MSG.NEXT.{stream}.{durable}",
        f"$JS.ACK.{stream}.{durable}.>",
    ]


@dataclass(frozen=True)
class NatsUser:
    """One user of the application account and what it may do."""

    name: str
    why: str
    publishes: Sequence[str] = ()  # contexts whose event subjects it publishes
    owns: Sequence[str] = ()  # streams it creates and updates
    reads: Sequence[str] = ()  # streams whose info it reads
    durables: Sequence[tuple[str, str]] = ()  # (stream, durable) it consumes through
    direct_get: Sequence[str] = ()  # streams it reads with "get next message by subject"
    extra: Sequence[str] = field(default_factory=tuple)  # anything else (administration)

    def publish_allow(self) -> list[str]:
        allow = [f"{PREFIX}.{context}.>" for context in self.publishes]
        for stream in self.owns:
            allow += [f"{API}.STREAM.INFO.{stream}", f"{API}.STREAM.CREATE.{stream}", f"{API}.STREAM.UPDATE.{stream}"]
        allow += [f"{API}.STREAM.INFO.{stream}" for stream in self.reads if stream not in self.owns]
        allow += [f"{API}.STREAM.MSG.GET.{stream}" for stream in self.direct_get]
        for stream, durable in self.durables:
            allow += _durable_rights(stream, durable)
        return allow + list(self.extra)

    def permissions(self) -> dict[str, dict[str, list[str]]]:
        return {
            "publish": {"allow": self.publish_allow()},
            "subscribe": {"allow": [inbox_prefix(self.name) + ".>"]},
        }


def _reporting_durables() -> list[tuple[str, str]]:
    # Projection generations alternate between a durable and its "-b" twin (a rebuild builds
    # the next generation with the other pair), so the user names all four.
    return [(stream, f"reporting-{context}{twin}") for context, stream in STREAMS.items() for twin in ("", "-b")]


SERVICE_USERS: tuple[NatsUser, ...] = (
    NatsUser(
        "hazard",
        "publishes hazard events; owns HL_HAZARD; reads HL_ENTERPRISE through its replica durable",
        publishes=("hazard",),
        owns=(STREAMS["hazard"],),
        reads=(STREAMS["enterprise"],),
        durables=((STREAMS["enterprise"], "hazard-enterprise-replica"),),
    ),
    NatsUser(
        "enterprise",
        "publishes enterprise events; owns HL_ENTERPRISE; consumes nothing",
        publishes=("enterprise",),
        owns=(STREAMS["enterprise"],),
    ),
    NatsUser(
        "tips",
        "publishes tip events; owns HL_TIPS; reads HL_ENTERPRISE through its replica durable",
        publishes=("tip",),
        owns=(STREAMS["tip"],),
        reads=(STREAMS["enterprise"],),
        durables=((STREAMS["enterprise"], "tips-enterprise-replica"),),
    ),
    NatsUser(
        "reporting",
        "publishes nothing; reads every stream through its durables (shared by every replica)",
        reads=ALL_STREAMS,
        durables=tuple(_reporting_durables()),
    ),
    NatsUser(
        "webhooks",
        "publishes nothing; reads every stream through its durables (shared by every replica)",
        reads=ALL_STREAMS,
        durables=tuple((stream, f"webhooks-{context}") for context, stream in STREAMS.items()),
    ),
    NatsUser(
        "gateway",
        "reads the public streams for the REST event feed by 'get next message by subject'",
        reads=ALL_STREAMS,
        direct_get=ALL_STREAMS,
        extra=(f"{API}.INFO",),
    ),
)
ADMIN_USER = NatsUser(
    "hl-admin",
    "operators: the whole JetStream API of HL (stream info/view/backup/restore); publishes no events",
    extra=(f"{API}.>", "$JS.ACK.>", "$JS.SNAPSHOT.>"),
)


@dataclass(frozen=True)
class Bureau:
    """Another bureau reading the public log of its region (read-only)."""

    id: str
    region_code: str

    def __post_init__(self) -> None:
        if not BUREAU_ID.match(self.id):
            raise ValueError(
                "a bureau id is 1 to 39 lower-case letters, digits and '-', starting with a letter or digit"
            )
        if not BUREAU_REGION.match(self.region_code):
            raise ValueError("a bureau's region is a GB/T 2260 province, city or county code (2, 4 or 6 digits)")

    @property
    def user(self) -> str:
        return f"bureau-{self.id}"

    def region_filter(self, context: str) -> str:
        """The widest subject filter the bureau may consume on a context's stream."""
        tokens = [token for token in region_tokens(self.region_code) if token != "_"]
        tail = [] if len(tokens) == 3 else [">"]
        return ".".join([PREFIX, context, "*", *tokens, *tail])

    def nats_user(self) -> NatsUser:
        rights: list[str] = []
        for context, stream in STREAMS.items():
            # Only the create form that carries the filter subject: the server checks that the
            # consumer's filter is that subject, so a filter outside the region is refused.
            rights += [
                f"{API}.CONSUMER.CREATE.{stream}.{self.user}.{self.region_filter(context)}",
                f"{API}.CONSUMER.INFO.{stream}.{self.user}",
                f"{API}.CONSUMER.DELETE.{stream}.{self.user}",
                f"{API}.CONSUMER.MSG.NEXT.{stream}.{self.user}",
                f"$JS.ACK.{stream}.{self.user}.>",
            ]
        return NatsUser(
            self.user, f"bureau, region {self.region_code}: reads its region, publishes nothing", extra=rights
        )


def users(bureaus: Iterable[Bureau] = ()) -> list[NatsUser]:
    return [*SERVICE_USERS, ADMIN_USER, *(bureau.nats_user() for bureau in bureaus)]


def _variable(user: str) -> str:
    """The permissions variable of a user in the configuration file: HAZARD_PERMISSIONS, …"""
    return re.sub(r"[^A-Z0-9]", "_", user.upper()) + "_PERMISSIONS"


def _block(user: NatsUser) -> str:
    body = json.dumps(user.permissions(), indent=2)
    return f"# {user.name}: {user.why}\n{_variable(user.name)} = {body}\n"


def render_accounts(
    all_users: Sequence[NatsUser], passwords: Mapping[str, str], *, system_password: str | None = None
) -> str:
    """The permission blocks and the accounts; `passwords` maps a user to a configuration value
    (a `$VARIABLE` read from the server's environment, or a quoted bcrypt hash)."""
    blocks = "\n".join(_block(user) for user in all_users)
    lines = [
        f"      {{ user: {json.dumps(user.name)}, password: {passwords[user.name]}, "
        f"permissions: ${_variable(user.name)} }}"
        for user in all_users
    ]
    system = ""
    if system_password is not None:
        system = f"  SYS {{\n    users: [\n      {{ user: sys, password: {system_password} }}\n    ]\n  }}\n"
    accounts = (
        f"accounts {{\n{system}  HL {{\n    jetstream: enabled\n    users: [\n" + "\n".join(lines) + "\n    ]\n  }\n}\n"
    )
    return blocks + "\n" + accounts + ("\nsystem_account: SYS\n" if system_password is not None else "")


def password_variable(user: str) -> str:
    """The server environment variable holding a user's password in production."""
    name = "ADMIN" if user == "hl-admin" else re.sub(r"[^A-Z0-9]", "_", user.upper())
    return f"HL_NATS_{name}_PASSWORD"


PRODUCTION_HEADER = """\
# Hazard Ledger — NATS accounts, users and permissions (least privilege).
#
# GENERATED from cli/hl_stack/nats_auth.py (the embedded `./hl up` uses the same definitions) and
# deploy/nats/bureaus.csv: edit those and run `./hl nats-auth-conf > deploy/nats/auth.conf`; a test
# fails when this file and the definitions differ.
#
# Included by deploy/nats/nats-server.conf (compose), by the official Helm chart
# (deploy/nats/values.yaml mounts this file from the ConfigMap `hl-nats-auth`) and by the tests
# (tests/integration/test_nats_security.py runs a real nats-server on exactly this file).
#
# Passwords are NATS variables read from the server's environment ($HL_NATS_*_PASSWORD). They may be
# plain text or bcrypt hashes (a value starting with `$2a$` or `$2b$` is treated as a hash).
# Production should use bcrypt hashes so the server never holds the plain text.
#
# Accounts: SYS (server administration) and HL (the application: it owns the JetStream streams
# HL_HAZARD and HL_ENTERPRISE, the public log; service, operator and bureau users live here).
#
# Inboxes: every user receives replies on its own prefix, `_INBOX_<user>` (nats-py:
# `nats.connect(..., inbox_prefix="_INBOX_<user>")`; the services do this by themselves), and may
# subscribe to nothing else: nobody reads another user's replies, and nobody core-subscribes to event
# subjects, so a push consumer cannot copy events anywhere (JetStream does not check a push
# consumer's deliver subject, but delivers only while someone subscribes to it).
#
# Bureaus (deploy/nats/bureaus.csv, one user `bureau-<id>` each): consumers named `bureau-<id>` on
# both streams, created only with a filter inside the bureau's region (the create request carries
# the filter subject, and the server checks the consumer's filter against it); fetch and ack.

"""


def render_production(bureaus: Iterable[Bureau] = ()) -> str:
    """The text of deploy/nats/auth.conf."""
    all_users = users(bureaus)
    passwords = {user.name: "$" + password_variable(user.name) for user in all_users}
    return PRODUCTION_HEADER + render_accounts(all_users, passwords, system_password="$HL_NATS_SYS_PASSWORD")


def read_bureaus_csv(text: str) -> list[Bureau]:
    """`id,region_code` rows (a header line and `#` comments are skipped)."""
    bureaus = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("id,"):
            continue
        bureau_id, region = (part.strip() for part in line.split(",", 1))
        bureaus.append(Bureau(bureau_id, region))
    return bureaus
