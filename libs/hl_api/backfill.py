"""Schemas of the hazard backfill (历史隐患批量导入): hazards with their whole history, in batches.

A batch is up to `MAX_ITEMS` items. Each item is one hazard as it was reported (`hazard`, the body
of `POST /hazards`) and the steps that followed, in order, each with its business time and, when
a machine client migrates another system's records, who took it (`actor`). The steps' bodies are
those of the single routes (`POST /hazards/{id}/plan`, …) with a `step` naming which.

Each item is decided on its own: `created` (the new hazard's id), `duplicate` (its `key` was
backfilled before by the same client: the id it got then), or `invalid` (the JSON pointer of the
field into the item, and the reason). A body that does not match this schema is refused whole
(422, naming `items.<n>.<field>`); the decisions of the domain rules are per item.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from hl_api.common import Request
from hl_api.evidence import ListingReceiptCreate
from hl_api.hazards import (
    AcceptanceDecision,
    DeadlineExtensionCreate,
    DelistingCreate,
    EscalationCreate,
    HazardCreate,
    PlanSet,
    ReclassificationCreate,
    RectificationReport,
    VoidCreate,
)
from hl_contracts.vocabulary import ListingLevel

# Hazards per request, one transaction at the hazard service: about half a second of its work,
# so that a batch stays well inside the gateway's upstream timeout on a busy machine.
MAX_ITEMS: Final = 500
MAX_STEPS: Final = 50  # steps per hazard after its report
MAX_BODY_BYTES: Final = 8 * 1024 * 1024  # a full batch of long histories (≈ 2 KB each) stays well under this
PATH: Final = "/hazard-backfills"
BODY_LIMIT_PATTERN: Final = r"^(/api/v1)?/hazard-backfills$"  # both the gateway's path and the service's
ItemKey = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[!-~]+$")]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class StepActor(Request):
    """Who took a step in the system the records come from (only an admin or platform client may
    name one; otherwise every step is the caller's own). The domain's rules of who may do what
    apply to this actor: a major hazard accepted by an enterprise is refused as it is live."""

    role: Literal["enterprise", "inspector", "supervisor"]
    name: Name
    organisation: str = Field(default="", max_length=200)
    level: ListingLevel | None = Field(default=None, description="a supervisor's level (county, city, province)")


STEPS = "plan, rectification, acceptance, escalation, listing-receipt, delisting, deadline-extension, "
STEPS += "reclassification, void"
_ACTOR = Field(default=None, description="who took this step (default: the caller)")


class PlanStep(PlanSet):
    step: Literal["plan"]
    actor: StepActor | None = _ACTOR


class RectificationStep(RectificationReport):
    step: Literal["rectification"]
    actor: StepActor | None = _ACTOR


class AcceptanceStep(AcceptanceDecision):
    step: Literal["acceptance"]
    actor: StepActor | None = _ACTOR


class EscalationStep(EscalationCreate):
    step: Literal["escalation"]
    actor: StepActor | None = _ACTOR


class ListingReceiptStep(ListingReceiptCreate):
    step: Literal["listing-receipt"]
    actor: StepActor | None = _ACTOR


class DelistingStep(DelistingCreate):
    step: Literal["delisting"]
    actor: StepActor | None = _ACTOR


class DeadlineExtensionStep(DeadlineExtensionCreate):
    step: Literal["deadline-extension"]
    actor: StepActor | None = _ACTOR


class ReclassificationStep(ReclassificationCreate):
    step: Literal["reclassification"]
    actor: StepActor | None = _ACTOR


class VoidStep(VoidCreate):
    step: Literal["void"]
    actor: StepActor | None = _ACTOR


def _step_of(value: Any) -> str | None:
    """Which step a body is (its `step`): a callable discriminator, since `Request`'s NUL check
    runs before every field and pydantic refuses that on a field-named discriminator."""
    return value.get("step") if isinstance(value, dict) else getattr(value, "step", None)


Step = Annotated[
    Annotated[PlanStep, Tag("plan")]
    | Annotated[RectificationStep, Tag("rectification")]
    | Annotated[AcceptanceStep, Tag("acceptance")]
    | Annotated[EscalationStep, Tag("escalation")]
    | Annotated[ListingReceiptStep, Tag("listing-receipt")]
    | Annotated[DelistingStep, Tag("delisting")]
    | Annotated[DeadlineExtensionStep, Tag("deadline-extension")]
    | Annotated[ReclassificationStep, Tag("reclassification")]
    | Annotated[VoidStep, Tag("void")],
    Discriminator(_step_of, custom_error_type="step", custom_error_message=f"step must be one of: {STEPS}"),
]


class _Container(BaseModel):
    """A body that only holds others: unknown fields refused like `Request`'s, but no NUL check of
    its own — each `Request` inside checks its fields, and a container's check would walk the
    whole batch again at every level (a third of the batch's validation)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BackfillItem(_Container):
    """One hazard with its history: the report, then each later step in the order it happened."""

    key: ItemKey = Field(description="your id of this hazard (e.g. the old system's): a re-send is a duplicate")
    hazard: HazardCreate
    actor: StepActor | None = Field(default=None, description="who reported it (default: the caller)")
    steps: list[Step] = Field(default_factory=list, max_length=MAX_STEPS)


class BackfillCreate(_Container):
    """A batch of hazards with their histories (at most 500 per request)."""

    items: list[BackfillItem] = Field(min_length=1, max_length=MAX_ITEMS)


Outcome = Literal["created", "duplicate", "invalid"]


class BackfillItemResult(BaseModel):
    """What became of one item: its hazard's id, or where and why it was refused."""

    index: int = Field(description="the item's position in the request, from 0")
    key: str
    outcome: Outcome
    hazard_id: str | None = Field(default=None, description="created: the new hazard; duplicate: the earlier one")
    version: int | None = Field(default=None, description="created: the hazard's version after its history")
    status: int | None = Field(default=None, description="invalid: the status the single route would answer")
    field: str | None = Field(default=None, description="invalid: JSON pointer into the item, e.g. /steps/1/decided_at")
    reason: str | None = None
    rule: str | None = Field(default=None, description="invalid: the rule broken, as a problem's type names it")


class BackfillPublic(BaseModel):
    """The batch's results, one per item in the request's order, and their counts."""

    created: int
    duplicate: int
    invalid: int
    items: list[BackfillItemResult]
