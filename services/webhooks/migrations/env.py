from hl_platform.migrate import run_env
from hl_webhooks.adapters.tables import metadata

run_env(metadata)
