"""The embedded evidence store's files: a key pair generated once, readable by its owner only, and
an identity file that opens the S3 API to that key alone."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from hl_stack.object_store import SeaweedFS, credentials, identities


def test_the_key_pair_is_generated_once_and_private(tmp_path: Path) -> None:
    first = credentials(tmp_path)
    path = tmp_path / "s3-credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert credentials(tmp_path) == first  # kept across restarts: the stored evidence stays reachable
    assert len(first.secret_key) >= 40 and first.access_key.startswith("HL")
    assert credentials(tmp_path / "other") != first


def test_the_identity_file_names_only_that_key_and_no_anonymous_access(tmp_path: Path) -> None:
    pair = credentials(tmp_path)
    document = json.loads(identities(pair))
    (identity,) = document["identities"]
    assert identity["credentials"] == [{"accessKey": pair.access_key, "secretKey": pair.secret_key}]
    assert identity["name"] != "anonymous" and "anonymous" not in json.dumps(document)


def test_the_server_listens_on_loopback_with_the_stacks_settings(tmp_path: Path) -> None:
    store = SeaweedFS(tmp_path, s3_port=18333)
    store.ports = dict.fromkeys(
        ("master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3_grpc", "metrics"), 1
    )
    arguments = store.arguments()
    assert "-ip.bind=127.0.0.1" in arguments and "-s3" in arguments and "-s3.port=18333" in arguments
    assert f"-s3.config={tmp_path / 's3-identities.json'}" in arguments
    store.credentials = credentials(tmp_path)
    env = store.service_environment(bucket="b")
    assert env["HL_HAZARD_OBJECT_STORE_ENDPOINT"] == "http://127.0.0.1:18333"
    assert env["HL_HAZARD_OBJECT_STORE_BUCKET"] == "b" and env["HL_HAZARD_OBJECT_STORE_CREATE_BUCKET"] == "true"


def test_the_stack_gives_the_tips_service_a_photo_bucket_of_its_own(tmp_path: Path) -> None:
    store = SeaweedFS(tmp_path, s3_port=18333)
    store.credentials = credentials(tmp_path)
    env = store.stack_environment()
    assert env["HL_TIPS_OBJECT_STORE_ENDPOINT"] == env["HL_HAZARD_OBJECT_STORE_ENDPOINT"] == "http://127.0.0.1:18333"
    assert env["HL_TIPS_OBJECT_STORE_BUCKET"] == "tip-photos" != env["HL_HAZARD_OBJECT_STORE_BUCKET"]
    assert env["HL_TIPS_OBJECT_STORE_CREATE_BUCKET"] == "true"
    assert env["HL_TIPS_OBJECT_STORE_ACCESS_KEY"] == store.credentials.access_key
