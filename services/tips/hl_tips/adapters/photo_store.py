"""Photo bytes on the local disk, under the data folder, one file per SHA-256 (content-addressed).

The embedded default behind the `PhotoStore` port. Writing the same bytes twice is one file;
a file is written whole (to a temporary name, then renamed), so a crash never leaves half a photo
under its hash. A production deployment with several replicas puts an object store behind the
same port instead (the S3 adapter the evidence work brings).
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path

from hl_platform.errors import NotFound

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class FilePhotoStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):  # the name is a hash, never a path a caller chose
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    async def put(self, sha256: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self._path(sha256), data)

    async def get(self, sha256: str) -> bytes:
        path = self._path(sha256)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise NotFound(f"photo {sha256} is not in the store") from None

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
