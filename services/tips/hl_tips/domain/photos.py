"""Photos a tipster sends: only real JPEG and PNG images, and stripped of what could identify them.

The type is read from the bytes (a renamed file is refused), the structure is walked to its end (a
truncated image is refused), and the metadata a phone writes — EXIF with GPS position and device,
XMP, comments, PNG text chunks — is removed before the bytes are stored, since the photo is evidence
that officers pass around and the place it was taken from may be the tipster's home.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from hl_platform.errors import InvalidInput

JPEG, PNG = "image/jpeg", "image/png"
MAX_PHOTO_BYTES = 1_048_576  # what the service's body limit lets in (hl_platform.http.MAX_BODY_BYTES)
EXTENSIONS = {JPEG: "jpg", PNG: "png"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG markers kept: APP0 (JFIF), APP2 (ICC colour profile), APP14 (Adobe colour transform);
# every other APPn (EXIF, XMP, IPTC, maker notes) and COM (comments) is dropped.
_KEPT_APP = {0xE0, 0xE2, 0xEE}
_DROPPED_PNG = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn have no length


@dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str


def photo_key(tip_id: str, sha256: str) -> str:
    """The object a tip's photo is kept as: per tip (a tip's photos can go with it), per content
    (the same bytes sent twice are one object, so a retried upload leaves no orphan)."""
    return f"tips/{tip_id}/{sha256}"


def photo_filename(photo_id: str, content_type: str) -> str:
    """The name a download is saved under: the photo's id, never what the tipster's phone called it."""
    return f"{photo_id}.{EXTENSIONS.get(content_type, 'bin')}"


def clean_photo(data: bytes) -> Photo:
    """The photo without its metadata, or `InvalidInput("photo", …)`."""
    if data.startswith(b"\xff\xd8\xff"):
        return Photo(_clean_jpeg(data), JPEG)
    if data.startswith(_PNG_SIGNATURE):
        return Photo(_clean_png(data), PNG)
    raise InvalidInput("photo", "is not a JPEG or PNG image (the type is read from the bytes, not the name)")


def _broken(what: str) -> InvalidInput:
    return InvalidInput("photo", f"is not a complete {what} image: truncated or damaged")


def _clean_jpeg(data: bytes) -> bytes:
    out, at = bytearray(data[:2]), 2
    while True:
        if at + 4 > len(data) or data[at] != 0xFF:
            raise _broken("JPEG")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _STANDALONE:
            out += data[at : at + 2]
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        end = at + 2 + length
        if length < 2 or end > len(data):
            raise _broken("JPEG")
        if marker == 0xDA:  # start of scan: the entropy-coded data runs to the end of image
            if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
                raise _broken("JPEG")
            return bytes(out + data[at:])
        if not (0xE0 <= marker <= 0xEF and marker not in _KEPT_APP) and marker != 0xFE:
            out += data[at:end]
        at = end


def _clean_png(data: bytes) -> bytes:
    out, at = bytearray(_PNG_SIGNATURE), len(_PNG_SIGNATURE)
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, end = data[at + 4 : at + 8], at + 12 + length
        if end > len(data):
            raise _broken("PNG")
        body, (crc,) = data[at + 8 : at + 8 + length], struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) != crc:
            raise _broken("PNG")
        if kind not in _DROPPED_PNG:
            out += data[at:end]
        if kind == b"IEND":
            return bytes(out)
        at = end
    raise _broken("PNG")
