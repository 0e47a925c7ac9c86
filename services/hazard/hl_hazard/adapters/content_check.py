"""What a file really is, checked from its bytes in full before it becomes evidence.

The magic numbers pick a validator; the validator then reads the whole file with a well-kept
library, so that a file is accepted only if it opens completely:
- JPEG and PNG photos (the national 危化品 upload interface takes these two): Pillow decodes every
  scan (a JPEG at 1/8 scale, which still reads all its data), so a truncated file fails; the pixel
  count is checked before decoding, so an image bomb is refused before it costs memory.
- PDF: pypdf parses every object and decodes every stream under pypdf's own output limits and a
  total budget, so a zip bomb in a stream is refused; encrypted files and active content
  (JavaScript, launch actions, embedded files) are refused, since nobody could review them.
- OFD (GB/T 33190, the national format of official electronic documents, in which many notices
  are issued), DOCX and XLSX (plans and records typed in Office or WPS): ZIP containers, checked by
  the standard library's zipfile member by member (CRC, sizes as read, not as declared), with
  limits on members and total size, no encrypted or path-escaping members, no macros.
Anything else — an executable under any name, HTML or SVG (scriptable), legacy .doc/.xls (macro
carriers), HEIC — is refused with the reason.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from hl_contracts.vocabulary import AttachmentKind
from hl_hazard.application.evidence_ports import CheckedContent, UnsupportedContent
from hl_platform.errors import InvalidInput

FIELD = "file"


class MediaType(StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    PDF = "application/pdf"
    OFD = "application/ofd"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


IMAGES = frozenset({MediaType.JPEG, MediaType.PNG})
ALLOWED: dict[AttachmentKind, frozenset[MediaType]] = {
    kind: IMAGES if kind == AttachmentKind.PHOTO else frozenset(MediaType) for kind in AttachmentKind
}
# Named so that a refusal says what the bytes are, whatever the file was called.
_KNOWN_OTHERS = (
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "a Linux executable"),
    (b"\xcf\xfa\xed\xfe", "a macOS executable"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java executable"),
    (b"#!", "a script"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office document (.doc/.xls, may carry macros): save it as PDF, DOCX or XLSX"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"GIF8", "a GIF image: send JPEG or PNG"),
)
_IMAGE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,  # raised where warnings are errors; the pixel limit is lower anyway
)
_ACTIVE_PDF_KEYS = ("/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles")


@dataclass(frozen=True)
class Limits:
    """Bounds on what a check may cost (settings `HL_HAZARD_ATTACHMENT_*`)."""

    max_pixels: int = 64_000_000  # a 48 MP phone photo fits
    pdf_max_decoded_bytes: int = 64 * 1024 * 1024  # all streams of a PDF, decoded (≈ 1.5 s of work)
    pdf_max_objects: int = 200_000
    zip_max_members: int = 2_000
    zip_max_unpacked_bytes: int = 256 * 1024 * 1024


class ContentChecker:
    """The content check port's adapter: pure CPU work on bytes; run it off the event loop."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()

    def check(self, data: bytes, kind: AttachmentKind) -> CheckedContent:
        """The sniffed, fully validated type of `data`; `UnsupportedContent` (415) or `InvalidInput` (422)."""
        media_type = self._validate(data, sniff(data))
        if media_type not in ALLOWED[kind]:
            allowed = ", ".join(sorted(ALLOWED[kind]))
            raise UnsupportedContent(f"a {kind} must be one of {allowed}; the file is {media_type}")
        return CheckedContent(media_type.value, len(data), hashlib.sha256(data).hexdigest())

    def _validate(self, data: bytes, media_type: MediaType | None) -> MediaType:
        match media_type:
            case MediaType.JPEG | MediaType.PNG:
                self._image(data, media_type)
            case MediaType.PDF:
                self._pdf(data)
            case None if data.startswith(b"PK\x03\x04"):
                return self._container(data)
            case None:
                raise UnsupportedContent(f"the file is {_describe(data)}: not a type accepted as evidence")
        return media_type

    def _image(self, data: bytes, media_type: MediaType) -> None:
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > self.limits.max_pixels:
                    reason = f"{image.width}×{image.height} pixels is over the limit of {self.limits.max_pixels}"
                    raise InvalidInput(FIELD, reason)
                if media_type == MediaType.PNG:
                    image.verify()  # chunk CRCs; a verified image must be reopened to decode
            with Image.open(io.BytesIO(data)) as image:
                if media_type == MediaType.JPEG:  # 1/8 scale: every scan is read, 1/64 of the memory
                    image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
                image.load()
        except _IMAGE_ERRORS as exc:
            raise InvalidInput(FIELD, f"is not a complete {media_type} image ({exc})") from None

    def _pdf(self, data: bytes) -> None:
        limits = self.limits
        try:
            with apply_configuration(
                zlib_maximum_output_length=limits.pdf_max_decoded_bytes,
                lzw_maximum_output_length=limits.pdf_max_decoded_bytes,
                run_length_maximum_output_length=limits.pdf_max_decoded_bytes,
                brotli_maximum_output_length=limits.pdf_max_decoded_bytes,
                stream_decoding_work_maximum_length=limits.pdf_max_decoded_bytes,
            ):
                _read_pdf(data, limits)
        except LimitReachedError:
            raise InvalidInput(FIELD, "is a decompression bomb: a PDF stream expands beyond the limit") from None
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise InvalidInput(FIELD, f"is not a readable PDF ({exc.__class__.__name__}: {exc})") from None

    def _container(self, data: bytes) -> MediaType:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = _members(archive, self.limits)
                media_type = _office_type(names)
                _unpack_all(archive, self.limits)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as exc:
            raise InvalidInput(FIELD, f"is not a complete ZIP-based document ({exc})") from None
        return media_type


def sniff(data: bytes) -> MediaType | None:
    """The accepted type the magic numbers announce (ZIP containers are told apart by their members)."""
    if data.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.PNG
    if data.startswith(b"%PDF-"):
        return MediaType.PDF
    return None


def _describe(data: bytes) -> str:
    for magic, name in _KNOWN_OTHERS:
        if data.startswith(magic):
            return name
    head = data[:256].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<svg", b"<?xml")):
        return "HTML, SVG or XML (may carry scripts)"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "a HEIC photo: send it as JPEG"
    return "of an unknown type"


def _read_pdf(data: bytes, limits: Limits) -> None:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise InvalidInput(FIELD, "is an encrypted PDF: its content cannot be checked")
    if len(reader.pages) < 1:
        raise InvalidInput(FIELD, "is a PDF without pages")
    decoded = 0
    for count, (number, generation) in enumerate(_object_ids(reader), start=1):
        if count > limits.pdf_max_objects:
            raise InvalidInput(FIELD, f"is a PDF with more than {limits.pdf_max_objects} objects")
        obj = reader.get_object(IndirectObject(number, generation, reader))
        if _active(obj):
            raise InvalidInput(FIELD, "is a PDF with active content (JavaScript, launch actions or embedded files)")
        if isinstance(obj, StreamObject):
            decoded += len(obj.get_data())
            if decoded > limits.pdf_max_decoded_bytes:
                raise LimitReachedError("the PDF's streams expand beyond the limit")


def _active(obj: object, depth: int = 0) -> bool:
    """Whether a dictionary (or the direct objects nested in it) names JavaScript, a launch or an
    embedded file. Indirect objects are not followed: each is visited on its own."""
    if depth > 32:
        return False
    if isinstance(obj, DictionaryObject):
        if any(key in obj for key in _ACTIVE_PDF_KEYS) or obj.get("/S") in ("/JavaScript", "/Launch"):
            return True
        return any(_active(value, depth + 1) for value in obj.values() if not isinstance(value, IndirectObject))
    if isinstance(obj, ArrayObject):
        return any(_active(value, depth + 1) for value in obj if not isinstance(value, IndirectObject))
    return False


def _object_ids(reader: PdfReader) -> list[tuple[int, int]]:
    ids = {(number, generation) for generation, entries in reader.xref.items() for number in entries}
    ids |= {(number, 0) for number in reader.xref_objStm}
    return sorted(ids)


def _members(archive: zipfile.ZipFile, limits: Limits) -> set[str]:
    infos = archive.infolist()
    if len(infos) > limits.zip_max_members:
        raise InvalidInput(FIELD, f"is an archive of more than {limits.zip_max_members} members")
    for info in infos:
        parts = info.filename.replace("\\", "/").split("/")
        if info.filename.startswith("/") or ".." in parts or "\\" in info.filename:
            raise InvalidInput(FIELD, f"holds a member that escapes its folder: {info.filename!r}")
        if info.flag_bits & 0x1:
            raise InvalidInput(FIELD, "is an encrypted archive: its content cannot be checked")
    if sum(info.file_size for info in infos) > limits.zip_max_unpacked_bytes:
        raise InvalidInput(FIELD, "is a decompression bomb: its members unpack beyond the limit")
    return {info.filename for info in infos}


def _office_type(names: set[str]) -> MediaType:
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise UnsupportedContent("the document carries macros (vbaProject.bin): save it without macros")
    if "OFD.xml" in names:
        return MediaType.OFD
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return MediaType.DOCX
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return MediaType.XLSX
    raise UnsupportedContent("the file is a ZIP archive, not an OFD, DOCX or XLSX document")


def _unpack_all(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Read every member to its end: the CRC proves it whole, and the bytes counted (not the sizes
    declared, which a bomb can forge) stay within the limit. Executables inside are refused."""
    unpacked = 0
    for info in archive.infolist():
        with archive.open(info) as member:
            head = member.read(4)
            if head.startswith((b"MZ", b"\x7fELF")):
                raise UnsupportedContent(f"the document embeds an executable ({info.filename})")
            unpacked += len(head)
            while chunk := member.read(1 << 20):
                unpacked += len(chunk)
                if unpacked > limits.zip_max_unpacked_bytes:
                    raise InvalidInput(FIELD, "is a decompression bomb: its members unpack beyond the limit")
