"""An S3-compatible object store (SeaweedFS embedded; MinIO, Ceph, a cloud's object storage in
production), through boto3: the hazard service's evidence and the tips service's photos.

boto3 is the S3 client every S3-compatible store is tested against, signs presigned URLs
(SigV4) locally, and takes path-style addressing, timeouts and retries as configuration. It is
synchronous, so each call runs on a worker thread. Failures to reach or use the store become
`StoreUnavailable` (503 with Retry-After): uploads wait, everything else goes on.
Download links are signed for `public_endpoint` when clients reach the store at another address
than the service does (the signature covers the host).

DomainError (hl_platform.errors)
├── PayloadTooLarge     413  over the size limit of its kind
└── StoreUnavailable    503  the object store cannot be reached (Retry-After)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import quote

import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, Field, model_validator

from hl_platform.errors import DomainError

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client
    from types_boto3_s3.type_defs import CopySourceTypeDef

log = structlog.get_logger(__name__)
T = TypeVar("T")
MAX_SWEPT_KEYS = 1_000  # per sweep; the next one takes the rest
_ABSENT = ("404", "NoSuchKey", "NoSuchBucket", "NotFound")


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"


class StoreUnavailable(DomainError):
    status = 503
    title = "Object store unavailable"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after_s)}


@dataclass(frozen=True, kw_only=True)
class S3Config:
    """Where the store is and how to reach it; one bucket per service (each its own data)."""

    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"
    path_style: bool = True
    public_endpoint: str = ""
    create_bucket: bool = False  # the embedded stack's store starts empty; production buckets are provisioned
    retry_after_s: int = 10
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 20.0


def _client(config: S3Config, endpoint: str) -> S3Client:
    settings = Config(
        region_name=config.region,
        signature_version="s3v4",
        s3={"addressing_style": "path" if config.path_style else "virtual"},
        connect_timeout=config.connect_timeout_s,
        read_timeout=config.read_timeout_s,
        retries={"max_attempts": 2, "mode": "standard"},  # a store that is down answers 503 quickly
        # Checksums only where S3 requires them: older S3-compatible stores refuse the new defaults.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=config.access_key,
        aws_secret_access_key=config.secret_key,
        config=settings,
    )


class S3ObjectStore:
    """One bucket of an S3-compatible store. Every call raises `StoreUnavailable` when the store
    cannot be used; an absent object is an answer (None, False), not a failure."""

    def __init__(self, config: S3Config) -> None:
        self.config = config
        self.bucket = config.bucket
        self.client = _client(config, config.endpoint)
        self.signer = _client(config, config.public_endpoint) if config.public_endpoint else self.client

    async def ensure_bucket(self) -> None:
        """Create the bucket if it is missing (embedded mode; production buckets are provisioned)."""
        try:
            await self._call(lambda: self.client.head_bucket(Bucket=self.bucket))
        except StoreUnavailable as exc:
            if not isinstance(exc.__cause__, ClientError) or _code(exc.__cause__) not in _ABSENT:
                raise
            await self._call(lambda: self.client.create_bucket(Bucket=self.bucket))

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await self._call(
            lambda: self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        )

    async def copy(self, source: str, target: str) -> None:
        origin: CopySourceTypeDef = {"Bucket": self.bucket, "Key": source}
        await self._call(lambda: self.client.copy_object(Bucket=self.bucket, Key=target, CopySource=origin))

    async def delete(self, key: str) -> None:
        await self._call(lambda: self.client.delete_object(Bucket=self.bucket, Key=key))

    async def exists(self, key: str) -> bool:
        try:
            await self._call(lambda: self.client.head_object(Bucket=self.bucket, Key=key))
        except StoreUnavailable as exc:
            if isinstance(exc.__cause__, ClientError) and _code(exc.__cause__) in _ABSENT:
                return False
            raise
        return True

    async def get(self, key: str, max_bytes: int) -> bytes | None:
        def read() -> bytes:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
            if answer["ContentLength"] > max_bytes:
                answer["Body"].close()
                raise _TooLarge(answer["ContentLength"])
            return answer["Body"].read(max_bytes + 1)

        try:
            data = await self._call(read)
        except StoreUnavailable as exc:
            if isinstance(exc.__cause__, ClientError) and _code(exc.__cause__) in _ABSENT:
                return None
            raise
        except _TooLarge as exc:
            raise PayloadTooLarge(f"the uploaded file has {exc.size} bytes; the limit is {max_bytes}") from None
        return data

    async def keys(self, prefix: str, modified_before: datetime) -> list[str]:
        def listing() -> list[str]:
            found: list[str] = []
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            for page in pages:
                found += [o["Key"] for o in page.get("Contents", []) if o["LastModified"] < modified_before]
                if len(found) >= MAX_SWEPT_KEYS:
                    return found[:MAX_SWEPT_KEYS]
            return found

        return await self._call(listing)

    def download_url(self, key: str, *, filename: str, content_type: str, ttl_s: int) -> str:
        # Served as a download with its checked type, never rendered by the store as something else.
        disposition = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentDisposition": disposition,
            "ResponseContentType": content_type,
        }
        return self.signer.generate_presigned_url("get_object", Params=params, ExpiresIn=ttl_s)

    def upload_url(self, key: str, *, size_bytes: int, ttl_s: int) -> str:
        # The length is signed: the store refuses a body of any other size.
        params = {"Bucket": self.bucket, "Key": key, "ContentLength": size_bytes}
        return self.signer.generate_presigned_url("put_object", Params=params, ExpiresIn=ttl_s)

    async def _call(self, call: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(call)
        except (BotoCoreError, ClientError) as exc:
            if not (isinstance(exc, ClientError) and _code(exc) in _ABSENT):  # absent is an answer, not a failure
                log.warning("object_store.failed", error=str(exc), endpoint=self.config.endpoint)
            detail = f"the object store cannot be used now ({exc.__class__.__name__}); retry later"
            raise StoreUnavailable(detail, self.config.retry_after_s) from exc


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class NoObjectStore:
    """The store when none is configured: uploads and links answer 503, the rest works."""

    def __init__(self, retry_after_s: int = 60, setting: str = "HL_HAZARD_OBJECT_STORE_ENDPOINT") -> None:
        self.retry_after_s = retry_after_s
        self.setting = setting  # named in the answer: what an operator sets to give the service a store

    def _refuse(self) -> StoreUnavailable:
        return StoreUnavailable(f"no object store is configured ({self.setting})", self.retry_after_s)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        raise self._refuse()

    async def copy(self, source: str, target: str) -> None:
        raise self._refuse()

    async def delete(self, key: str) -> None:
        raise self._refuse()

    async def exists(self, key: str) -> bool:
        raise self._refuse()

    async def get(self, key: str, max_bytes: int) -> bytes | None:
        raise self._refuse()

    async def keys(self, prefix: str, modified_before: datetime) -> list[str]:
        return []

    def download_url(self, key: str, *, filename: str, content_type: str, ttl_s: int) -> str:
        raise self._refuse()

    def upload_url(self, key: str, *, size_bytes: int, ttl_s: int) -> str:
        raise self._refuse()


def _code(error: ClientError) -> str:
    details: dict[str, Any] = dict(error.response.get("Error", {}))
    return str(details.get("Code", ""))


class ObjectStoreSettings(BaseModel):
    """A service's settings for its bucket on any S3-compatible store (mixed into its settings, so
    that every service that keeps files names them alike: HL_<SERVICE>_OBJECT_STORE_*). An empty
    endpoint means no store: what needs one answers 503 naming the setting, the rest works."""

    object_store_endpoint: str = ""
    object_store_public_endpoint: str = ""  # where clients (browsers) reach the store, if not at the endpoint
    object_store_bucket: str = ""  # each service names its own default
    object_store_region: str = "us-east-1"
    object_store_access_key: str = Field(default="", repr=False)
    object_store_secret_key: str = Field(default="", repr=False)
    object_store_path_style: bool = True  # path-style URLs (most self-hosted stores); False: virtual-host
    object_store_create_bucket: bool = False  # the embedded stack creates its bucket; production provisions it
    object_store_retry_after_s: int = Field(default=10, ge=1)

    @model_validator(mode="after")
    def _keys_with_the_endpoint(self) -> Self:
        if self.object_store_endpoint and not (self.object_store_access_key and self.object_store_secret_key):
            raise ValueError("object_store_endpoint is set: also set object_store_access_key and _secret_key")
        return self

    def object_store(self) -> S3ObjectStore | NoObjectStore:
        """The store these settings name, or the 503-answering one when none is configured."""
        if not self.object_store_endpoint:
            prefix = str(self.model_config.get("env_prefix", ""))
            return NoObjectStore(self.object_store_retry_after_s, setting=f"{prefix}OBJECT_STORE_ENDPOINT")
        return S3ObjectStore(
            S3Config(
                endpoint=self.object_store_endpoint,
                public_endpoint=self.object_store_public_endpoint,
                bucket=self.object_store_bucket,
                region=self.object_store_region,
                access_key=self.object_store_access_key,
                secret_key=self.object_store_secret_key,
                path_style=self.object_store_path_style,
                create_bucket=self.object_store_create_bucket,
                retry_after_s=self.object_store_retry_after_s,
            )
        )
