"""A month of contract events (May 2024, Weihai) whose dispatch-table figures are known by hand.

Times are Asia/Shanghai. The traps: H2 found at 23:30 on the 24th (counted) and H3 at 00:10 on the
25th (not counted, though its UTC date is the 24th); H4's acceptance rejected; H7 voided; H8's
rectification and H9's discovery back-dated (recorded after the cut-off); H10 reclassified general →
major on the 22nd; H6 listed at county then province level with its deadline extended; H14 found
before `since`, rectified in May (counts only when `since` reaches back to it).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hl_contracts import Actor, CloudEvent
from hl_contracts.enterprise import EnterpriseEnforcementRecorded, EnterpriseInspected, EnterpriseRegistered, Person
from hl_contracts.hazard import (
    HazardAccepted,
    HazardDeadlineExtended,
    HazardDelisted,
    HazardEscalated,
    HazardFound,
    HazardPlanSet,
    HazardReclassified,
    HazardRectified,
    HazardRejected,
    HazardVoided,
)
from hl_contracts.registry import EventData
from hl_contracts.vocabulary import HazardLevel, HazardSource, ListingLevel

SHANGHAI = ZoneInfo("Asia/Shanghai")
INSPECTOR = Actor(id="user-inspector-1", name="王检查", role="inspector", organisation="威海市应急管理局")
CHEM, BUILD = "hazardous_chemicals", "construction"
_ids = itertools.count(1)


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2024) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class Stream:
    """One aggregate's events, numbered in order."""

    service: str
    aggregate_id: str
    region_code: str
    industry: str
    events: list[CloudEvent] = field(default_factory=list)

    def emit(self, data: EventData, time: datetime, recorded: datetime | None = None) -> Stream:
        self.events.append(
            CloudEvent.create(
                data=data,
                service=self.service,
                aggregate_id=self.aggregate_id,
                sequence=len(self.events) + 1,
                region_code=self.region_code,
                industry=self.industry,
                actor=INSPECTOR,
                time=time,
                recorded_at=recorded or time,
            )
        )
        return self


class HazardStream(Stream):
    def found(self, source: str, level: str, when: datetime, recorded: datetime | None = None) -> HazardStream:
        data = HazardFound(
            enterprise_id=f"ent-of-{self.aggregate_id}",
            enterprise_name=f"{self.aggregate_id}公司",
            source=HazardSource(source),
            level=HazardLevel(level),
            title=f"隐患{self.aggregate_id}",
            found_at=when,
            found_by="张三",
        )
        self.emit(data, when, recorded)
        return self

    def plan(self, when: datetime, deadline: date, funds: int) -> HazardStream:
        data = HazardPlanSet(
            responsible_person="李四",
            measures="整改",
            funds_yuan=Decimal(funds),
            deadline=deadline,
            emergency_plan="预案",
        )
        self.emit(data, when)
        return self

    def rectified(self, when: datetime, recorded: datetime | None = None, immediate: bool = False) -> HazardStream:
        self.emit(HazardRectified(completed_at=when, immediate=immediate), when, recorded)
        return self

    def accepted(self, when: datetime) -> HazardStream:
        self.emit(HazardAccepted(reviewer="赵验收", decided_at=when), when)
        return self

    def rejected(self, when: datetime) -> HazardStream:
        self.emit(HazardRejected(reviewer="赵验收", opinion="未整改到位", decided_at=when), when)
        return self

    def escalated(self, when: datetime, level: str, deadline: date, authority: str = "威海市安委会") -> HazardStream:
        data = HazardEscalated(
            level=ListingLevel(level), authority=authority, reason="重大隐患", deadline=deadline, escalated_at=when
        )
        self.emit(data, when)
        return self

    def delisted(self, when: datetime, level: str) -> HazardStream:
        self.emit(HazardDelisted(level=ListingLevel(level), delisted_at=when), when)
        return self

    def extended(self, when: datetime, previous: date, new: date) -> HazardStream:
        data = HazardDeadlineExtended(
            previous_deadline=previous, new_deadline=new, reason="设备到货延迟", approved_by="周主任"
        )
        self.emit(data, when)
        return self

    def reclassified(self, when: datetime, previous: str, level: str) -> HazardStream:
        data = HazardReclassified(previous_level=HazardLevel(previous), level=HazardLevel(level), reason="复核")
        self.emit(data, when)
        return self

    def voided(self, when: datetime) -> HazardStream:
        self.emit(HazardVoided(reason="重复上报"), when)
        return self


class EnterpriseStream(Stream):
    def registered(self, name: str) -> EnterpriseStream:
        uscc = f"91371000MA{next(_ids):08d}"[:18].ljust(18, "0")
        data = EnterpriseRegistered(
            uscc=uscc, name=name, region_code=self.region_code, industry=self.industry, principal=Person(name="钱负责")
        )
        self.emit(data, at(1, 2, year=2023))
        return self

    def inspected(self, on: date, *findings: str) -> EnterpriseStream:
        data = EnterpriseInspected(
            inspection_id=f"insp-{next(_ids)}", department="威海市应急管理局", inspected_on=on, findings=list(findings)
        )
        self.emit(data, datetime(on.year, on.month, on.day, 9, tzinfo=SHANGHAI))
        return self

    def enforced(self, kind: str, on: date, **details: Any) -> EnterpriseStream:
        data = EnterpriseEnforcementRecorded(
            action_id=f"act-{next(_ids)}", kind=kind, department="威海市应急管理局", decided_on=on, **details
        )
        self.emit(data, datetime(on.year, on.month, on.day, 9, tzinfo=SHANGHAI))
        return self


def d(month: int, day: int, year: int = 2024) -> date:
    return date(year, month, day)


def hazard_streams(prefix: str) -> dict[str, HazardStream]:
    """The hazards H1–H14; ids carry `prefix` so that scenarios never collide."""

    def h(name: str, region: str, industry: str = CHEM) -> HazardStream:
        return HazardStream("hazard", f"{prefix}-{name}", region, industry)

    late = at(5, 26, 9)
    return {
        "H1": h("H1", "371002100")
        .found("self_inspection", "major", at(5, 3))
        .plan(at(5, 4), d(5, 20), 200_000)
        .rectified(at(5, 10))
        .accepted(at(5, 12)),
        "H2": h("H2", "371002101").found("self_inspection", "major", at(5, 24, 23, 30)),
        "H3": h("H3", "371002101").found("self_inspection", "major", at(5, 25, 0, 10)),
        "H4": h("H4", "371003")
        .found("department_inspection", "major", at(5, 5))
        .plan(at(5, 6), d(5, 15), 50_000)
        .rectified(at(5, 14))
        .rejected(at(5, 16)),
        "H5": h("H5", "371071", BUILD)
        .found("department_inspection", "major", at(5, 2))
        .escalated(at(5, 3), "county", d(5, 30), "威海火炬高技术产业开发区安委会")
        .rectified(at(5, 20))
        .accepted(at(5, 21))
        .delisted(at(5, 22), "county"),
        "H6": h("H6", "371002100")
        .found("public_report", "major", at(5, 8))
        .escalated(at(5, 9), "county", d(6, 30))
        .escalated(at(5, 15), "province", d(6, 15), "山东省安委会")
        .extended(at(5, 20), d(6, 15), d(7, 15)),
        "H7": h("H7", "371002100").found("self_inspection", "major", at(5, 6)).rectified(at(5, 7)).voided(at(5, 10)),
        "H8": h("H8", "371002102").found("department_inspection", "major", at(4, 10)).rectified(at(5, 20), late),
        "H9": h("H9", "371002").found("public_report", "major", at(4, 20), late),
        "H10": h("H10", "371002100")
        .found("self_inspection", "general", at(5, 10))
        .reclassified(at(5, 22), "general", "major"),
        "H11": h("H11", "371071", BUILD)
        .found("self_inspection", "general", at(5, 11))
        .rectified(at(5, 11), immediate=True),
        "H12": h("H12", "371003")
        .found("department_inspection", "major", at(5, 12))
        .escalated(at(5, 13), "province", d(5, 20), "山东省安委会"),
        "H13": h("H13", "370102").found("self_inspection", "major", at(5, 5)),
        "H14": h("H14", "371002100").found("self_inspection", "major", at(12, 15, year=2023)).rectified(at(5, 5)),
    }


def enterprise_streams(prefix: str) -> dict[str, EnterpriseStream]:
    def e(name: str, region: str, industry: str = CHEM) -> EnterpriseStream:
        return EnterpriseStream("enterprise", f"{prefix}-{name}", region, industry).registered(f"{name}有限公司")

    return {
        "E1": e("E1", "371002100")
        .inspected(d(5, 6), "principal_not_studied", "no_emergency_drill")
        .inspected(d(5, 15), "principal_not_studied")
        .enforced("assistance_visit", d(5, 7), key_enterprise=True)
        .enforced("assistance_visit", d(5, 8))
        .enforced("dual_penalty", d(5, 9))
        .enforced("suspension_order", d(5, 11))
        .enforced("suspension_order", d(5, 20))
        .enforced("typical_case", d(5, 12), dangerous_operation_crime=True),
        "E2": e("E2", "371003")
        .inspected(d(5, 10))
        .inspected(d(5, 25), "uncertified_special_workers")
        .enforced("administrative_penalty", d(5, 10), amount_wan=Decimal("3.5"))
        .enforced("administrative_penalty", d(5, 24), amount_wan=Decimal("1.25"))
        .enforced("administrative_penalty", d(5, 25), amount_wan=Decimal("10"))
        .enforced("judicial_referral", d(5, 13), persons=2)
        .enforced("exposure", d(5, 14))
        .enforced("interview", d(5, 15))
        .enforced("accountability", d(5, 16), persons=3)
        .enforced("region_interview", d(5, 17)),
        "E3": e("E3", "371071", BUILD)
        .inspected(d(12, 20, 2023), "outsourcing_chaos")
        .inspected(d(4, 3))
        .enforced("joint_punishment", d(5, 18))
        .enforced("typical_case", d(5, 19)),
        "E4": e("E4", "370102")
        .inspected(d(5, 10), "insufficient_safety_staff")
        .enforced("administrative_penalty", d(5, 10), amount_wan=Decimal("100")),
    }


def interleave(streams: list[Stream]) -> list[CloudEvent]:
    """Round-robin across aggregates, each aggregate's own events in order (a natural delivery)."""
    queues = [list(stream.events) for stream in streams]
    events: list[CloudEvent] = []
    while any(queues):
        for queue in queues:
            if queue:
                events.append(queue.pop(0))
    return events


# Figures for Weihai (3710), period 2024-05, since 1 January, cut-off the end of 24 May.
MAY_WEIHAI: dict[str, Any] = {
    "self_inspection_major_found": 3,  # H1, H2 (23:30 on the 24th), H10 (major since the 22nd)
    "self_inspection_major_rectified": 1,  # H1 (H7 voided; H14 found before since)
    "department_inspection_major_found": 4,  # H4, H5, H8, H12
    "department_inspection_major_rectified": 2,  # H5, H8 (back-dated); H4 rejected
    "listed_major": 3,  # H5, H6, H12
    "listed_major_rectified": 1,  # H5
    "enterprises_inspected": 3,
    "deficiency_principal_not_studied": 1,
    "deficiency_principal_not_led_inspection": 0,
    "deficiency_no_deputy_duty_list": 0,
    "deficiency_insufficient_safety_staff": 0,
    "deficiency_uncertified_special_workers": 0,
    "deficiency_outsourcing_chaos": 0,
    "deficiency_no_emergency_drill": 1,
    "assistance_visits": 2,
    "key_enterprise_assistance": 1,
    "administrative_penalties": 2,
    "administrative_penalty_amount_wan": Decimal("4.75"),
    "dual_penalties": 1,
    "judicial_referrals": 2,
    "suspension_orders": 1,
    "exposed_interviewed_punished": 2,
    "typical_cases": 2,
    "typical_cases_dangerous_operation": 1,
    "persons_held_accountable": 3,
    "regions_interviewed": 1,
    "general_found": 1,
    "general_rectified": 1,
    "major_found": 9,
    "major_rectified": 3,
    "rectification_rate": Decimal("40.00"),
    "major_rectification_rate": Decimal("33.33"),
    "overdue": 2,  # H4 (deadline 15th, rejected), H12 (deadline 20th)
    "funds_committed_wan": Decimal("25"),
    "listed_province": 2,
    "listed_city": 0,
    "listed_county": 1,
}

TODAY = date(2024, 5, 25)
NOW = datetime(2024, 5, 25, 2, tzinfo=UTC)
