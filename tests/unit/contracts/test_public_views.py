"""The documented response is the served response, checked without a server: what the hazard and
enterprise services answer (a hazard's record, an enterprise's record) is exactly their public
schema, read strictly — every documented key is sent and nothing else is — at each stage of a
hazard's life. (The tips service answers typed views; the gateway's served-bodies test checks
every route's answer against /openapi.json.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from hl_api.enterprises import EnterprisePublic
from hl_api.hazards import HazardPublic
from hl_contracts.vocabulary import HazardLevel, ListingLevel, ProductionHalt
from hl_enterprise.application.views import enterprise_view
from hl_enterprise.domain.model import Enterprise
from hl_enterprise.domain.profile import parse_profile
from hl_hazard.domain import Hazard, Reclassify, Void
from hl_hazard.domain.commands import ReceiveListing
from tests.support.schemas import exact, mismatches
from tests.unit.contracts.samples import ACTOR, PROFILE
from tests.unit.hazard.builders import (
    DEADLINE,
    ENTERPRISE_USER,
    FOUND_AT,
    INSPECTOR,
    NOW,
    acceptance,
    closed_listed_major,
    delisting,
    extension,
    general_report,
    listed_major,
    rectified_major,
    rectifying_major,
    reported,
    supervisor,
)

CITY = ListingLevel.CITY


def exact_schema(model: type[BaseModel]) -> dict[str, Any]:
    """`model`'s response schema with every object closed and every key required."""
    schema = model.model_json_schema(mode="serialization")
    defs = schema.pop("$defs", {})
    return {"$defs": exact({**defs, model.__name__: schema}), "$ref": f"#/$defs/{model.__name__}"}


def _received() -> Hazard:
    hazard = listed_major(CITY)
    when = FOUND_AT + timedelta(days=2)
    receipt = ReceiveListing(receiving_unit="威海某化工有限公司", received_by="张三", received_at=when)
    hazard.receive_listing(receipt, ENTERPRISE_USER, NOW)
    return hazard


def _delisted() -> Hazard:
    hazard = closed_listed_major(CITY)
    hazard.delist(delisting(), supervisor(CITY), NOW)
    return hazard


def _rejected() -> Hazard:
    hazard = rectified_major()
    hazard.decide_acceptance(acceptance(accepted=False, opinion="未整改到位"), INSPECTOR, NOW)
    return hazard


def _overdue() -> Hazard:
    hazard = rectifying_major()
    hazard.mark_overdue(NOW.replace(year=DEADLINE.year + 1))
    return hazard


def _extended_and_reclassified() -> Hazard:
    hazard = reported(general_report())
    hazard.extend_deadline(extension(DEADLINE + timedelta(days=10)), INSPECTOR, NOW)
    judged = Reclassify(level=HazardLevel.MAJOR, reason="复核为重大隐患", production_halt=ProductionHalt.PARTIAL)
    hazard.reclassify(judged, INSPECTOR, NOW)
    return hazard


def _voided() -> Hazard:
    hazard = rectifying_major()
    hazard.void(Void(reason="重复录入"), INSPECTOR, NOW)
    return hazard


def _rectified_immediately() -> Hazard:
    return reported(general_report(rectify_immediately=True))


STAGES = {
    "reported": reported,
    "rectifying": rectifying_major,
    "rectified": rectified_major,
    "rejected": _rejected,
    "listed and received": _received,
    "closed": lambda: closed_listed_major(CITY),
    "delisted": _delisted,
    "overdue": _overdue,
    "extended and reclassified": _extended_and_reclassified,
    "voided": _voided,
    "rectified immediately": _rectified_immediately,
}


@pytest.mark.parametrize("stage", STAGES)
def test_a_hazards_record_is_its_public_schema_exactly(stage: str) -> None:
    record = STAGES[stage]().snapshot()
    assert mismatches(exact_schema(HazardPublic), record) == []
    assert HazardPublic.model_validate(record).model_dump(mode="json") == record  # nothing lost or recast


def test_the_strict_reading_catches_a_missing_and_an_extra_key() -> None:
    record = rectifying_major().snapshot()
    schema = exact_schema(HazardPublic)
    assert mismatches(schema, {key: value for key, value in record.items() if key != "listings"})
    assert mismatches(schema, {**record, "details": {}})
    assert mismatches(schema, {**record, "plan": {**record["plan"], "budget": 1}})


def test_an_enterprises_record_is_its_public_schema_exactly() -> None:
    enterprise = Enterprise.register("ent-1", parse_profile(PROFILE), ACTOR, NOW)
    enterprise.update({"safety_director": {"name": "李四"}}, ACTOR, NOW)
    enterprise.blacklist("未落实整改", "威海市应急管理局", NOW.date(), ACTOR, NOW)
    enterprise.close("企业注销", NOW.date(), ACTOR, NOW)
    record = enterprise_view(enterprise)
    assert mismatches(exact_schema(EnterprisePublic), record) == []
    assert EnterprisePublic.model_validate(record).model_dump(mode="json") == record
