"""Settings of the enterprise service (environment variables HL_ENTERPRISE_*)."""

from pydantic_settings import SettingsConfigDict

from hl_platform.settings import ServiceSettings


class EnterpriseSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HL_ENTERPRISE_", extra="ignore")

    service_name: str = "enterprise"
    port: int = 8002
