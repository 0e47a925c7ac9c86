"""Settings of the tips service (environment variables HL_TIPS_*)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hl_platform.object_store import ObjectStoreSettings
from hl_platform.settings import ServiceSettings


class TipsSettings(ServiceSettings, ObjectStoreSettings):
    model_config = SettingsConfigDict(env_prefix="HL_TIPS_", extra="ignore")

    service_name: str = "tips"
    port: int = 8004
    # Wraps every tip's data key. Empty: the file below (generated at first start in development).
    master_key: str = Field(default="", repr=False)
    master_key_file: Path | None = None  # default: <data_dir>/tips-master.key
    reward_rules: Path | None = None  # default: the bundled national rule
    duplicate_window_days: int = Field(default=30, ge=1, le=366)
    idempotency_ttl_s: int = Field(default=86_400, ge=60)
    overdue_scan_interval_s: float = Field(default=60.0, gt=0)
    scrypt_n: int = Field(default=2**14, ge=2**10)  # the secrets' hashing cost

    # Photos (personal data): a private bucket of any S3-compatible store, its own (not the hazard
    # evidence bucket), never listable without the key. Empty endpoint: no store (photos answer 503).
    object_store_bucket: str = "tip-photos"
    photo_link_ttl_s: int = Field(default=300, ge=1, le=604_800)  # an officer's signed link; S3 allows 7 days

    @property
    def master_key_path(self) -> Path:
        return self.master_key_file or self.data_dir / "tips-master.key"
