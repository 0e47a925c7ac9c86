"""Random command sequences by random callers at random times: the aggregate's invariants hold
after every step, whether the command was accepted or refused.
"""

from __future__ import annotations

import copy
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hl_contracts.hazard import (
    HazardDeadlineExtended,
    HazardEscalated,
    HazardFound,
    HazardOverdue,
    HazardPlanSet,
    HazardReclassified,
)
from hl_contracts.vocabulary import HazardLevel, HazardSource, HazardStatus, ListingLevel, ProductionHalt
from hl_hazard.domain import (
    Command,
    DecideAcceptance,
    Delist,
    Escalate,
    ExtendDeadline,
    Hazard,
    MarkOverdue,
    Principal,
    Reclassify,
    ReportHazard,
    ReportRectification,
    SetPlan,
    Void,
)
from hl_platform.aggregate import Recorded
from hl_platform.clock import local_date
from hl_platform.errors import DomainError
from tests.unit.hazard.builders import (
    ADMIN,
    ENTERPRISE,
    ENTERPRISE_USER,
    FOUND_AT,
    INSPECTOR,
    OTHER_ENTERPRISE_USER,
    PLATFORM,
    SYSTEM,
    history,
    inspector,
    principal,
    random_id,
    supervisor,
)

START = FOUND_AT + timedelta(hours=1)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
LEVELS = list(ListingLevel)
CALLERS = [
    ADMIN,
    ADMIN,
    ENTERPRISE_USER,
    ENTERPRISE_USER,
    OTHER_ENTERPRISE_USER,
    INSPECTOR,
    PLATFORM,
    SYSTEM,
    principal("bureau"),
    *(inspector(level) for level in LEVELS),
    *(supervisor(level) for level in LEVELS),
]

# Which event may follow which status (rule 4); `hazard.found` only starts a history.
ALLOWED_AFTER = {
    "reported": {"plan_set", "rectified", "escalated", "overdue", "deadline_extended", "reclassified", "voided"},
    "rectifying": {"plan_set", "rectified", "escalated", "overdue", "deadline_extended", "reclassified", "voided"},
    "rectified": {"accepted", "rejected", "escalated", "voided"},
    "closed": {"delisted", "voided"},
    "voided": set(),
}
NEXT_STATUS = {"plan_set": "rectifying", "rectified": "rectified", "accepted": "closed"}
NEXT_STATUS |= {"rejected": "rectifying", "voided": "voided"}


def days(low: int, high: int) -> st.SearchStrategy[timedelta]:
    return st.integers(low, high).map(lambda n: timedelta(days=n))


def moments(clock: datetime) -> st.SearchStrategy[datetime]:
    """Business times around the clock: mostly past, sometimes the future (rule 9)."""
    return st.integers(-5 * 24 * 60, 60).map(lambda minutes: clock + timedelta(minutes=minutes))


def deadlines(around: date) -> st.SearchStrategy[date]:
    return days(-3, 45).map(lambda delta: around + delta)


def reports() -> st.SearchStrategy[tuple[ReportHazard, Principal]]:
    level = st.sampled_from([HazardLevel.MAJOR, HazardLevel.MAJOR, HazardLevel.GENERAL])  # listing needs majors
    return level.flatmap(
        lambda lvl: st.builds(
            ReportHazard,
            enterprise_id=st.just(ENTERPRISE.id),
            source=st.sampled_from(list(HazardSource)),
            level=st.just(lvl),
            title=st.just("配电室未设置挡鼠板"),
            found_at=st.just(FOUND_AT),
            found_by=st.just("张三"),
            deadline=st.none() | deadlines(local_date(FOUND_AT)),
            production_halt=st.sampled_from(list(ProductionHalt)) if lvl == HazardLevel.MAJOR else st.none(),
            rectify_immediately=st.booleans() if lvl == HazardLevel.GENERAL else st.just(False),
        )
    ).flatmap(lambda cmd: st.tuples(st.just(cmd), st.sampled_from([ADMIN, PLATFORM, ENTERPRISE_USER, INSPECTOR])))


def commands() -> st.SearchStrategy[tuple[Command, Principal]]:
    """Plausible commands, each by a fitting caller or anyone, so that walks get deep (closing,
    listing, delisting) while many commands are still refused. Drawn around `EPOCH`: see `moved`.
    """
    anchor = EPOCH.date()
    plans = st.builds(
        SetPlan,
        responsible_person=st.just("李四"),
        measures=st.sampled_from(["更换设备", "更换设备", ""]),
        funds_yuan=st.sampled_from([Decimal(0), Decimal("1500.5"), Decimal(-1)]),
        deadline=st.just(anchor) | deadlines(anchor),
        emergency_plan=st.just("应急预案"),
    )
    fixes = st.builds(ReportRectification, completed_at=moments(EPOCH))
    decisions = st.builds(DecideAcceptance, accepted=st.booleans(), reviewer=st.just("王"), decided_at=moments(EPOCH))
    listings = st.builds(
        Escalate,
        level=st.sampled_from(LEVELS),
        authority=st.just("安委会"),
        reason=st.just("挂牌督办"),
        deadline=deadlines(anchor),
        escalated_at=moments(EPOCH),
    )
    extensions = st.builds(
        ExtendDeadline, new_deadline=deadlines(anchor), reason=st.just("延期"), approved_by=st.just("赵")
    )
    reclassifications = st.builds(
        Reclassify,
        level=st.sampled_from(list(HazardLevel)),
        reason=st.just("复核"),
        production_halt=st.none() | st.sampled_from(list(ProductionHalt)),
    )
    common = st.one_of(
        by(plans, ENTERPRISE_USER),
        by(fixes, ENTERPRISE_USER),
        by(decisions, INSPECTOR, inspector(ListingLevel.PROVINCE), supervisor(ListingLevel.PROVINCE), ENTERPRISE_USER),
        listings.flatmap(lambda cmd: by(st.just(cmd), supervisor(cmd.level))),
        by(st.builds(Delist, delisted_at=moments(EPOCH)), supervisor(ListingLevel.PROVINCE)),
        by(extensions, inspector(ListingLevel.PROVINCE)),
        by(reclassifications, INSPECTOR),
        by(st.just(MarkOverdue()), SYSTEM),
    )
    voids = by(st.builds(Void, reason=st.just("误报")), INSPECTOR)
    # Voiding ends a walk, so it comes about once in eighty steps (not at 0: Hypothesis favours edges).
    return st.integers(0, 79).flatmap(lambda n: voids if n == 17 else common)


def moved(cmd: Command, clock: datetime, anchor: date) -> Command:
    """The command drawn around `EPOCH`, moved so its times lie around `clock` and its dates around
    `anchor`. (Drawing from one strategy built once is far cheaper than a new strategy per step.)
    """
    changes: dict[str, Any] = {}
    for field in fields(cmd):
        value = getattr(cmd, field.name)
        if isinstance(value, datetime):
            changes[field.name] = clock + (value - EPOCH)
        elif isinstance(value, date):
            changes[field.name] = anchor + (value - EPOCH.date())
    return replace(cmd, **changes)


def by(cmds: st.SearchStrategy[Command], *fitting: Principal) -> st.SearchStrategy[tuple[Command, Principal]]:
    """Commands issued mostly by one of the fitting callers, else by anyone at all."""
    fit = st.sampled_from(fitting)
    return st.tuples(cmds, st.one_of(fit, fit, fit, st.sampled_from(CALLERS)))


def onwards(hazard: Hazard, clock: datetime) -> tuple[Command, Principal]:
    """The sound next step of the lifecycle (plan, list, fix, close, delist), so that some steps
    push the hazard deeper while the random others try everything else.
    """
    listing = hazard.listing.level if hazard.listing else None
    reviewer = supervisor(listing) if listing else INSPECTOR
    if hazard.status == HazardStatus.REPORTED:
        deadline = hazard.deadline or local_date(clock) + timedelta(days=30)
        return SetPlan(
            responsible_person="李四", measures="更换", funds_yuan=Decimal(0), deadline=deadline, emergency_plan="预案"
        ), ENTERPRISE_USER
    # Hazards that stopped production fully get listed on the way; the others are fixed unlisted.
    full_halt = hazard.production_halt == ProductionHalt.FULL
    if hazard.status == HazardStatus.RECTIFYING and full_halt and not hazard.listings:
        return Escalate(
            level=ListingLevel.CITY, authority="市安委会", reason="督办", deadline=local_date(clock), escalated_at=clock
        ), supervisor(ListingLevel.CITY)
    if hazard.status == HazardStatus.RECTIFYING:
        return ReportRectification(completed_at=clock), ENTERPRISE_USER
    if hazard.status == HazardStatus.RECTIFIED:
        return DecideAcceptance(accepted=True, reviewer="王", decided_at=clock), reviewer
    if hazard.status == HazardStatus.CLOSED and listing is not None:
        return Delist(delisted_at=clock), reviewer
    return MarkOverdue(), SYSTEM


COMMANDS = commands()
ONWARDS = st.integers(0, 3).map(lambda n: n == 2)  # a quarter of the steps; not at an edge (see above)
REPORTS = reports()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_command_sequences_keep_the_invariants(data: st.DataObject) -> None:
    report, reporter = data.draw(REPORTS, label="report")
    try:
        walk = Walk(Hazard.report(random_id(), report, ENTERPRISE, reporter, START))
    except DomainError:
        return
    clock = START
    for _ in range(data.draw(st.integers(5, 40), label="steps")):
        clock += data.draw(days(0, 12), label="wait")
        if data.draw(ONWARDS, label="onwards"):
            walk.step(*onwards(walk.hazard, clock), clock)
        else:
            cmd, caller = data.draw(COMMANDS, label="command")
            walk.step(moved(cmd, clock, walk.hazard.deadline or local_date(walk.hazard.found_at)), caller, clock)
    for kind in {change.data.event_type for change in walk.hazard.changes}:
        event(kind)  # shown by --hypothesis-show-statistics: how deep the walks went


class Walk:
    """One hazard driven step by step, with its history stored as the repository would store it."""

    def __init__(self, hazard: Hazard) -> None:
        self.hazard = hazard
        self.stored = history(hazard)
        self.check()

    def step(self, cmd: Command, caller: Principal, clock: datetime) -> None:
        # Recorded events are frozen, so shallow copies of the state are enough to see any change.
        before = {name: copy.copy(value) for name, value in vars(self.hazard).items()}
        try:
            recorded = self.hazard.execute(cmd, caller, clock)
        except DomainError:
            assert vars(self.hazard) == before, "a refused command recorded or changed something"
        else:
            new = self.hazard.changes[len(self.stored) :]
            assert recorded == bool(new)
            assert all(change.time <= clock and change.time.utcoffset() == timedelta(0) for change in new)
            self.stored += history(self.hazard, since=len(self.stored))
        self.check()

    def check(self) -> None:
        changes = self.hazard.changes
        assert self.hazard.version == len(changes)
        assert [change.version for change in changes] == list(range(1, len(changes) + 1))
        assert Hazard.replay(self.hazard.id, self.stored).snapshot() == self.hazard.snapshot()
        check_lifecycle(changes)
        check_listings_rise(changes)
        check_deadlines(changes)


def check_lifecycle(changes: list[Recorded]) -> None:
    """Rules 3–5 over the whole history: legal transitions, plans before major fixes, reviewers."""
    assert isinstance(changes[0].data, HazardFound)
    status, level, planned = "reported", changes[0].data.level, False
    for change in changes[1:]:
        kind = change.data.event_type.split(".", 1)[1]
        assert kind in ALLOWED_AFTER[status], f"{kind} after {status}"
        if isinstance(change.data, HazardReclassified):
            level = change.data.level
        planned = planned or isinstance(change.data, HazardPlanSet)
        if kind == "rectified":
            assert level == HazardLevel.GENERAL or planned, "a major hazard rectified without a plan"
        if kind == "accepted" and level == HazardLevel.MAJOR:
            assert change.actor.role != "enterprise", "a major hazard closed by the enterprise"
        status = NEXT_STATUS.get(kind, status)


def check_listings_rise(changes: list[Recorded]) -> None:
    ranks = [change.data.level.rank for change in changes if isinstance(change.data, HazardEscalated)]
    assert ranks == sorted(set(ranks)), f"listing levels did not only rise: {ranks}"


def check_deadlines(changes: list[Recorded]) -> None:
    """Rule 7: the deadline in force is the latest deadline decision — the report's, a first plan's
    (never later than one already given), a listing's, an extension's (always later) — and a
    revised plan keeps it; overdue is recorded at most once while one deadline is in force."""
    deadline: date | None = None
    planned, overdue_for = False, None
    for change in changes:
        data = change.data
        if isinstance(data, HazardDeadlineExtended):
            assert deadline is not None and data.previous_deadline == deadline < data.new_deadline
            deadline, overdue_for = data.new_deadline, None
        elif isinstance(data, HazardPlanSet):
            if planned:
                assert data.deadline == deadline, "a revised plan moved the deadline"
            else:
                assert deadline is None or data.deadline <= deadline, "a plan moved the deadline later"
            planned, deadline = True, data.deadline
        elif isinstance(data, HazardFound | HazardEscalated):
            deadline = data.deadline or deadline
        elif isinstance(data, HazardOverdue):
            assert data.deadline == deadline and overdue_for != deadline, f"overdue recorded twice for {deadline}"
            overdue_for = deadline
