"""Settings of the tips service (environment variables HL_TIPS_*)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from hl_platform.settings import ServiceSettings


class TipsSettings(ServiceSettings):
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
    object_store_endpoint: str = ""
    object_store_public_endpoint: str = ""  # where officers' browsers reach the store, if not at the endpoint
    object_store_bucket: str = "tip-photos"
    object_store_region: str = "us-east-1"
    object_store_access_key: str = Field(default="", repr=False)
    object_store_secret_key: str = Field(default="", repr=False)
    object_store_path_style: bool = True  # path-style URLs (most self-hosted stores); False: virtual-host
    object_store_create_bucket: bool = False  # the embedded stack creates its bucket
    object_store_retry_after_s: int = Field(default=10, ge=1)
    photo_link_ttl_s: int = Field(default=300, ge=1, le=604_800)  # an officer's signed link; S3 allows 7 days

    @model_validator(mode="after")
    def _check_object_store(self) -> TipsSettings:
        if self.object_store_endpoint and not (self.object_store_access_key and self.object_store_secret_key):
            raise ValueError("object_store_endpoint is set: also set object_store_access_key and _secret_key")
        return self

    @property
    def master_key_path(self) -> Path:
        return self.master_key_file or self.data_dir / "tips-master.key"
