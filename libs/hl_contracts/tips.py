"""Contract events of the tip context (有奖举报). The CloudEvent `subject` is the tip id.

What a subscriber sees is the tip's facts and how it was handled, never the person who filed it:
no event carries the tipster's identity or contact, not even encrypted (those are sealed in the
tips service's own database, see DESIGN "tipster protected"). The actor of an event the tipster
caused is the generic `tipster` actor, the same for every tip.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from hl_contracts.fields import ADDRESS_MAX, DESCRIPTION_MAX, Name, Text
from hl_contracts.registry import REGISTRY, EventData
from hl_contracts.vocabulary import AccidentGrade, HazardLevel, IdentityPurpose, TipCategory, TipFinding

Yuan = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


@REGISTRY.register
class TipFiled(EventData):
    """A tip-off from the public was filed (受理举报): what, where and when, without who."""

    event_type = "tip.filed"
    tracking_number: str = Field(min_length=1, max_length=40)
    category: TipCategory
    description: str = Field(min_length=1, max_length=DESCRIPTION_MAX)
    enterprise_id: str | None = Field(default=None, max_length=64, description="when the tip named a known one")
    enterprise_name: str = Field(default="", max_length=200)
    uscc: str = Field(default="", max_length=18)
    address: str = Field(default="", max_length=ADDRESS_MAX)
    occurred_on: date
    anonymous: bool = Field(description="no identity was given (匿名举报)")
    deadline: date = Field(description="handle by the end of this day, Asia/Shanghai")


@REGISTRY.register
class TipPhotoAdded(EventData):
    """The tipster added a photo; its bytes are kept by the tips service, their hash is here."""

    event_type = "tip.photo_added"
    photo_id: str = Field(min_length=1, max_length=64)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int = Field(ge=1)
    content_type: str = Field(max_length=40)


@REGISTRY.register
class TipLinkedDuplicate(EventData):
    """The tip reports what an earlier tip already reported (重复举报): it cannot earn a reward."""

    event_type = "tip.linked_duplicate"
    original_id: str = Field(min_length=1, max_length=64)
    original_tracking_number: str = Field(max_length=40)
    reason: Text


@REGISTRY.register
class TipTakenUp(EventData):
    """An inspector took the tip up for handling; only the handler may read the tipster's identity."""

    event_type = "tip.taken_up"
    handler_id: str = Field(min_length=1, max_length=200, description="the handler's actor id")
    handler: Name


@REGISTRY.register
class TipIdentityViewed(EventData):
    """The handler read the tipster's sealed identity (an audit of who looked and why, not of what).

    The purpose is a closed vocabulary, never free text, so that the audit cannot quote the person.
    """

    event_type = "tip.identity_viewed"
    purpose: IdentityPurpose


@REGISTRY.register
class TipVerified(EventData):
    """The tip was found true (查实), with what it turned out to be."""

    event_type = "tip.verified"
    finding: TipFinding
    enterprise_id: str | None = Field(default=None, max_length=64)
    enterprise_name: str = Field(default="", max_length=200)
    decided_at: datetime
    note: str = Field(default="", max_length=2000)
    accident_grade: AccidentGrade | None = None
    concealed_deaths: int | None = Field(default=None, ge=1, le=1000)


@REGISTRY.register
class TipHazardLinked(EventData):
    """The hazard recorded for the verified tip (`source=public_report` in the hazard context)."""

    event_type = "tip.hazard_linked"
    hazard_id: str = Field(min_length=1, max_length=64)
    level: HazardLevel


@REGISTRY.register
class TipEnforcementLinked(EventData):
    """An enforcement action taken on the tip's enterprise because of it (a fine counts for the reward)."""

    event_type = "tip.enforcement_linked"
    action_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(max_length=40)
    amount_wan: Decimal | None = Field(default=None, ge=0)
    decided_on: date


@REGISTRY.register
class TipClosedUnfounded(EventData):
    """The tip was found untrue or outside the bureau's remit (不予查实), with the reason."""

    event_type = "tip.closed_unfounded"
    reason: Text
    decided_at: datetime


@REGISTRY.register
class TipOverdue(EventData):
    """The system saw the handling deadline pass with the tip still unhandled (逾期); once per deadline."""

    event_type = "tip.overdue"
    deadline: date
    detected_at: datetime


@REGISTRY.register
class TipRewardComputed(EventData):
    """The reward was computed by the region's rule from the tip's outcome, with every input shown."""

    event_type = "tip.reward_computed"
    amount_yuan: Yuan
    rule: str = Field(max_length=200, description="the rule set and region it came from")
    basis: str = Field(max_length=40, description="fine_share, fixed_general_hazard or concealed_deaths")
    inputs: dict[str, str] = Field(description="each figure the computation used, as text")
    explanation: str = Field(max_length=2000)


@REGISTRY.register
class TipRewardApproved(EventData):
    """The computed reward was approved for payment (审批)."""

    event_type = "tip.reward_approved"
    amount_yuan: Yuan
    approved_by: Name
    approved_at: datetime


@REGISTRY.register
class TipRewardClaimed(EventData):
    """The tipster claimed the approved reward with the tip's number and secret (凭编号和密码申领)."""

    event_type = "tip.reward_claimed"
    claimed_at: datetime


@REGISTRY.register
class TipRewardPaid(EventData):
    """The reward was paid out (发放): counted in section 四 of the dispatch table."""

    event_type = "tip.reward_paid"
    amount_yuan: Yuan
    paid_at: datetime
    method: str = Field(max_length=40, description="bank_transfer, cash, other")
    reference: str = Field(default="", max_length=200)
    anonymous: bool = Field(description="the tip was anonymous (其中匿名举报查实奖励)")


@REGISTRY.register
class TipIdentityErased(EventData):
    """The tipster's identity was erased: its key destroyed, the sealed record unreadable for ever."""

    event_type = "tip.identity_erased"
    erased_at: datetime
    requested_by: str = Field(max_length=40, description="tipster or officer")
