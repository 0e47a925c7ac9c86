"""Real files for evidence tests, made on the spot: photos, PDFs, Office and OFD documents, and
the bad ones (truncated, renamed executables, decompression bombs)."""

from __future__ import annotations

import functools
import io
import zipfile
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject, TextStringObject

# The first bytes of a real Windows executable (a PE header's DOS stub).
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + b"\x00" * 400
)


def jpeg(width: int = 640, height: int = 480, quality: int = 85) -> bytes:
    image = Image.new("RGB", (width, height), (180, 40, 40))
    for x in range(0, width, 9):  # some detail, so the file is not trivially small
        for y in range(0, height, 7):
            image.putpixel((x, y), (x % 256, y % 256, (x * y) % 256))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def png(width: int = 320, height: int = 240) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)  # A4
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def deflate_bomb(expanded_mib: int) -> bytes:
    """A zlib stream of `expanded_mib` MiB of zeros in ~1 KB per MiB: one full-flushed deflate block
    repeated (each is the same bytes once the window is reset), with the true Adler-32 at the end."""
    chunk = b"\x00" * (1 << 20)
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = raw.compress(chunk) + raw.flush(zlib.Z_FULL_FLUSH)
    block = raw.compress(chunk) + raw.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(expanded_mib):
        checksum = zlib.adler32(chunk, checksum)
    body = first + block * (expanded_mib - 1) + raw.flush(zlib.Z_FINISH)
    return b"\x78\xda" + body + checksum.to_bytes(4, "big")


@functools.cache
def pdf_bomb(expanded_mib: int = 1024) -> bytes:
    """A valid one-page PDF whose content stream inflates to `expanded_mib` MiB (a zip bomb in a PDF)."""
    packed = deflate_bomb(expanded_mib)
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    stream = StreamObject()
    stream._data = packed  # already compressed: stored as is
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_javascript() -> bytes:
    """A page that runs JavaScript when opened (an additional action, nested in the page)."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            "word/document.xml": "<w:document><w:body><w:p><w:t>整改方案</w:t></w:p></w:body></w:document>".encode(),
            **(extra or {}),
        }
    )


def xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "验收记录"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ofd() -> bytes:
    return _zip(
        {
            "OFD.xml": (
                b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" DocType="OFD"'
                b' Version="1.0"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'
            ),
            "Doc_0/Document.xml": b'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"/>',
        }
    )


def docx_bomb(expanded_mib: int = 16) -> bytes:
    """A DOCX with one member of `expanded_mib` MiB of zeros (a zip bomb, for a checker with low limits)."""
    return docx({"word/media/zeros.bin": b"\x00" * (expanded_mib << 20)})
