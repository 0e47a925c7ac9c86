"""A webhook subscription: what it wants (event types, a region) and the states it goes through.

    active ──pause──► paused ──resume──► active
       │                 │
       └──── revoke ─────┴──► revoked (its owner's API key was revoked: for good)
    any ──delete──► deleted (hidden; its pending deliveries are cancelled)

A paused subscription still has its events queued (a receiver's maintenance loses nothing); they
go out on resume. A subscription receives only events recorded after it was created.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from hl_contracts import REGISTRY, CloudEvent
from hl_platform.caller import Caller
from hl_platform.errors import InvalidInput, RuleViolation


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    REVOKED = "revoked"
    DELETED = "deleted"


QUEUEING = (Status.ACTIVE, Status.PAUSED)
"""Statuses whose subscriptions get deliveries queued for new events."""


def event_selector(patterns: list[str]) -> tuple[str, ...]:
    """The patterns, checked: known event types, `<context>.*`, or `*`; duplicates dropped."""
    known = REGISTRY.types()
    contexts = {event_type.split(".", 1)[0] for event_type in known}
    for pattern in patterns:
        if pattern == "*" or pattern in known:
            continue
        if pattern.endswith(".*") and pattern[:-2] in contexts:
            continue
        listed = ", ".join(["*", *(f"{c}.*" for c in sorted(contexts)), *known])
        raise InvalidInput("event_types", f"unknown event type {pattern!r}; one of {listed}")
    return tuple(dict.fromkeys(patterns))


def selects(patterns: tuple[str, ...], event_type: str) -> bool:
    context = event_type.split(".", 1)[0]
    return any(p == "*" or p == event_type or p == f"{context}.*" for p in patterns)


@dataclass(frozen=True)
class Subscription:
    id: str
    owner: Caller  # the identity as the gateway vouched for it when subscribing
    url: str
    event_types: tuple[str, ...]
    region_code: str
    description: str
    status: Status
    secret: str
    created_at: datetime
    updated_at: datetime
    previous_secret: str | None = None
    previous_secret_expires_at: datetime | None = None
    secret_rotated_at: datetime | None = None

    def wants(self, event: CloudEvent) -> bool:
        """Whether `event` goes to this subscription: its type, its region, its owner's reach.

        The region test is the event feed's (a prefix of the event's region code); the owner's
        reach is `Caller.sees`, checked again here so that no stored region can reach further.
        """
        if self.status not in QUEUEING or event.recordedtime < self.created_at:
            return False
        if not selects(self.event_types, event.type) or not event.regioncode.startswith(self.region_code):
            return False
        enterprise_id = event.subject if event.type.startswith("enterprise.") else ""
        return self.owner.sees(event.regioncode, enterprise_id)

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets to sign with now: the current one, and the previous during its grace."""
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and now < expires:
            return [self.secret, self.previous_secret]
        return [self.secret]

    def paused(self, now: datetime) -> Subscription:
        self._require("pause", (Status.ACTIVE, Status.PAUSED))
        return replace(self, status=Status.PAUSED, updated_at=now)

    def resumed(self, now: datetime) -> Subscription:
        self._require("resume", (Status.ACTIVE, Status.PAUSED))
        return replace(self, status=Status.ACTIVE, updated_at=now)

    def rotated(self, secret: str, now: datetime, grace: timedelta) -> Subscription:
        self._require("rotate its secret", (Status.ACTIVE, Status.PAUSED))
        return replace(
            self,
            secret=secret,
            previous_secret=self.secret,
            previous_secret_expires_at=now + grace,
            secret_rotated_at=now,
            updated_at=now,
        )

    def revoked(self, now: datetime) -> Subscription:
        return replace(self, status=Status.REVOKED, updated_at=now)

    def deleted(self, now: datetime) -> Subscription:
        return replace(self, status=Status.DELETED, updated_at=now)

    def _require(self, action: str, allowed: tuple[Status, ...]) -> None:
        if self.status not in allowed:
            detail = f"cannot {action}: the subscription is {self.status}"
            if self.status == Status.REVOKED:
                detail += " (its owner's API key was revoked; subscribe again with a valid key)"
            raise RuleViolation("invalid-transition", detail, {"status": self.status.value})
