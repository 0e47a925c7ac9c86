"""The field types that the public schemas, the contract events and the domains share.

A rule written here is written once: the request schema (and so `/openapi.json`), the event
(and so `docs/events/`) and the domain that validates through it all read the same type, and
`tests/unit/contracts/test_field_lists.py` checks each resource's schema, command, event and
public view against each other, field by field.

- Texts are bounded: a name or a person 200 characters, a reason or a measure 2 000, a free
  description 5 000, a 判定标准 clause 500.
- Static rules the domain enforces are in the schema too (`pattern`, `enum`), so that a client
  reads them in `/openapi.json` rather than learns them from a 422: `Uscc` and `RegionCode` by
  pattern (the check characters and the region catalogue stay the domain's), and the closed
  vocabularies (`Industry`, `StandardizationGrade`, `EnforcementKind`, `DeficiencyCode`) by enum.
  These are request types: events keep plain strings, since a replay must never refuse an event
  a catalogue has since dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Final

from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from hl_contracts.vocabulary import DEFICIENCIES, ENFORCEMENT_KINDS, INDUSTRIES, STANDARDIZATION_GRADES

Name = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
DESCRIPTION_MAX: Final = 5000
CLAUSE_MAX: Final = 500
PHONE_MAX: Final = 40
ADDRESS_MAX: Final = 500

# GB 32100-2015: authority (1-9, A, N, Y), organisation type, six digits of the registrar's
# division, nine characters of organisation code, a check character; the alphabet has no I, O, Z,
# S or V. Either case: the service upper-cases the code before checking it (`hl_enterprise.domain.uscc`).
USCC_ALPHABET: Final = "0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y"
USCC_PATTERN: Final = rf"^[1-9ANYany][0-9]{{7}}[{USCC_ALPHABET}]{{10}}$"
REGION_PATTERN: Final = r"^[0-9]{2,12}$"
OPTIONAL_REGION_PATTERN: Final = r"^([0-9]{2,12})?$"  # a tip's place may be left out ("")

Uscc = Annotated[str, Field(min_length=18, max_length=18, pattern=USCC_PATTERN, examples=["91371000MA3C4XYZ0J"])]
RegionCode = Annotated[
    str, Field(min_length=2, max_length=12, pattern=REGION_PATTERN, description="GB/T 2260 code or a zone's code")
]


def _known(what: str, values: Iterable[str]) -> AfterValidator:
    """Refuse a value outside `values`, in the domain's own words ("unknown industry mining")."""
    allowed = tuple(values)

    def check(value: str) -> str:
        if value not in allowed:
            context = {"what": what, "value": value, "allowed": ", ".join(allowed)}
            raise PydanticCustomError("enum", "unknown {what} {value}; one of {allowed}", context)
        return value

    return AfterValidator(check)


def _enum(values: Iterable[str]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(values)})


Industry = Annotated[str, _known("industry", INDUSTRIES), _enum(INDUSTRIES)]
StandardizationGrade = Annotated[str, _known("grade", STANDARDIZATION_GRADES), _enum(STANDARDIZATION_GRADES)]
EnforcementKind = Annotated[str, _known("enforcement kind", ENFORCEMENT_KINDS), _enum(ENFORCEMENT_KINDS)]
DeficiencyCode = Annotated[str, _known("deficiency code", DEFICIENCIES), _enum(DEFICIENCIES)]
