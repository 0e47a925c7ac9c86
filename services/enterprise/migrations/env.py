from hl_enterprise.adapters.tables import metadata
from hl_platform.migrate import run_env

run_env(metadata)
