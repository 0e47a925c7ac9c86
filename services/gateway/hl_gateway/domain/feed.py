"""The event feed's cursor and filters.

The public log is two JetStream streams (HL_HAZARD, HL_ENTERPRISE). A cursor is the position
reached in each: the sequence of the last event delivered (or skipped) there. It is opaque to
clients (`v1.<hazard seq>.<enterprise seq>`, base64url) and valid whatever the filter, so a client
may resume from any cursor it was given.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, replace
from typing import Final

from hl_contracts import REGISTRY
from hl_contracts.subjects import subject_filter
from hl_platform.errors import InvalidInput

STREAMS: Final = {"hazard": "HL_HAZARD", "enterprise": "HL_ENTERPRISE"}
_VERSION = "v1"
# JetStream sequences are unsigned 64-bit; a position must leave room for "the next one" and fit
# the signed integers JSON parsers commonly use, or the stream API refuses the request.
MAX_SEQUENCE: Final = 2**63 - 2
_SEQUENCE = re.compile(r"[0-9]{1,19}")


@dataclass(frozen=True)
class Cursor:
    positions: tuple[tuple[str, int], ...] = tuple((stream, 0) for stream in STREAMS.values())

    def position(self, stream: str) -> int:
        return dict(self.positions)[stream]

    def moved(self, stream: str, sequence: int) -> Cursor:
        positions = tuple((name, sequence if name == stream else seq) for name, seq in self.positions)
        return replace(self, positions=positions)

    def encode(self) -> str:
        raw = ".".join([_VERSION, *(str(seq) for _, seq in self.positions)])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str | None) -> Cursor:
        if not value:
            return cls()
        refused = InvalidInput("after", "not a cursor this feed issued")
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise refused from None
        version, *sequences = raw.split(".")
        if version != _VERSION or len(sequences) != len(STREAMS):
            raise refused
        if not all(_SEQUENCE.fullmatch(seq) for seq in sequences):
            raise refused
        numbers = [int(seq) for seq in sequences]
        if max(numbers) > MAX_SEQUENCE:
            raise InvalidInput("after", "names a position past any the feed can reach")
        return cls(tuple(zip(STREAMS.values(), numbers, strict=True)))


@dataclass(frozen=True)
class FeedFilter:
    """Which events a reader wants: an event type or a whole context, and a region prefix."""

    type: str | None = None
    region_code: str = ""

    @classmethod
    def of(cls, type_: str | None, region_code: str) -> FeedFilter:
        if type_ and type_ not in STREAMS and type_ not in REGISTRY.types():
            known = ", ".join([*STREAMS, *REGISTRY.types()])
            raise InvalidInput("type", f"unknown event type; one of {known}")
        return cls(type_ or None, region_code)

    def subjects(self) -> dict[str, str]:
        """Per stream to read, the narrowest NATS subject filter (region rounded to a level)."""
        context, _, event = (self.type or "").partition(".")
        contexts = [context] if context else list(STREAMS)
        return {STREAMS[c]: subject_filter(c, event or None, self.region_code) for c in contexts}

    def matches(self, region_code: str) -> bool:
        """The exact region test (subjects stop at the county; a town prefix needs this)."""
        return region_code.startswith(self.region_code)
