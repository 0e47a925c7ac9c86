from hl_platform.migrate import run_env
from hl_tips.adapters.tables import metadata

run_env(metadata)
