"""Settings of the hazard service (environment variables HL_HAZARD_*)."""

from typing import Literal

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
