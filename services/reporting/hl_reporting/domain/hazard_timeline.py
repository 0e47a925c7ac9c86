"""A hazard's contribution to the daily buckets, as a pure function of its history.

Every figure a hazard adds to is a step function of the cut-off day t: "found by t", "rectified by
t and not rejected since", "listed by t", "overdue at t", "funds committed by t". The buckets store
the steps (a +1 on the day a function rises, a -1 on the day it falls), so that a figure as of any
cut-off is a sum over the days up to it. After each event the projection recomputes the hazard's
whole step set from its facts and writes only the difference; that one rule covers:

- a back-dated fact: it lands on the day of its business time;
- a rejected acceptance: +1 rectified on the rectification's day, -1 on the rejection's day;
- a void: the hazard counts nowhere, in any period, so every step it ever made is taken back;
- a reclassification general → major: the hazard counts under its new level from the
  reclassification's day on, and under its old level before (its found day stays the same);
- a deadline extension: overdue falls on the extension's day; overdue rises the day after a
  deadline passes unrectified (a deadline is the end of its day), even a day still in the future.

A standing is keyed by (metric, cohort day, level, listing level). The cohort day is the day that
puts the hazard in a report's population: its found day, or for the listed metrics its first
listing day. A report counts the steps with cohort day in [since, cut-off] and day ≤ cut-off, so
"of those found in the period, rectified by the cut-off" stays exact for any `since`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from hl_reporting.domain.calendar import start_of_day

FOUND, RECTIFIED, LISTED, LISTED_RECTIFIED, OVERDUE, FUNDS = (
    "found",
    "rectified",
    "listed",
    "listed_rectified",
    "overdue",
    "funds_fen",
)

# (metric, cohort day, level, listing level or "") → value as of a day
Standing = dict[tuple[str, date, str, str], int]
# (day, cohort day, region, industry, source, level, listing level, metric) → delta
BucketKey = tuple[date, date, str, str, str, str, str, str]


@dataclass(frozen=True)
class Fact:
    """One event of the hazard as the figures need it; `version` orders facts of the same day.

    `known` is when the fact was recorded (never earlier than the facts before it), for reports as
    known at a moment; None for facts projected before it was kept (taken as known on their day).
    """

    version: int
    day: date
    kind: str  # found, plan, rectified, accepted, rejected, escalated, delisted, extended, reclassified, voided
    level: str | None = None  # found, reclassified: the hazard level; escalated: the listing level
    deadline: date | None = None
    funds_fen: int | None = None
    known: datetime | None = None
    at: datetime | None = None  # the business instant (the ledger's times as known at a moment)
    by: str | None = None  # escalated: the listing authority

    def to_json(self) -> dict[str, Any]:
        raw: dict[str, Any] = {"v": self.version, "d": self.day.isoformat(), "k": self.kind}
        if self.level is not None:
            raw["l"] = self.level
        if self.deadline is not None:
            raw["dl"] = self.deadline.isoformat()
        if self.funds_fen is not None:
            raw["f"] = self.funds_fen
        for key, value in (("r", self.known), ("t", self.at)):
            if value is not None:
                raw[key] = value.isoformat()
        if self.by is not None:
            raw["a"] = self.by
        return raw

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Fact:
        deadline, known, at = raw.get("dl"), raw.get("r"), raw.get("t")
        return cls(
            version=int(raw["v"]),
            day=date.fromisoformat(raw["d"]),
            kind=str(raw["k"]),
            level=raw.get("l"),
            deadline=date.fromisoformat(deadline) if deadline else None,
            funds_fen=raw.get("f"),
            known=datetime.fromisoformat(known) if known else None,
            at=datetime.fromisoformat(at) if at else None,
            by=raw.get("a"),
        )

    def known_by(self, moment: datetime) -> bool:
        """Whether the fact was recorded by `moment` (an undated one: once its day had begun)."""
        if self.known is not None:
            return self.known <= moment
        return start_of_day(self.day) <= moment


def known_facts(facts: list[Fact], moment: datetime) -> list[Fact]:
    """The facts recorded by `moment` (known times never go back, so this is a prefix)."""
    return [fact for fact in facts if fact.known_by(moment)]


def is_overdue(deadline: date | None, rectified: bool, day: date) -> bool:
    """Overdue at the end of `day`: the deadline in force ended before that day, the fix still owed.

    The one rule behind the table's 逾期 figure, the supervision list and the ledger (a deadline is
    the end of its day, so a hazard is overdue from the day after it)."""
    return deadline is not None and deadline < day and not rectified


@dataclass(frozen=True)
class Placement:
    """Where the hazard's figures go: the dimensions every one of its buckets shares."""

    region_code: str
    industry: str
    source: str


def standing(facts: list[Fact], day: date) -> Standing:
    """The hazard's figures as of the end of `day`, from the facts known with business day ≤ `day`."""
    if not facts or any(fact.kind == "voided" for fact in facts):
        return {}
    found = facts[0]
    if day < found.day:
        return {}
    level, rectified, listing, listed_day, deadline, funds = str(found.level), False, "", found.day, None, 0
    for fact in (fact for fact in facts if fact.day <= day):
        if fact.kind in ("found", "reclassified") and fact.level:
            level = fact.level
        if fact.kind in ("rectified", "accepted", "rejected"):
            rectified = fact.kind != "rejected"
        if fact.kind == "escalated" and fact.level:
            listed_day = listed_day if listing else fact.day
            listing = fact.level
        if fact.deadline is not None:
            deadline = fact.deadline
        if fact.funds_fen is not None:
            funds = fact.funds_fen
    figures: Standing = {(FOUND, found.day, level, ""): 1}
    if rectified:
        figures[(RECTIFIED, found.day, level, "")] = 1
    if listing:
        figures[(LISTED, listed_day, level, listing)] = 1
        if rectified:
            figures[(LISTED_RECTIFIED, listed_day, level, listing)] = 1
    if is_overdue(deadline, rectified, day):
        figures[(OVERDUE, found.day, level, "")] = 1
    if funds:
        figures[(FUNDS, found.day, level, "")] = funds
    return figures


def change_days(facts: list[Fact]) -> list[date]:
    """Every day on which a standing can change: fact days, and the day after each deadline."""
    if not facts:
        return []
    first = facts[0].day
    days = {first}
    for fact in facts:
        days.add(max(fact.day, first))
        if fact.deadline is not None:
            days.add(max(fact.deadline + timedelta(days=1), first))
    return sorted(days)


def contributions(facts: list[Fact], placement: Placement) -> dict[BucketKey, int]:
    """The hazard's steps: for each change day, how each figure moved on that day."""
    steps: dict[BucketKey, int] = {}
    before: Standing = {}
    for day in change_days(facts):
        now = standing(facts, day)
        for key in before.keys() | now.keys():
            delta = now.get(key, 0) - before.get(key, 0)
            if delta:
                metric, cohort, level, listing = key
                where = (placement.region_code, placement.industry, placement.source)
                steps[(day, cohort, *where, level, listing, metric)] = delta
        before = now
    return steps


def difference(old: Mapping[BucketKey, int], new: Mapping[BucketKey, int]) -> dict[BucketKey, int]:
    """What to add to the buckets to turn `old` contributions into `new` ones."""
    moved = {key: new.get(key, 0) - old.get(key, 0) for key in old.keys() | new.keys()}
    return {key: delta for key, delta in sorted(moved.items()) if delta}


def encode_contributions(steps: Mapping[BucketKey, int]) -> list[list[Any]]:
    return [
        [day.isoformat(), cohort.isoformat(), *rest, delta] for (day, cohort, *rest), delta in sorted(steps.items())
    ]


def decode_contributions(raw: Iterable[list[Any]]) -> dict[BucketKey, int]:
    steps: dict[BucketKey, int] = {}
    for day, cohort, region, industry, source, level, listing, metric, delta in raw:
        key = (date.fromisoformat(day), date.fromisoformat(cohort), region, industry, source, level, listing, metric)
        steps[key] = int(delta)
    return steps
