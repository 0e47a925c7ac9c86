"""NATS subjects for contract events.

`hl.v1.<context>.<event>.<province>.<city>.<county>` — e.g. `hl.v1.hazard.escalated.37.3710.371002`.
Each region level is its own token holding the full code prefix, so a subscriber filters by
context, event and region with wildcards alone: a city bureau subscribes `hl.v1.hazard.*.37.3710.>`.
Codes shorter than a level (a province-level record) fill the missing tokens with `_`; towns
(9-digit codes) and units below the county are carried on the event, not in the subject.
"""

from __future__ import annotations

PREFIX = "hl.v1"
_LEVELS = (2, 4, 6)
_NONE = "_"


def region_tokens(region_code: str) -> list[str]:
    code = region_code.strip()
    return [code[:n] if len(code) >= n else _NONE for n in _LEVELS]


def subject_for(event_type: str, region_code: str) -> str:
    context, event = event_type.split(".", 1)
    return ".".join([PREFIX, context, event, *region_tokens(region_code)])


def subject_filter(context: str | None = None, event: str | None = None, region_prefix: str = "") -> str:
    """The narrowest wildcard subject matching a context, an event and a region prefix.

    A region prefix is matched at the level boundaries only (2, 4 or 6 digits); a prefix that
    falls between levels is rounded down to the enclosing level.
    """
    tokens = [PREFIX, context or "*", event or "*"]
    region = region_prefix.strip()
    for n in _LEVELS:
        if len(region) >= n:
            tokens.append(region[:n])
    if len(tokens) < 6:
        tokens.append(">")
    return ".".join(tokens)


def stream_subjects(context: str) -> list[str]:
    return [f"{PREFIX}.{context}.>"]
