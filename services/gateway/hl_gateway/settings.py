"""Settings of the gateway service (environment variables HL_GATEWAY_*)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from hl_gateway.domain.credentials import bootstrap_key_problem
from hl_platform.settings import ServiceSettings

MIN_JWT_SECRET_BYTES = 32


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HL_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    port: int = 8000
    hazard_url: str = "http://127.0.0.1:8001"
    enterprise_url: str = "http://127.0.0.1:8002"
    reporting_url: str = "http://127.0.0.1:8003"
    webhooks_url: str = "http://127.0.0.1:8006"
    tips_url: str = "http://127.0.0.1:8004"
    # Provisioned as an admin key at start when set (the embedded stack passes HL_DEV_ADMIN_KEY).
    bootstrap_admin_key: str = ""
    upstream_timeout_s: float = 10.0
    upstream_connect_timeout_s: float = 2.0
    upstream_max_connections: int = 100
    upstream_retry_after_s: int = 5  # what a 503 tells the client to wait
    # An evidence upload's whole multipart body; the hazard service limits each kind of file within it.
    attachment_max_body_bytes: int = Field(default=21 * 1024 * 1024, ge=1024)

    # /metrics is served on this internal listener, never on the public port (which an Ingress
    # exposes): operators scrape it without any API credential. Port 0 picks a free port.
    metrics_enabled: bool = True
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=8090, ge=0, le=65_535)

    # Per-client token bucket: a steady rate with room for bursts.
    rate_limit_per_s: float = Field(default=20.0, gt=0)
    rate_limit_burst: int = Field(default=60, ge=1)
    # The public tip routes have no key: they are limited per client address instead, far tighter.
    public_rate_limit_per_s: float = Field(default=0.2, gt=0)
    public_rate_limit_burst: int = Field(default=10, ge=1)

    # Idempotency-Key records live this long; a claim unfinished after `in_flight_s` is abandoned.
    idempotency_ttl_s: int = Field(default=86_400, ge=60)
    idempotency_in_flight_s: float = Field(default=120.0, gt=0)

    # JWT bearer tokens: off while `jwt_issuer` is empty. HS256 with `jwt_secret`, or the
    # issuer's public keys from `jwt_jwks_url` (RS256/ES256/EdDSA).
    jwt_issuer: str = ""
    jwt_audience: str = "hazard-ledger"
    jwt_secret: str = ""
    jwt_jwks_url: str = ""
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256", "EdDSA"])
    jwt_leeway_s: float = 30.0

    # The event feed: page size cap, and how often a live SSE stream looks for new events.
    events_max_limit: int = Field(default=500, ge=1, le=500)
    events_poll_interval_s: float = Field(default=1.0, gt=0)
    events_heartbeat_s: float = Field(default=15.0, gt=0)

    @field_validator("bootstrap_admin_key")
    @classmethod
    def _check_bootstrap_key(cls, key: str) -> str:
        if key and (problem := bootstrap_key_problem(key)):
            raise ValueError(problem)
        return key

    @model_validator(mode="after")
    def _check_jwt(self) -> GatewaySettings:
        if not self.jwt_issuer:
            return self
        if not (self.jwt_secret or self.jwt_jwks_url):
            raise ValueError("jwt_issuer is set: also set jwt_secret (HS256) or jwt_jwks_url")
        if self.jwt_secret and len(self.jwt_secret.encode()) < MIN_JWT_SECRET_BYTES:
            raise ValueError(f"jwt_secret must be at least {MIN_JWT_SECRET_BYTES} bytes")
        return self

    @property
    def upstreams(self) -> dict[str, str]:
        return {
            "hazard": self.hazard_url,
            "enterprise": self.enterprise_url,
            "reporting": self.reporting_url,
            "webhooks": self.webhooks_url,
            "tips": self.tips_url,
        }
