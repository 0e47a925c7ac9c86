"""The reward rules, read from a YAML file (the bundled national rule, or a bureau's own)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hl_tips.domain.rewards import RewardRules, RulesError

BUNDLED = "reward_rules.yaml"


def load_rules(path: Path | None = None) -> RewardRules:
    """The rules in `path`, or the bundled ones; a file that breaks a rule fails here, at start."""
    text = path.read_text(encoding="utf-8") if path else resources.files("hl_tips").joinpath(BUNDLED).read_text("utf-8")
    try:
        document: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesError(f"{path or BUNDLED}: not YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise RulesError(f"{path or BUNDLED}: expected a mapping with a list under 'rules'")
    return RewardRules(document["rules"])
