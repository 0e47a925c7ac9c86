"""An integrator's program, written against the client that openapi-python-client generates from the
gateway's `/openapi.json` (package `hazard_ledger_client`) and nothing else: it registers an
enterprise, takes one major hazard through its whole lifecycle (reported → 五到位 plan → rectified →
accepted and closed, 销号) and reads the monthly dispatch table (调度表).

The package does not exist in the repository: the e2e test generates it, type-checks it and this
module with `mypy --strict`, and only then imports this module.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import httpx
from hazard_ledger_client import AuthenticatedClient
from hazard_ledger_client.api.enterprises import register_enterprise_api_v1_enterprises_post as register_enterprise
from hazard_ledger_client.api.hazards import (
    decide_acceptance_api_v1_hazards_hazard_id_acceptance_post as decide_acceptance,
)
from hazard_ledger_client.api.hazards import get_history_api_v1_hazards_hazard_id_history_get as get_history
from hazard_ledger_client.api.hazards import report_hazard_api_v1_hazards_post as report_hazard
from hazard_ledger_client.api.hazards import (
    report_rectification_api_v1_hazards_hazard_id_rectification_post as report_rectification,
)
from hazard_ledger_client.api.hazards import set_plan_api_v1_hazards_hazard_id_plan_post as set_plan
from hazard_ledger_client.api.identities import issue_key_api_v1_api_keys_post as issue_key
from hazard_ledger_client.api.reports import monthly_report_api_v1_reports_monthly_get as monthly_report
from hazard_ledger_client.models import (
    AcceptanceDecision,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyCreateRole,
    ContactIn,
    DispatchTable,
    EnterpriseCreate,
    EnterpriseCreateIndustry,
    EnterprisePublic,
    HazardCreate,
    HazardLevel,
    HazardPublic,
    HazardSource,
    HistoryEntry,
    PlanSet,
    Problem,
    ProductionHalt,
    RectificationReport,
)

T = TypeVar("T")
# The hazard service learns of a new enterprise from its event: until then a report is a 409.
CATCH_UP_S = 20.0


class Refused(Exception):
    """The API answered with a problem (or nothing the document describes) where a result was due."""


def client(base_url: str, key: str) -> AuthenticatedClient:
    """A client of the gateway at `base_url` (its paths carry `/api/v1`) for one API key."""
    return AuthenticatedClient(base_url=base_url, token=key, timeout=httpx.Timeout(30.0))


def expect(answer: T | Problem | None, model: type[T]) -> T:
    """The typed result, or `Refused` naming the problem."""
    if isinstance(answer, model):
        return answer
    raise Refused(f"expected {model.__name__}, got {answer!r}")


def inspector_key(admin: AuthenticatedClient, region_code: str, department: str) -> str:
    """An inspector's API key (issued by an admin), for a department working in `region_code`."""
    body = ApiKeyCreate(role=ApiKeyCreateRole.INSPECTOR, name="王检查", region_code=region_code, department=department)
    return expect(issue_key.sync(client=admin, body=body), ApiKeyCreated).key


def enterprise_key(admin: AuthenticatedClient, enterprise: EnterprisePublic) -> str:
    """An API key for the enterprise's own safety officer."""
    body = ApiKeyCreate(
        role=ApiKeyCreateRole.ENTERPRISE,
        name="冷库安全员",
        region_code=enterprise.region_code,
        enterprise_id=enterprise.id,
    )
    return expect(issue_key.sync(client=admin, body=body), ApiKeyCreated).key


def register(inspector: AuthenticatedClient, uscc: str, region_code: str) -> EnterprisePublic:
    body = EnterpriseCreate(
        uscc=uscc,
        name="威海某液氨冷库有限公司",
        region_code=region_code,
        industry=EnterpriseCreateIndustry.METALLURGY_INDUSTRY_TRADE,
        principal=ContactIn(name="赵总", phone="13806310000"),
        high_risk=True,
    )
    return expect(register_enterprise.sync(client=inspector, body=body), EnterprisePublic)


def report_major(inspector: AuthenticatedClient, enterprise_id: str, now: datetime) -> HazardPublic:
    """A major hazard found in a department's inspection, retried while the enterprise is unknown."""
    body = HazardCreate(
        enterprise_id=enterprise_id,
        source=HazardSource.DEPARTMENT_INSPECTION,
        level=HazardLevel.MAJOR,
        title="液氨制冷车间未设置氨气泄漏报警",
        found_at=now - timedelta(hours=3),
        found_by="王检查",
        production_halt=ProductionHalt.PARTIAL,
    )
    return _until(lambda: report_hazard.sync(client=inspector, body=body), HazardPublic, CATCH_UP_S)


def close_out(
    hazard: HazardPublic, company: AuthenticatedClient, inspector: AuthenticatedClient, now: datetime
) -> HazardPublic:
    """五到位 plan and rectification by the enterprise, acceptance (销号) by the department."""
    plan = PlanSet(
        responsible_person="赵总",
        measures="加装氨气泄漏报警并联动风机",
        funds_yuan="85000",
        deadline=(now + timedelta(days=30)).date(),
        emergency_plan="氨泄漏专项应急预案",
    )
    hazard = expect(set_plan.sync(hazard.id, client=company, body=plan, if_match=_etag(hazard)), HazardPublic)
    done = RectificationReport(completed_at=now - timedelta(hours=1), description="已安装并联调")
    hazard = expect(
        report_rectification.sync(hazard.id, client=company, body=done, if_match=_etag(hazard)), HazardPublic
    )
    decision = AcceptanceDecision(
        accepted=True, reviewer="李处长", opinion="整改到位", decided_at=now - timedelta(minutes=30)
    )
    return expect(
        decide_acceptance.sync(hazard.id, client=inspector, body=decision, if_match=_etag(hazard)), HazardPublic
    )


def history(reader: AuthenticatedClient, hazard_id: str) -> list[HistoryEntry]:
    answer = get_history.sync(hazard_id, client=reader)
    if not isinstance(answer, list):
        raise Refused(f"expected the history, got {answer!r}")
    return answer


def dispatch_table(reader: AuthenticatedClient, period: str, region_code: str) -> DispatchTable:
    return expect(monthly_report.sync(client=reader, period=period, region_code=region_code), DispatchTable)


def figure(table: DispatchTable, key: str) -> int:
    """One count of the table, by its key."""
    for section in table.sections:
        for row in section.rows:
            for cell in row.figures:
                if cell.key == key and isinstance(cell.value, int):
                    return cell.value
    raise KeyError(key)


def period_covering(today: date) -> str:
    """The dispatch period whose figures include `today` (Asia/Shanghai): its cut-off is the 24th."""
    if today.day <= 24:
        return f"{today:%Y-%m}"
    return f"{(today.replace(day=1) + timedelta(days=32)):%Y-%m}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def _etag(hazard: HazardPublic) -> str:
    return f'"{hazard.version}"'


def _until(call: Callable[[], T | Problem | None], model: type[T], timeout_s: float) -> T:
    """Retry `call` while it answers 409 (a projection still catching up), for at most `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        answer = call()
        if not (isinstance(answer, Problem) and answer.status == 409) or time.monotonic() > deadline:
            return expect(answer, model)
        time.sleep(0.2)
