"""The exceptions a service's domain and application layers raise; the HTTP edge maps each to
an RFC 9457 problem (see `problems.py`). Domain code never knows about HTTP.

    DomainError
    ├── InvalidInput        422  a field breaks a rule: `field`, `reason`
    ├── NotFound            404  no such record (or none the caller may see)
    ├── Forbidden           403  the actor's role may not do this
    ├── Conflict            409  duplicate: `existing_id`
    ├── RuleViolation       409  illegal transition: `rule`, `current_state`
    └── PreconditionFailed  412  stale If-Match: `current_version`
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"

    def __init__(self, field: str, reason: str, detail: str | None = None) -> None:
        super().__init__(detail or f"{field}: {reason}", errors=[{"field": field, "reason": reason}])
        self.field = field
        self.reason = reason


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class RuleViolation(DomainError):
    status = 409
    title = "Rule violated"

    def __init__(self, rule: str, detail: str, current_state: dict[str, Any] | str) -> None:
        super().__init__(detail, rule=rule, current_state=current_state)
        self.rule = rule
        self.current_state = current_state


class PreconditionFailed(DomainError):
    status = 412
    title = "Precondition failed"

    def __init__(self, detail: str, current_version: int) -> None:
        super().__init__(detail, current_version=current_version)
        self.current_version = current_version
