"""Signing secrets are sealed at rest under the webhooks master key, bound to their subscription."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hl_platform.master_key import KeySource, MasterKey, MasterKeyError
from hl_webhooks.adapters.secret_box import SealError, SecretBox
from hl_webhooks.domain.signing import new_secret
from hl_webhooks.settings import WebhooksSettings

BOX = SecretBox(MasterKey(os.urandom(32), "webhooks"))


def test_a_sealed_secret_opens_for_its_subscription_only_and_never_shows_the_secret() -> None:
    secret = new_secret()
    sealed = BOX.seal(secret, "sub-1")
    assert secret not in sealed and sealed.startswith(f"v1.{BOX.key_id}.")
    assert len(sealed) <= 200, "fits the column"
    assert BOX.open(sealed, "sub-1") == secret
    assert BOX.seal(secret, "sub-1") != sealed, "a fresh nonce each time"
    with pytest.raises(SealError, match="does not open"):
        BOX.open(sealed, "sub-2")  # moved to another subscription


def test_another_master_key_or_an_altered_value_is_refused_plainly() -> None:
    sealed = BOX.seal(new_secret(), "sub-1")
    other = SecretBox(MasterKey(os.urandom(32), "webhooks"))
    with pytest.raises(SealError, match="sealed by master key"):
        other.open(sealed, "sub-1")
    version, key_id, body = sealed.split(".", 2)
    altered = f"{version}.{key_id}.{body[:-4]}{'AAAA' if body[-4:] != 'AAAA' else 'BBBB'}"
    with pytest.raises(SealError):
        BOX.open(altered, "sub-1")
    with pytest.raises(SealError, match="not sealed"):
        BOX.open(new_secret(), "sub-1")  # a plain secret is never taken for a sealed one


def test_development_generates_the_key_file_once_and_production_requires_one(tmp_path: Path) -> None:
    settings = WebhooksSettings(data_dir=tmp_path)
    first = settings.master_key_source.load(may_generate=True)
    path = tmp_path / "webhooks-master.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.master_key_source.load(may_generate=True) == first
    assert first.key_id != MasterKey(first.key, "tips").key_id, "the purpose is part of the fingerprint"
    with pytest.raises(MasterKeyError, match="HL_WEBHOOKS_MASTER_KEY"):
        KeySource("webhooks", "HL_WEBHOOKS_MASTER_KEY", "", tmp_path / "absent.key").load(may_generate=False)
