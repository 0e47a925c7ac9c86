"""Random command sequences by random callers at random times: the aggregate's invariants hold
after every step, whether the command was accepted or refused.
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

from hl_contracts.hazard import (
    HazardDeadlineExtended,
    HazardEscalated,
    HazardFound,
    HazardOverdue,
    HazardPlanSet,
    HazardReclassified,
)
from hl_contracts.vocabulary import HazardLevel, HazardSource, ListingLevel, ProductionHalt
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
from hl_hazard.domain.clock import local_date
from hl_platform.aggregate import Recorded
from hl_platform.errors import DomainError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    level = st.sampled_from(list(HazardLevel))
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


def commands(hazard: Hazard, clock: datetime) -> st.SearchStrategy[Command]:
    """Plausible commands for this hazard now, with enough noise that many are refused."""
    anchor = hazard.deadline or local_date(hazard.found_at)
    return st.one_of(
        st.builds(
            SetPlan,
            responsible_person=st.just("李四"),
            measures=st.sampled_from(["更换设备", ""]),
            funds_yuan=st.sampled_from([Decimal(0), Decimal("1500.5"), Decimal(-1)]),
            deadline=st.just(anchor) | deadlines(anchor),
            emergency_plan=st.just("应急预案"),
        ),
        st.builds(ReportRectification, completed_at=moments(clock)),
        st.builds(DecideAcceptance, accepted=st.booleans(), reviewer=st.just("王检查"), decided_at=moments(clock)),
        st.builds(
            Escalate,
            level=st.sampled_from(LEVELS),
            authority=st.just("安委会"),
            reason=st.just("挂牌督办"),
            deadline=deadlines(anchor),
            escalated_at=moments(clock),
        ),
        st.builds(Delist, delisted_at=moments(clock)),
        st.builds(ExtendDeadline, new_deadline=deadlines(anchor), reason=st.just("延期"), approved_by=st.just("赵")),
        st.builds(
            Reclassify,
            level=st.sampled_from(list(HazardLevel)),
            reason=st.just("复核"),
            production_halt=st.none() | st.sampled_from(list(ProductionHalt)),
        ),
        st.builds(Void, reason=st.just("误报")),
        st.just(MarkOverdue()),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_command_sequences_keep_the_invariants(data: st.DataObject) -> None:
    cmd, reporter = data.draw(reports(), label="report")
    try:
        hazard = Hazard.report(random_id(), cmd, ENTERPRISE, reporter, START)
    except DomainError:
        return
    check_invariants(hazard)
    clock = START
    for _ in range(data.draw(st.integers(0, 25), label="steps")):
        clock += data.draw(days(0, 12), label="wait")
        step(hazard, data.draw(commands(hazard, clock)), data.draw(st.sampled_from(CALLERS)), clock)


def step(hazard: Hazard, cmd: Command, caller: Principal, clock: datetime) -> None:
    before = copy.deepcopy(vars(hazard))
    try:
        recorded = hazard.execute(cmd, caller, clock)
    except DomainError:
        assert vars(hazard) == before, "a refused command recorded or changed something"
    else:
        new = hazard.changes[len(before["changes"]) :]
        assert recorded == bool(new)
        assert all(change.time <= clock and change.time.utcoffset() == timedelta(0) for change in new)
    check_invariants(hazard)


def check_invariants(hazard: Hazard) -> None:
    changes = hazard.changes
    assert hazard.version == len(changes)
    assert [change.version for change in changes] == list(range(1, len(changes) + 1))
    assert Hazard.replay(hazard.id, history(hazard)).snapshot() == hazard.snapshot()
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
    """Rule 7: once set, only an extension moves the deadline, and later; overdue once per deadline."""
    overdue = Counter(change.data.deadline for change in changes if isinstance(change.data, HazardOverdue))
    assert all(count == 1 for count in overdue.values()), f"overdue recorded twice: {overdue}"
    deadline: date | None = None
    for change in changes:
        data = change.data
        if isinstance(data, HazardDeadlineExtended):
            assert deadline is not None and data.previous_deadline == deadline < data.new_deadline
            deadline = data.new_deadline
        elif isinstance(data, HazardFound | HazardPlanSet):
            assert deadline in (None, data.deadline), "an edit moved the deadline"
            deadline = data.deadline or deadline
