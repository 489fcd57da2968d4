"""What a file really is (its first and last bytes, then all of it), whether its name fits, and its name made
safe to store and to offer for download."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from motcua.domain.files import (
    HEAD_BYTES,
    HEIC,
    TAIL_BYTES,
    clean_filename,
    content_disposition,
    extension_fits,
    sniff,
)
from motcua.domain.scan import Refusal, ScanLimits, scan, to_jpeg
from tests.examples import HEIC as HEIC_PHOTO
from tests.examples import JPEG, PDF, PNG
from tests.hostile import Hostile, corpus, pdf_with_pages, pdf_with_stream, png_of


def seen(content: bytes) -> str | None:
    """What the upload check concludes from the two ranged reads it makes."""
    return sniff(content[:HEAD_BYTES], content[-TAIL_BYTES:])


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (HEIC_PHOTO, "image/heic")],
)
def test_a_whole_file_of_each_type_is_recognised(content: bytes, content_type: str) -> None:
    assert seen(content) == content_type


def test_a_big_pdf_is_recognised_by_its_first_and_last_bytes() -> None:
    big = PDF[:-7] + b"x" * 5_000_000 + b"\n%%EOF\n"

    assert seen(big) == "application/pdf"


@pytest.mark.parametrize(
    "content",
    [
        # The right first bytes, and then anything: the old check looked at 16 bytes only.
        b"%PDF-1.7\n<html><script>alert(1)</script></html>",
        PDF.replace(b"%%EOF", b"") + b"x" * 2000,
        PDF + b"\x00" * (TAIL_BYTES + 1),  # the end mark is not within the last 1024 bytes
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,  # a signature and no chunks
        PNG[:-12],  # no IEND: cut short
        b"\x89PNG\r\n\x1a\n" + b"<svg onload=alert(1)>" + PNG[-12:],  # no IHDR first
        JPEG[:-2],  # no EOI
        b"\xff\xd8\xff" + b"<html>" + b"\xff\xd9",  # SOI, then no segment
        b"MZ\x90\x00" + PDF,  # an executable that carries a PDF
        b"",
    ],
)
def test_a_file_that_only_starts_like_one_of_our_types_is_not_recognised(content: bytes) -> None:
    assert seen(content) is None


@pytest.mark.parametrize(
    ("name", "content_type", "fits"),
    [
        ("giấy đề nghị.pdf", "application/pdf", True),
        ("SCAN.PDF", "application/pdf", True),
        ("ảnh.jpeg", "image/jpeg", True),
        ("ảnh.JPG", "image/jpeg", True),
        ("x.pdf.exe", "application/pdf", False),
        ("ảnh.png", "application/pdf", False),  # a PNG named for what it is, declared a PDF
        ("đơn.pdf", "image/png", False),  # a PNG named .pdf
        ("không đuôi", "application/pdf", False),
        ("x.pdf ", "application/pdf", False),
    ],
)
def test_the_name_must_end_with_an_extension_of_the_type(name: str, content_type: str, fits: bool) -> None:
    assert extension_fits(name, content_type) is fits


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("giấy đề nghị.pdf", "giấy đề nghị.pdf"),
        ("gia\u0301y.pdf", "giáy.pdf"),  # decomposed (as macOS names files) is composed
        ("báo cáo\u202efdp.exe", "báo cáofdp.exe"),  # a right-to-left override shows "exe.pdf"
        ("a\u2066b\u2069c\u200b\u200fd.pdf", "abcd.pdf"),  # isolates, zero-width, direction marks
        ("tên\x00.pdf.exe", "tên.pdf.exe"),
        ("dòng 1\r\nContent-Type: text/html.pdf", "dòng 1 Content-Type: text_html.pdf"),
        ("../../etc/passwd.pdf", "_.._etc_passwd.pdf"),
        ("..\\..\\windows\\a.pdf", "_.._windows_a.pdf"),
        ("  .ẩn   nhiều   khoảng.pdf ", "ẩn nhiều khoảng.pdf"),
        ("\u202e\x00\r\n", ""),
    ],
)
def test_names_lose_control_and_bidi_characters_and_separators_and_keep_vietnamese(
    name: str, clean: str
) -> None:
    assert clean_filename(name) == clean


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("giấy đề nghị.pdf", "giay de nghi.pdf"),
        ('Đơn "xin"; phép.pdf', "Don _xin_ phep.pdf"),
        ("a\r\nSet-Cookie: x=1.pdf", "a Set-Cookie_ x_1.pdf"),
        ("../../etc/passwd.pdf", "etc_passwd.pdf"),
        ("北京.pdf", "tep.pdf"),
        ("\u202e", "tep"),
    ],
)
def test_a_download_name_has_a_safe_ascii_fallback_and_the_name_in_utf8(name: str, fallback: str) -> None:
    disposition = content_disposition(name)

    plain, encoded = disposition.removeprefix('attachment; filename="').split("\"; filename*=UTF-8''")
    assert plain == fallback
    assert unquote(encoded) == (clean_filename(name) or "tep")
    assert not set('"\\;\r\n/') & set(plain) and encoded.isascii() and "%" not in plain


def test_a_well_formed_file_passes_the_whole_file_scan() -> None:
    limits = ScanLimits(max_pages=3, max_pixels=100, max_inflated_bytes=4 * 1024 * 1024)
    for content, content_type in [
        (PDF, "application/pdf"),
        (pdf_with_pages(3), "application/pdf"),
        (pdf_with_stream(b"BT /F1 12 Tf (Xin chao) Tj ET" * 1000), "application/pdf"),
        # more than the megabyte the scan takes out of zlib at a time, with bytes after the stream's end
        (pdf_with_stream(b"BT /F1 12 Tf 72 720 Td (Giay de nghi) Tj ET\n" * 40_000), "application/pdf"),
        (png_of(10, 10), "image/png"),
        (JPEG, "image/jpeg"),
    ]:
        assert scan(content, content_type, limits) is None
    assert (
        scan(HEIC_PHOTO, HEIC, ScanLimits(max_pages=1, max_pixels=64 * 64, max_inflated_bytes=1024)) is None
    )


@pytest.mark.parametrize("hostile", corpus(1024 * 1024), ids=lambda h: h.id)
def test_a_hostile_file_is_refused_by_its_bytes_or_the_whole_file_scan(hostile: Hostile) -> None:
    limits = ScanLimits(max_pages=300, max_pixels=40_000_000, max_inflated_bytes=1024 * 1024)

    refused = (
        seen(hostile.content) != hostile.content_type
        or scan(hostile.content, hostile.content_type, limits)
        # a HEIC photo is decoded only to be filed as a JPEG
        or (hostile.content_type == HEIC and isinstance(to_jpeg(hostile.content, limits), Refusal))
    )

    assert refused
