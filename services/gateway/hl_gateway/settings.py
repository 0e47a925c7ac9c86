"""Settings of the gateway service (environment variables HL_GATEWAY_*)."""

from pydantic_settings import SettingsConfigDict

from hl_platform.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HL_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    port: int = 8000
    hazard_url: str = "http://127.0.0.1:8001"
    enterprise_url: str = "http://127.0.0.1:8002"
    reporting_url: str = "http://127.0.0.1:8003"
    # Provisioned as an admin key at start when set (the embedded stack passes HL_DEV_ADMIN_KEY).
    bootstrap_admin_key: str = ""
    upstream_timeout_s: float = 10.0
