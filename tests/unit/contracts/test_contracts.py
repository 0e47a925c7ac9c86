"""The public event contract: envelope, registry with upcasting, subjects, schemas, AsyncAPI."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import jsonschema
import pytest
from cloudevents.core.formats.json import JSONFormat

from hl_contracts import CloudEvent, EventData, EventRegistry, UnknownEventType, subject_filter, subject_for
from hl_contracts.schemas import all_schemas, asyncapi_document, event_schema
from tests.support.events import found


def _matches(pattern: str, subject: str) -> bool:
    """NATS wildcard semantics: `*` one token, `>` one or more trailing tokens."""
    p, s = pattern.split("."), subject.split(".")
    for i, token in enumerate(p):
        if token == ">":
            return len(s) > i
        if i >= len(s) or (token != "*" and token != s[i]):
            return False
    return len(p) == len(s)


def test_envelope_round_trips_and_is_a_valid_cloudevent_for_the_sdk() -> None:
    event = found(region="371002")
    raw = event.to_json()
    assert CloudEvent.from_json(raw) == event
    sdk_event = JSONFormat().read(None, raw)  # the CloudEvents SDK validates the attributes
    assert sdk_event.get_specversion() == "1.0" and sdk_event.get_type() == "hazard.found"
    assert sdk_event.get_extension("sequence") == 1 and sdk_event.get_extension("regioncode") == "371002"
    assert sdk_event.get_dataschema() == "urn:hazard-ledger:schema:hazard.found:v1"


def test_subject_carries_context_event_and_region_levels() -> None:
    assert subject_for("hazard.escalated", "371002") == "hl.v1.hazard.escalated.37.3710.371002"
    assert subject_for("hazard.found", "371002103") == "hl.v1.hazard.found.37.3710.371002"  # a town
    assert subject_for("enterprise.registered", "37") == "hl.v1.enterprise.registered.37._._"


@pytest.mark.parametrize(
    ("pattern_args", "subject", "expected"),
    [
        ({"context": "hazard", "region_prefix": "3710"}, "hl.v1.hazard.escalated.37.3710.371002", True),
        ({"context": "hazard", "region_prefix": "3710"}, "hl.v1.hazard.escalated.37.3701.370102", False),
        ({"context": "hazard", "event": "escalated"}, "hl.v1.hazard.found.37.3710.371002", False),
        ({"region_prefix": "371002"}, "hl.v1.enterprise.inspected.37.3710.371002", True),
        ({}, "hl.v1.hazard.found.37.3710.371002", True),
    ],
)
def test_subject_filters_select_by_wildcards_alone(pattern_args: dict[str, str], subject: str, expected: bool) -> None:
    assert _matches(subject_filter(**pattern_args), subject) is expected


def test_old_versions_are_upcast_on_read_never_rewritten() -> None:
    registry = EventRegistry()

    @registry.register
    class SampleNoted(EventData):
        event_type: ClassVar[str] = "sample.noted"
        event_version: ClassVar[int] = 2
        title: str
        severity: str

    @registry.upcaster("sample.noted", 1)
    def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "severity": "unknown"}

    parsed = registry.parse("sample.noted", 1, {"title": "旧事件"})
    assert isinstance(parsed, SampleNoted) and parsed.severity == "unknown"
    with pytest.raises(UnknownEventType):
        registry.parse("sample.noted", 3, {"title": "未来"})
    with pytest.raises(UnknownEventType):
        registry.parse("sample.unknown", 1, {})


def test_every_event_type_has_a_schema_that_accepts_real_data() -> None:
    schemas = all_schemas()
    assert {"hazard.found", "hazard.escalated", "enterprise.registered", "enterprise.inspected"} <= set(schemas)
    event = found()
    jsonschema.validate(event.data, event_schema("hazard.found"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**event.data, "level": "catastrophic"}, event_schema("hazard.found"))


def test_asyncapi_document_names_every_channel_with_region_parameters() -> None:
    document = asyncapi_document()
    assert document["asyncapi"].startswith("3.")
    assert len(document["channels"]) == len(all_schemas())
    channel = document["channels"]["hazard_escalated"]
    assert channel["address"] == "hl.v1.hazard.escalated.{province}.{city}.{county}"
    assert set(channel["parameters"]) == {"province", "city", "county"}


def test_event_time_is_the_business_time_and_recordedtime_when_it_was_written() -> None:
    at = datetime(2026, 3, 24, 15, 30, tzinfo=UTC)
    event = found(at=at)
    assert event.time == at and event.recordedtime >= at


def test_published_contract_documents_are_up_to_date(tmp_path: Path) -> None:
    """docs/events is what other bureaus read: regenerate it (python -m hl_contracts) when types change."""
    from hl_contracts.__main__ import write_contract

    root = Path(__file__).resolve().parents[3] / "docs" / "events"
    for generated in write_contract(tmp_path):
        committed = root / generated.relative_to(tmp_path)
        assert committed.exists(), f"{committed} is missing: run python -m hl_contracts docs/events"
        assert committed.read_text(encoding="utf-8") == generated.read_text(encoding="utf-8"), f"{committed} is stale"


@pytest.mark.parametrize(
    ("event_type", "data", "field"),
    [
        (
            "hazard.plan_set",
            {
                "responsible_person": "李四",
                "measures": "更换",
                "funds_yuan": "100",
                "deadline": "2024-05-20",
                "emergency_plan": "预案",
            },
            "decided_at",
        ),
        (
            "hazard.deadline_extended",
            {"previous_deadline": "2024-05-20", "new_deadline": "2024-06-20", "reason": "延期", "approved_by": "赵"},
            "approved_at",
        ),
        ("hazard.reclassified", {"previous_level": "general", "level": "major", "reason": "复核"}, "decided_at"),
        ("hazard.voided", {"reason": "重复上报"}, "decided_at"),
    ],
)
def test_v1_decisions_are_upcast_and_dated_by_their_envelope(event_type: str, data: dict[str, Any], field: str) -> None:
    """Decision events gained their business time in v2; a stored v1 event still reads, undated in
    its data, and its envelope time (it was recorded when decided) is its business time."""
    from hl_contracts.hazard import decided_at

    recorded = datetime(2024, 5, 4, 2, 0, tzinfo=UTC)
    envelope = found().model_copy(
        update={
            "type": event_type,
            "data": data,
            "dataschema": f"urn:hazard-ledger:schema:{event_type}:v1",
            "time": recorded,
        }
    )
    parsed = envelope.payload()
    assert getattr(parsed, field) is None and decided_at(parsed, envelope.time) == recorded
    assert parsed.schema_uri().endswith(":v2")
    dated = type(parsed).model_validate({**data, field: "2024-05-03T01:00:00Z"})
    assert decided_at(dated, recorded) == datetime(2024, 5, 3, 1, 0, tzinfo=UTC)
