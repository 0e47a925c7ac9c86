from hl_gateway.adapters.tables import metadata
from hl_platform.migrate import run_env

run_env(metadata)
