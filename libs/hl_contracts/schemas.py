"""JSON Schemas for every event type, and the AsyncAPI document of the public channels."""

from __future__ import annotations

from typing import Any

from hl_contracts.envelope import CloudEvent
from hl_contracts.registry import REGISTRY, EventRegistry
from hl_contracts.subjects import PREFIX


def event_schema(event_type: str, registry: EventRegistry = REGISTRY) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one event type's `data`, at its current version."""
    model = registry.model(event_type)
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = model.schema_uri()
    schema["title"] = event_type
    return schema


def all_schemas(registry: EventRegistry = REGISTRY) -> dict[str, dict[str, Any]]:
    return {event_type: event_schema(event_type, registry) for event_type in registry.types()}


def asyncapi_document(registry: EventRegistry = REGISTRY) -> dict[str, Any]:
    """AsyncAPI 3.0: one channel per event type, region tokens as parameters."""
    envelope = CloudEvent.model_json_schema()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, model in registry.types().items():
        context, event = event_type.split(".", 1)
        key = event_type.replace(".", "_")
        messages[key] = {
            "name": event_type,
            "title": model.__doc__.strip().splitlines()[0] if model.__doc__ else event_type,
            "contentType": "application/cloudevents+json",
            "headers": {
                "type": "object",
                "properties": {"Nats-Msg-Id": {"type": "string", "description": "= CloudEvent id"}},
            },
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/CloudEvent"},
                    {
                        "type": "object",
                        "properties": {"type": {"const": event_type}, "data": event_schema(event_type, registry)},
                    },
                ]
            },
        }
        channels[key] = {
            "address": f"{PREFIX}.{context}.{event}.{{province}}.{{city}}.{{county}}",
            "parameters": {
                "province": {"description": "2-digit GB/T 2260 province code, or _"},
                "city": {"description": "4-digit city code prefix, or _"},
                "county": {"description": "6-digit county / development-zone code, or _"},
            },
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        }
        operations[f"receive_{key}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{key}"},
            "summary": f"Subscribe to {event_type}",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Hazard Ledger events",
            "version": "1.0.0",
            "description": (
                "CloudEvents 1.0 (structured JSON) on NATS JetStream. Streams: HL_HAZARD, HL_ENTERPRISE, HL_TIPS."
            ),
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": {"CloudEvent": envelope}},
    }
