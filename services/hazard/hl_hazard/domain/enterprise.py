"""What the hazard context needs to know about an enterprise, as of the moment of a report.

The enterprise context owns enterprises; the hazard service keeps no copy of them. The application
layer reads this snapshot (from the enterprise service or its read model) and hands it to
`Hazard.report`, which copies the fields that every hazard event must carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EnterpriseStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


@dataclass(frozen=True, kw_only=True)
class EnterpriseSnapshot:
    """An enterprise's identity, place and standing, read from the enterprise context."""

    id: str
    name: str
    region_code: str
    industry: str
    status: EnterpriseStatus = EnterpriseStatus.ACTIVE
    blacklisted: bool = False

    @property
    def is_closed(self) -> bool:
        return self.status == EnterpriseStatus.CLOSED
