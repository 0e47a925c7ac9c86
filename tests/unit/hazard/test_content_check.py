"""The content check on real files made on the spot: the accepted types pass whole; truncated
images, renamed executables, decompression bombs, active PDFs and macro documents are refused."""

from __future__ import annotations

import pytest

from hl_contracts.vocabulary import AttachmentKind
from hl_hazard.adapters.content_check import ContentChecker, Limits
from hl_hazard.application.evidence_ports import UnsupportedContent
from hl_platform.errors import InvalidInput
from tests.support import files

CHECK = ContentChecker()
PHOTO, PLAN, RECORD, NOTICE = (
    AttachmentKind.PHOTO,
    AttachmentKind.PLAN,
    AttachmentKind.ACCEPTANCE_RECORD,
    AttachmentKind.NOTICE,
)


@pytest.mark.parametrize(
    ("make", "kind", "content_type"),
    [
        (files.jpeg, PHOTO, "image/jpeg"),
        (files.png, PHOTO, "image/png"),
        (files.jpeg, RECORD, "image/jpeg"),  # a photographed paper record
        (files.pdf, RECORD, "application/pdf"),
        (files.ofd, NOTICE, "application/ofd"),
        (files.docx, PLAN, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (files.xlsx, RECORD, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_accepted_types_are_sniffed_from_the_bytes(make, kind: AttachmentKind, content_type: str) -> None:  # type: ignore[no-untyped-def]
    data = make()
    checked = CHECK.check(data, kind)
    assert (checked.content_type, checked.size_bytes, len(checked.sha256)) == (content_type, len(data), 64)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (files.EXECUTABLE, "Windows executable"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "Linux executable"),
        (b"<!DOCTYPE html><script>alert(1)</script>", "HTML"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "SVG"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy Office"),
        (b"plain text, not a document", "unknown type"),
    ],
)
def test_other_types_are_refused_with_what_they_are(data: bytes, reason: str) -> None:
    with pytest.raises(UnsupportedContent) as excinfo:
        CHECK.check(data, PLAN)
    assert reason in excinfo.value.detail and excinfo.value.status == 415


def test_a_document_is_not_a_photo() -> None:
    with pytest.raises(UnsupportedContent):
        CHECK.check(files.pdf(), PHOTO)


@pytest.mark.parametrize("cut", [2, 300, 20_000])
def test_a_truncated_jpeg_is_refused(cut: int) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        CHECK.check(files.jpeg()[:-cut], PHOTO)
    assert excinfo.value.field == "file" and "complete" in excinfo.value.reason


def test_a_truncated_png_and_pdf_are_refused() -> None:
    for data, kind in ((files.png()[:-20], PHOTO), (files.pdf()[:-60], PLAN), (files.docx()[:-30], PLAN)):
        with pytest.raises(InvalidInput):
            CHECK.check(data, kind)


def test_an_image_over_the_pixel_limit_is_refused_before_it_is_decoded() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        ContentChecker(Limits(max_pixels=100_000)).check(files.jpeg(640, 480), PHOTO)
    assert "pixels" in excinfo.value.reason


def test_a_zip_bomb_in_a_pdf_is_refused() -> None:
    small = ContentChecker(Limits(pdf_max_decoded_bytes=8 << 20))
    with pytest.raises(InvalidInput) as excinfo:
        small.check(files.pdf_bomb(64), PLAN)
    assert "decompression bomb" in excinfo.value.reason


def test_a_zip_bomb_in_a_docx_is_refused() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        ContentChecker(Limits(zip_max_unpacked_bytes=8 << 20)).check(files.docx_bomb(16), PLAN)
    assert "decompression bomb" in excinfo.value.reason


def test_a_pdf_with_javascript_is_refused() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        CHECK.check(files.pdf_with_javascript(), PLAN)
    assert "active content" in excinfo.value.reason


def test_macros_and_embedded_executables_in_office_documents_are_refused() -> None:
    with pytest.raises(UnsupportedContent):
        CHECK.check(files.docx({"word/vbaProject.bin": b"\x00" * 10}), PLAN)
    with pytest.raises(UnsupportedContent):
        CHECK.check(files.docx({"word/embeddings/tool.bin": files.EXECUTABLE}), PLAN)


def test_an_archive_escaping_its_folder_or_not_a_document_is_refused() -> None:
    with pytest.raises(InvalidInput):
        CHECK.check(files.docx({"../../evil.txt": b"x"}), PLAN)
    with pytest.raises(UnsupportedContent):
        CHECK.check(files._zip({"readme.txt": b"x"}), PLAN)
