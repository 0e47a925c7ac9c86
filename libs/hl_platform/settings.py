"""Settings common to every service. Each service subclasses `ServiceSettings` with its own
environment prefix (`HL_HAZARD_`, `HL_ENTERPRISE_`, …) and is validated once at start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hl_platform.nats_io import NatsCredentials

DEV_INTERNAL_TOKEN = "dev-internal-token-change-me"
# What `secrets.token_urlsafe(24)` gives: short tokens are guessable by whoever reaches a service.
MIN_PRODUCTION_TOKEN_CHARS = 32


def default_data_dir() -> Path:
    return Path.cwd() / "data"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HL_", extra="ignore")

    service_name: str = "service"
    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""  # empty: a SQLite file under data_dir
    nats_url: str = "nats://127.0.0.1:4222"
    nats_stream_replicas: int = 1
    # Who the service is to NATS (deploy/nats/auth.conf, or the embedded stack's generated users);
    # empty: the credentials in nats_url, if any.
    nats_user: str = ""
    nats_password: SecretStr = SecretStr("")
    # The gateway proves itself to the internal services with this shared secret.
    internal_token: str = DEV_INTERNAL_TOKEN
    telemetry_exporter: Literal["none", "console", "otlp"] = "none"
    otlp_endpoint: str = "http://127.0.0.1:4318"
    log_level: str = "INFO"
    log_json: bool = True
    relay_enabled: bool = True
    consumers_enabled: bool = True
    # A writing service remembers each write's Idempotency-Key this long (the gateway's copy too).
    idempotency_ttl_s: int = Field(default=86_400, ge=60)

    @model_validator(mode="after")
    def _refuse_dev_secrets(self) -> ServiceSettings:
        if self.environment != "production":
            return self
        if self.internal_token == DEV_INTERNAL_TOKEN:
            raise ValueError("set a real internal_token in production (the development default is public)")
        if len(self.internal_token) < MIN_PRODUCTION_TOKEN_CHARS:
            raise ValueError(f"internal_token must be at least {MIN_PRODUCTION_TOKEN_CHARS} characters in production")
        return self

    @property
    def nats_credentials(self) -> NatsCredentials:
        return NatsCredentials(self.nats_user, self.nats_password.get_secret_value())

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / (self.service_name + '.db')}"
