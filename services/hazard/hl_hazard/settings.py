"""Settings of the hazard service (environment variables HL_HAZARD_*)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from hl_platform.object_store import ObjectStoreSettings
from hl_platform.settings import ServiceSettings


class HazardSettings(ServiceSettings, ObjectStoreSettings):
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

    # Evidence (佐证材料): a bucket of any S3-compatible store (ObjectStoreSettings).
    object_store_bucket: str = "hazard-evidence"
    attachment_photo_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1)  # as the national interface
    attachment_document_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    attachment_max_pixels: int = Field(default=64_000_000, ge=1)
    attachment_pdf_max_decoded_bytes: int = Field(default=64 * 1024 * 1024, ge=1)  # a zip bomb stops here
    attachment_link_ttl_s: int = Field(default=300, ge=1, le=604_800)  # S3 signs links for 7 days at most
    attachment_upload_slot_ttl_s: int = Field(default=900, ge=1, le=604_800)  # a direct upload's PUT
    attachment_sweep_interval_s: float = Field(default=600.0, gt=0)
    attachment_pending_grace_s: float = Field(default=3600.0, ge=0)  # an upload in flight is never swept

    # Evidence rules a city chooses (off by default).
    rule_rectification_photo_for_major: bool = False
    rule_acceptance_record_for_major: bool = False
    rule_listing_document_number: bool = False
    rule_listing_receipt_before_delisting: bool = False

    @property
    def upload_max_bytes(self) -> int:
        """The largest attachment body the service reads."""
        return max(self.attachment_photo_max_bytes, self.attachment_document_max_bytes)
