"""Settings of the webhooks service (environment variables HL_WEBHOOKS_*)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from hl_platform.master_key import KeySource
from hl_platform.settings import ServiceSettings
from hl_webhooks.domain.addresses import networks
from hl_webhooks.domain.retry import RetryPolicy


class WebhooksSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HL_WEBHOOKS_", extra="ignore")

    service_name: str = "webhooks"
    port: int = 8006
    # Seals the signing secrets in the database. Empty: the file below (generated at first start in
    # development; production must give one or the other).
    master_key: str = Field(default="", repr=False)
    master_key_file: Path | None = None  # default: <data_dir>/webhooks-master.key
    # Where the gateway answers whether a subscription's owner (an API key) is still valid.
    gateway_url: str = "http://127.0.0.1:8000"
    owner_check_ttl_s: float = Field(default=10.0, gt=0)  # a revoked key stops deliveries within this

    # Outbound addresses: networks allowed although not public (JSON list of CIDRs, e.g.
    # ["127.0.0.1/32"] for tests, or an intranet receiver the operator trusts). Empty: public only.
    allowed_networks: list[str] = Field(default_factory=list)
    require_https: bool = False

    # One attempt: connect within `connect_timeout_s`, the whole answer within `attempt_timeout_s`.
    attempt_timeout_s: float = Field(default=10.0, gt=0)
    connect_timeout_s: float = Field(default=5.0, gt=0)
    # Retries (domain/retry.py): exponential from `retry_base_s`, capped, within the window; then parked.
    retry_base_s: float = Field(default=5.0, gt=0)
    retry_max_interval_s: float = Field(default=3600.0, gt=0)
    retry_window_s: float = Field(default=86_400.0, gt=0)

    # Concurrency: per subscription (a slow receiver holds only its own slots) and per replica.
    max_in_flight_per_subscription: int = Field(default=4, ge=1)
    max_in_flight: int = Field(default=64, ge=1)
    dispatch_poll_interval_s: float = Field(default=1.0, gt=0)  # other replicas' new deliveries
    secret_rotation_grace_s: float = Field(default=86_400.0, ge=0)  # old secret still signs meanwhile

    @field_validator("allowed_networks")
    @classmethod
    def _cidrs(cls, cidrs: list[str]) -> list[str]:
        try:
            networks(cidrs)
        except ValueError as exc:
            raise ValueError(f"not a network: {exc}") from None
        return cidrs

    @model_validator(mode="after")
    def _window_holds_a_retry(self) -> WebhooksSettings:
        if self.retry_window_s < self.retry_base_s:
            raise ValueError("retry_window_s must be at least retry_base_s (or nothing is ever retried)")
        return self

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(self.retry_base_s, self.retry_max_interval_s, self.retry_window_s)

    @property
    def claim_ttl_s(self) -> float:
        """How long a claimed delivery is this replica's: an attempt's time and some margin; a
        replica killed mid-attempt loses its claims after this, and another one takes them."""
        return self.attempt_timeout_s + self.connect_timeout_s + 5.0

    @property
    def master_key_source(self) -> KeySource:
        path = self.master_key_file or self.data_dir / "webhooks-master.key"
        return KeySource("webhooks", "HL_WEBHOOKS_MASTER_KEY", self.master_key, path)
