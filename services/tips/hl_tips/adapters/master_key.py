"""The master key that wraps every tip's data key (`hl_platform.master_key`, set by
HL_TIPS_MASTER_KEY or the key file; generated in development only)."""

from __future__ import annotations

from pathlib import Path

from hl_platform.master_key import KeySource, MasterKey, MasterKeyError

__all__ = ["MasterKey", "MasterKeyError", "decode_key", "load_master_key"]

PURPOSE, SETTING = "tips", "HL_TIPS_MASTER_KEY"


def decode_key(text: str) -> MasterKey:
    return KeySource(PURPOSE, SETTING, "", Path()).decode(text)


def load_master_key(configured: str, path: Path, *, may_generate: bool) -> MasterKey:
    return KeySource(PURPOSE, SETTING, configured, path).load(may_generate=may_generate)
