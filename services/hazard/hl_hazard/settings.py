"""Settings of the hazard service (environment variables HL_HAZARD_*)."""

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from hl_platform.settings import ServiceSettings


class HazardSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HL_HAZARD_", extra="ignore")

    service_name: str = "hazard"
    port: int = 8001
    overdue_scan_interval_s: float = 60.0
    # Off by default: when set, overdue major hazards are listed at this level (county/city/province).
    overdue_escalation_level: Literal["county", "city", "province"] | None = None
    overdue_escalation_authority: str = ""

    # Reminders (domain/reminders.py); 0 (or an empty list) turns a kind off.
    reminder_scan_interval_s: float = 60.0
    reminder_days_before_general: int = Field(default=3, ge=0)  # hazard.deadline_approaching
    reminder_days_before_major: int = Field(default=7, ge=0)
    # Days overdue at which the 2nd, 3rd, … notice (hazard.overdue_reminded) is due; JSON list.
    overdue_notice_days: list[int] = Field(default_factory=lambda: [7, 14, 30])
    acceptance_reminder_days: int = Field(default=7, ge=0)  # hazard.acceptance_reminded

    @field_validator("overdue_notice_days")
    @classmethod
    def _increasing(cls, days: list[int]) -> list[int]:
        if any(d <= 0 for d in days) or days != sorted(set(days)):
            raise ValueError("must be positive day counts in increasing order, e.g. [7, 14, 30]")
        return days
