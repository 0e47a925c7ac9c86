"""Settings of the reporting service (environment variables HL_REPORTING_*)."""

from pydantic_settings import SettingsConfigDict

from hl_platform.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HL_REPORTING_", extra="ignore")

    service_name: str = "reporting"
    port: int = 8003
    generation_check_interval_s: float = 2.0
    # A folder of evaluation schemes (<region code>/<version>.yaml); empty: the shipped ones.
    evaluation_schemes_dir: str = ""
