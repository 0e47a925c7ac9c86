"""A verified tip's outcome, recorded where it belongs: the hazard in the hazard service (source
public_report), the enforcement action in the enterprise service, each then linked to the tip.

The gateway is the only part that calls services (DESIGN), so it runs these steps in order, each
with an Idempotency-Key derived from the client's: the tip's decision first (a tip the officer may
not verify creates nothing), then the record, then the link. Should a later step fail, the tip
stays verified and says so (`hazard_id` null), the answer names the step, and
`POST /tips/{id}/hazard` records the hazard then; linking the same hazard twice is harmless.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from hl_api.enterprises import EnforcementActionCreate
from hl_api.hazards import HazardCreate
from hl_api.tips import EnforcementLink, HazardDetails, HazardLink, TipVerification, VerificationCreate
from hl_contracts.vocabulary import HazardSource, TipFinding
from hl_gateway.application.forward import Call, Upstream
from hl_gateway.domain.reply import Reply
from hl_platform.errors import InvalidInput
from hl_platform.identity import Caller
from hl_platform.problems import MEDIA_TYPE, PROBLEM_TYPE


def _problem(status: int, title: str, slug: str, detail: str, **extensions: Any) -> Reply:
    body = {"type": PROBLEM_TYPE.format(slug=slug), "title": title, "status": status, "detail": detail, **extensions}
    return Reply(status, {"content-type": MEDIA_TYPE}, json.dumps(body, ensure_ascii=False).encode())


def _step_key(key: str | None, step: str) -> dict[str, str]:
    return {"Idempotency-Key": f"{key}:{step}"} if key else {}


def _tip_path(tip_id: str, action: str = "") -> str:
    return f"/tips/{quote(tip_id, safe='')}" + (f"/{action}" if action else "")


class TipOutcomes:
    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream

    async def _post(self, service: str, path: str, caller: Caller, body: BaseModel, headers: dict[str, str]) -> Reply:
        content = body.model_dump_json(exclude_none=True).encode()
        return await self.upstream.send(Call(service, "POST", path, caller, body=content, headers=headers))

    async def verify(self, caller: Caller, tip_id: str, body: VerificationCreate, key: str | None) -> Reply:
        """Verify the tip; for a hazard finding, record its hazard and link it."""
        level = body.finding.hazard_level
        if level is not None and body.hazard is None:
            raise InvalidInput("hazard", f"required for a {body.finding.value} finding: the hazard to record")
        if level is None and body.hazard is not None:
            raise InvalidInput("hazard", f"a {body.finding.value} finding records no hazard")
        decision = TipVerification.model_validate(body.model_dump(exclude={"hazard"}))
        reply = await self._post("tips", _tip_path(tip_id, "verification"), caller, decision, _step_key(key, "verify"))
        if reply.status != 200 or body.hazard is None:
            return reply
        return await self._hazard(caller, json.loads(reply.body), body.hazard, key)

    async def record_hazard(self, caller: Caller, tip_id: str, details: HazardDetails, key: str | None) -> Reply:
        """The hazard of a verified tip whose hazard was not recorded yet (the retry of a failed step)."""
        reply = await self.upstream.send(Call("tips", "GET", _tip_path(tip_id), caller))
        if reply.status != 200:
            return reply
        tip = json.loads(reply.body)
        if tip["hazard_id"] is not None:
            return reply  # recorded already: the tip as it is
        verification = tip["verification"]
        if verification is None or TipFinding(verification["finding"]).hazard_level is None:
            detail = "the tip is not verified as a hazard: verify it first (POST /api/v1/tips/{id}/verification)"
            return _problem(
                409, "Rule violated", "not-a-hazard-finding", detail, current_state={"status": tip["status"]}
            )
        return await self._hazard(caller, tip, details, key)

    async def _hazard(self, caller: Caller, tip: dict[str, Any], details: HazardDetails, key: str | None) -> Reply:
        verification = tip["verification"]
        level = TipFinding(verification["finding"]).hazard_level
        assert level is not None
        found_at = details.found_at.isoformat() if details.found_at else verification["decided_at"]
        source_note = f"（来源：举报 {tip['id']}）"
        try:
            report = HazardCreate.model_validate(
                {
                    **details.model_dump(exclude={"found_at"}, exclude_none=True),
                    "enterprise_id": verification["enterprise_id"],
                    "source": HazardSource.PUBLIC_REPORT,
                    "level": level,
                    "description": (details.description[: 5000 - len(source_note) - 1] + "\n" + source_note).strip(),
                    "found_at": found_at,
                }
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            raise InvalidInput("hazard." + ".".join(str(part) for part in error["loc"]), error["msg"]) from None
        created = await self._post("hazard", "/hazards", caller, report, _step_key(key, "hazard"))
        if created.status != 201:
            return _step_failed(created, tip["id"], "its hazard was not recorded", "hazard")
        link = HazardLink(hazard_id=json.loads(created.body)["id"], level=level)
        return await self._post("tips", _tip_path(tip["id"], "hazard-link"), caller, link, _step_key(key, "link"))

    async def enforce(self, caller: Caller, tip_id: str, body: EnforcementActionCreate, key: str | None) -> Reply:
        """An enforcement action on the verified tip's enterprise, linked to the tip (its fine counts)."""
        reply = await self.upstream.send(Call("tips", "GET", _tip_path(tip_id), caller))
        if reply.status != 200:
            return reply
        tip = json.loads(reply.body)
        verification = tip["verification"]
        if verification is None:
            detail = f"the tip is {tip['status']}: an enforcement action follows a verified tip"
            return _problem(409, "Rule violated", "not-verified", detail, current_state={"status": tip["status"]})
        path = f"/enterprises/{quote(verification['enterprise_id'], safe='')}/enforcement-actions"
        recorded = await self._post("enterprise", path, caller, body, _step_key(key, "action"))
        if recorded.status != 201:
            return recorded
        link = EnforcementLink(
            action_id=json.loads(recorded.body)["id"],
            kind=body.kind,
            decided_on=body.decided_on,
            amount_wan=body.amount_wan,
        )
        return await self._post("tips", _tip_path(tip_id, "enforcement-link"), caller, link, _step_key(key, "link"))


def _step_failed(reply: Reply, tip_id: str, what: str, step: str) -> Reply:
    """The failed step's own problem, saying what was already done and how to finish."""
    try:
        problem = json.loads(reply.body)
    except ValueError:
        problem = {"title": "Bad gateway", "status": reply.status}
    retry = f"POST /api/v1/tips/{tip_id}/{step}"
    problem["detail"] = f"the tip is verified, but {what}: {problem.get('detail', '')}; finish with {retry}"
    problem["tip_verified"] = True
    return Reply(reply.status, {"content-type": MEDIA_TYPE}, json.dumps(problem, ensure_ascii=False).encode())
