"""Builders for hazard domain tests: principals, commands and hazards in a given state."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hl_contracts import Actor, CloudEvent
from hl_contracts.vocabulary import HazardLevel, HazardSource, ListingLevel, ProductionHalt
from hl_hazard.domain import (
    DecideAcceptance,
    Delist,
    EnterpriseSnapshot,
    Escalate,
    ExtendDeadline,
    Hazard,
    Principal,
    ReportHazard,
    ReportRectification,
    SetPlan,
)

NOW = datetime(2024, 6, 20, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai
FOUND_AT = NOW - timedelta(days=10)
DEADLINE = date(2024, 7, 31)
ENTERPRISE = EnterpriseSnapshot(
    id="ent-1", name="威海某化工有限公司", region_code="371002", industry="hazardous_chemicals"
)


def random_id() -> str:
    return f"hz-{uuid.uuid4().hex[:12]}"


def principal(role: str, *, level: ListingLevel | None = None, enterprise_id: str | None = None) -> Principal:
    actor = Actor(id=f"user-{role}-{level or ''}", name=f"{role} 用户", role=role, organisation="威海市应急管理局")
    return Principal(actor=actor, level=level, region_code="3710", enterprise_id=enterprise_id)


ENTERPRISE_USER = principal("enterprise", enterprise_id=ENTERPRISE.id)
OTHER_ENTERPRISE_USER = principal("enterprise", enterprise_id="ent-2")
INSPECTOR = principal("inspector")
ADMIN = principal("admin")
PLATFORM = principal("platform")
SYSTEM = Principal.system()


def inspector(level: ListingLevel) -> Principal:
    return principal("inspector", level=level)


def supervisor(level: ListingLevel) -> Principal:
    return principal("supervisor", level=level)


def major_report(**changes: Any) -> ReportHazard:
    cmd = ReportHazard(
        enterprise_id=ENTERPRISE.id,
        source=HazardSource.SELF_INSPECTION,
        level=HazardLevel.MAJOR,
        title="储罐区可燃气体报警器失效",
        found_at=FOUND_AT,
        found_by="张三",
        production_halt=ProductionHalt.PARTIAL,
        standard_clause="AQ 3035 第4.2条",
    )
    return replace(cmd, **changes)


def general_report(**changes: Any) -> ReportHazard:
    cmd = major_report(level=HazardLevel.GENERAL, production_halt=None, standard_clause=None, deadline=DEADLINE)
    return replace(cmd, **changes)


def plan(**changes: Any) -> SetPlan:
    cmd = SetPlan(
        responsible_person="李四",
        measures="更换报警器并联锁",
        funds_yuan=Decimal("12000.50"),
        deadline=DEADLINE,
        emergency_plan="泄漏应急处置方案",
    )
    return replace(cmd, **changes)


def rectification(**changes: Any) -> ReportRectification:
    return replace(ReportRectification(completed_at=NOW - timedelta(days=2), description="已更换"), **changes)


def acceptance(accepted: bool = True, **changes: Any) -> DecideAcceptance:
    cmd = DecideAcceptance(accepted=accepted, reviewer="王检查", decided_at=NOW - timedelta(days=1))
    return replace(cmd, **changes)


def escalation(level: ListingLevel, **changes: Any) -> Escalate:
    cmd = Escalate(
        level=level,
        authority=f"{level} 安委会",
        reason="重大事故隐患挂牌督办",
        deadline=DEADLINE,
        escalated_at=FOUND_AT + timedelta(days=1),
    )
    return replace(cmd, **changes)


def delisting(**changes: Any) -> Delist:
    return replace(Delist(delisted_at=NOW, reason="已验收"), **changes)


def extension(new_deadline: date, **changes: Any) -> ExtendDeadline:
    return replace(ExtendDeadline(new_deadline=new_deadline, reason="设备到货延迟", approved_by="赵局长"), **changes)


def reported(cmd: ReportHazard | None = None, by: Principal = ENTERPRISE_USER) -> Hazard:
    return Hazard.report(random_id(), cmd or major_report(), ENTERPRISE, by, NOW)


def rectifying_major() -> Hazard:
    hazard = reported()
    hazard.set_plan(plan(), ENTERPRISE_USER, NOW)
    return hazard


def rectified_major() -> Hazard:
    hazard = rectifying_major()
    hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    return hazard


def listed_major(level: ListingLevel) -> Hazard:
    hazard = rectifying_major()
    hazard.escalate(escalation(level), supervisor(level), NOW)
    return hazard


def closed_listed_major(level: ListingLevel) -> Hazard:
    hazard = listed_major(level)
    hazard.report_rectification(rectification(), ENTERPRISE_USER, NOW)
    hazard.decide_acceptance(acceptance(), supervisor(level), NOW)
    return hazard


def history(hazard: Hazard, since: int = 0) -> list[CloudEvent]:
    """The hazard's recorded changes (from the `since`-th on) as the repository would store them."""
    return [
        CloudEvent.create(
            data=change.data,
            service="hazard",
            aggregate_id=hazard.id,
            sequence=change.version,
            region_code=hazard.region_code,
            industry=hazard.industry,
            actor=change.actor,
            time=change.time,
        )
        for change in hazard.changes[since:]
    ]


def event_types(hazard: Hazard) -> list[str]:
    return [change.data.event_type for change in hazard.changes]
