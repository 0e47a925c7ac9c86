"""One field list per resource: a write's request schema (`hl_api`), its domain command and its
contract event (`hl_contracts`), and the public view that shows it, checked against each other
field by field. A field added, renamed, retyped or re-bounded in one place and not the others fails
here, naming the field.

- request ↔ command: the same names, kinds and defaults (the route builds the command from the
  body as it is); a command carries input as given, so it has no rules of its own.
- request ↔ event: the event holds the request's fields but for those `request_only` (they choose
  which event, or how) plus those the service sets (`event_only`); the request states every rule
  the event enforces (the domain validates through the event), so `/openapi.json` shows them.
- event ↔ public view: the view shows every recorded field, of the same kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from hl_api import enterprises as api_enterprises
from hl_api import evidence as api_evidence
from hl_api import hazards as api
from hl_api import tips as api_tips
from hl_contracts import enterprise as enterprise_events
from hl_contracts import evidence as evidence_events
from hl_contracts import hazard as events
from hl_contracts import tips as tip_events
from hl_contracts.vocabulary import HazardSource
from hl_enterprise.domain import commands as enterprise_commands
from hl_enterprise.domain.profile import EnterpriseProfile
from hl_hazard.domain import commands
from hl_tips.domain import commands as tip_commands
from tests.unit.contracts.field_lists import Shape, differences, shapes


@dataclass(frozen=True)
class Family:
    """The classes of one write, and how their field lists are meant to differ."""

    request: type[Any]
    command: type[Any]
    event: type[Any]
    public: type[Any] | None = None
    request_only: frozenset[str] = frozenset()  # in the request and the command, not the event
    command_only: frozenset[str] = frozenset()  # set by the route, not the body
    converted: frozenset[str] = frozenset()  # the route turns the body's value into a domain value
    event_only: frozenset[str] = frozenset()  # set by the service
    public_names: Mapping[str, str] = field(default_factory=dict)  # event field → its public name
    public_only: frozenset[str] = frozenset()  # shown, but not from this event

    @property
    def name(self) -> str:
        return self.event.__name__


FAMILIES = [
    Family(
        api.HazardCreate,
        commands.ReportHazard,
        events.HazardFound,
        request_only=frozenset({"rectify_immediately"}),
        event_only=frozenset({"enterprise_name"}),
    ),
    Family(api.PlanSet, commands.SetPlan, events.HazardPlanSet, api.PlanPublic),
    Family(
        api.RectificationReport,
        commands.ReportRectification,
        events.HazardRectified,
        api.RectificationPublic,
        event_only=frozenset({"immediate"}),
    ),
    *(
        Family(
            api.AcceptanceDecision,
            commands.DecideAcceptance,
            decision,
            api.AcceptancePublic,
            request_only=frozenset({"accepted"}),
            public_only=frozenset({"accepted"}),
        )
        for decision in (events.HazardAccepted, events.HazardRejected)
    ),
    Family(
        api.EscalationCreate,
        commands.Escalate,
        events.HazardEscalated,
        api.ListingPublic,
        public_names={"escalated_at": "listed_at"},
    ),
    Family(
        api.DelistingCreate,
        commands.Delist,
        events.HazardDelisted,
        api.DelistingPublic,
        event_only=frozenset({"level"}),
    ),
    Family(
        api.DeadlineExtensionCreate,
        commands.ExtendDeadline,
        events.HazardDeadlineExtended,
        event_only=frozenset({"previous_deadline"}),
    ),
    Family(
        api.ReclassificationCreate,
        commands.Reclassify,
        events.HazardReclassified,
        event_only=frozenset({"previous_level"}),
    ),
    Family(api.VoidCreate, commands.Void, events.HazardVoided),
    Family(
        api_evidence.ListingReceiptCreate,
        commands.ReceiveListing,
        evidence_events.HazardListingReceived,
        api_evidence.ListingReceiptPublic,
        event_only=frozenset({"level", "document_number"}),
    ),
    # The registration command carries the profile as a mapping; its shape is `EnterpriseProfile`.
    Family(
        api_enterprises.EnterpriseCreate,
        EnterpriseProfile,
        enterprise_events.EnterpriseRegistered,
        api_enterprises.EnterprisePublic,
        public_only=frozenset({"id", "version", "status", "blacklisted"}),
    ),
    Family(
        api_enterprises.InspectionCreate,
        enterprise_commands.RecordInspection,
        enterprise_events.EnterpriseInspected,
        api_enterprises.InspectionPublic,
        event_only=frozenset({"inspection_id"}),
        public_names={"inspection_id": "id"},
        public_only=frozenset({"enterprise_id", "recorded_at", "recorded_by"}),
    ),
    Family(
        api_enterprises.EnforcementActionCreate,
        enterprise_commands.RecordEnforcement,
        enterprise_events.EnterpriseEnforcementRecorded,
        api_enterprises.EnforcementActionPublic,
        event_only=frozenset({"action_id"}),
        public_names={"action_id": "id"},
        public_only=frozenset({"enterprise_id", "recorded_at", "recorded_by"}),
    ),
    Family(api_enterprises.EnterpriseClosure, enterprise_commands.CloseEnterprise, enterprise_events.EnterpriseClosed),
    *(
        Family(
            api_enterprises.BlacklistDecision,
            enterprise_commands.DecideBlacklisting,
            decision,
            command_only=frozenset({"lift"}),
        )
        for decision in (enterprise_events.EnterpriseBlacklisted, enterprise_events.EnterpriseBlacklistLifted)
    ),
    # A tip's place is the envelope's (region, industry), and its tipster is sealed, never published.
    Family(
        api_tips.TipCreate,
        tip_commands.FileTip,
        tip_events.TipFiled,
        request_only=frozenset({"region_code", "identity"}),
        converted=frozenset({"identity"}),
        event_only=frozenset({"tracking_number", "enterprise_id", "anonymous", "deadline"}),
    ),
    Family(
        api_tips.TipVerification,
        tip_commands.Verify,
        tip_events.TipVerified,
        api_tips.VerificationPublic,
        event_only=frozenset({"enterprise_name"}),
    ),
    Family(api_tips.HazardLink, tip_commands.LinkHazard, tip_events.TipHazardLinked),
    Family(
        api_tips.EnforcementLink,
        tip_commands.LinkEnforcement,
        tip_events.TipEnforcementLinked,
        api_tips.EnforcementPublic,
    ),
    Family(api_tips.ClosureCreate, tip_commands.CloseUnfounded, tip_events.TipClosedUnfounded),
    Family(
        api_tips.DuplicateLinkCreate,
        tip_commands.LinkDuplicate,
        tip_events.TipLinkedDuplicate,
        event_only=frozenset({"original_tracking_number"}),
    ),
    Family(
        api_tips.RewardApprovalCreate,
        tip_commands.ApproveReward,
        tip_events.TipRewardApproved,
        event_only=frozenset({"amount_yuan"}),
    ),
    Family(
        api_tips.RewardPaymentCreate,
        tip_commands.PayReward,
        tip_events.TipRewardPaid,
        event_only=frozenset({"amount_yuan", "anonymous"}),
    ),
    Family(api_tips.IdentityViewCreate, tip_commands.ViewIdentity, tip_events.TipIdentityViewed),
]
ids = [family.name for family in FAMILIES]


def _compare(
    names: set[str], left: tuple[str, dict[str, Shape]], right: tuple[str, dict[str, Shape]], constraints: str
) -> list[str]:
    (left_label, a), (right_label, b) = left, right
    return [
        found
        for name in sorted(names)
        for found in differences(name, (left_label, a[name]), (right_label, b[name]), constraints=constraints)
    ]


@pytest.mark.parametrize("family", FAMILIES, ids=ids)
def test_the_command_carries_the_requests_fields(family: Family) -> None:
    request, command = shapes(family.request), shapes(family.command)
    assert set(request) == set(command) - family.command_only
    constraints = "covers" if issubclass(family.command, EnterpriseProfile) else "ignore"
    found = _compare(set(request) - family.converted, ("request", request), ("command", command), constraints)
    assert found == []


@pytest.mark.parametrize("family", FAMILIES, ids=ids)
def test_the_event_carries_the_requests_fields_and_the_request_states_its_rules(family: Family) -> None:
    request, event = shapes(family.request), shapes(family.event)
    assert set(event) == (set(request) - family.request_only) | family.event_only
    found = _compare(set(event) - family.event_only, ("request", request), ("event", event), "covers")
    assert found == []


@pytest.mark.parametrize("family", [f for f in FAMILIES if f.public is not None], ids=lambda f: f.name)
def test_the_public_view_shows_every_recorded_field(family: Family) -> None:
    assert family.public is not None
    event, public = shapes(family.event), shapes(family.public)
    shown = {family.public_names.get(name, name): name for name in event}
    assert set(public) == set(shown) | family.public_only
    found = [
        f"{name}: kind {public[name].kind} shown, {event[recorded].kind} recorded"
        for name, recorded in shown.items()
        if public[name].kind != event[recorded].kind
    ]
    assert found == []


def test_a_profile_change_names_the_profile_fields_each_optional() -> None:
    update, profile = shapes(api_enterprises.EnterpriseUpdate), shapes(EnterpriseProfile)
    assert set(update) == set(profile) - {"uscc"}
    for name, shape in update.items():
        assert (shape.required, shape.default) == (False, None), name
        assert _non_null(shape.kind) == _non_null(profile[name].kind), name
        rules, required = _unwrapped(shape.constraints), _unwrapped(profile[name].constraints)
        assert {key: value for key, value in required.items() if rules.get(key) != value} == {}, name


def _unwrapped(constraints: dict[str, Any]) -> dict[str, Any]:
    """An optional field's rules as rules of the value it holds (the first `anyOf` option)."""
    return {key.removeprefix("/anyOf/0"): value for key, value in constraints.items()}


def _non_null(kind: Any) -> Any:
    """A kind without its `null` alternative (an optional field's kind is the kind it holds)."""
    options = [option for option in kind.get("anyOf", [kind]) if option != {"type": "null"}]
    return options[0] if len(options) == 1 else {"anyOf": options}


def test_the_check_tells_a_drift() -> None:
    """The comparison is not blind: a changed bound, kind or default is named."""
    request = shapes(api.HazardCreate)
    event = shapes(events.HazardFound)
    looser = Shape(request["title"].kind, {"/minLength": 1}, True)
    assert differences("title", ("request", looser), ("event", event["title"]), constraints="covers")
    other_kind = Shape({"type": "integer"}, event["title"].constraints, True)
    assert differences("title", ("request", other_kind), ("event", event["title"]), constraints="covers")
    optional = Shape(request["title"].kind, request["title"].constraints, False, "")
    assert differences("title", ("request", optional), ("event", event["title"]), constraints="covers")
    assert event["title"].constraints == {"/minLength": 1, "/maxLength": 200}
    assert request["source"].constraints["/enum"] == [source.value for source in HazardSource]


def test_a_verified_tips_hazard_is_described_as_a_hazard_report_is() -> None:
    """`HazardDetails` (the hazard of a verified tip) is a part of `HazardCreate`, field for field;
    its `found_at` may be left out (the verification's time is taken)."""
    details, report = shapes(api_tips.HazardDetails), shapes(api.HazardCreate)
    assert set(details) < set(report)
    found = _compare(set(details) - {"found_at"}, ("tip's hazard", details), ("hazard report", report), "equal")
    assert found == []
    assert _non_null(details["found_at"].kind) == report["found_at"].kind
