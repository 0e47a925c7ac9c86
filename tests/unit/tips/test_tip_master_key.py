"""The master key that wraps every tip's data key: given, or generated once in development only."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from hl_tips.adapters.master_key import MasterKeyError, decode_key, load_master_key


def test_development_generates_the_key_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "tips-master.key"
    first = load_master_key("", path, may_generate=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first.key) == 32
    assert load_master_key("", path, may_generate=True) == first  # the next start reads the same key
    assert first.key_id in repr(first) and base64.urlsafe_b64encode(first.key).decode() not in repr(first)


def test_production_never_generates_it_and_a_given_key_wins(tmp_path: Path) -> None:
    with pytest.raises(MasterKeyError, match="HL_TIPS_MASTER_KEY"):
        load_master_key("", tmp_path / "absent.key", may_generate=False)
    given = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    assert load_master_key(given, tmp_path / "absent.key", may_generate=False).key == decode_key(given).key
    for bad in ("not base64 !!", base64.urlsafe_b64encode(b"short").decode()):
        with pytest.raises(MasterKeyError):
            decode_key(bad)
