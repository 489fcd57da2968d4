"""Hostile files and names: what a citizen's upload must never get through as, each with the error code
that refuses it. Built in memory, small, from the well-formed examples."""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from tests.examples import HEIC, JPEG, PDF, PNG, pdf_of


@dataclass(frozen=True)
class Hostile:
    id: str
    content: bytes
    content_type: str
    code: str  # the FieldError code that refuses it at filing
    filename: str = ""

    @property
    def name(self) -> str:
        extensions = {"application/pdf": "pdf", "image/png": "png", "image/heic": "heic"}
        return self.filename or f"{self.id}.{extensions.get(self.content_type, 'jpg')}"


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.txt", "payload")
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_of(width: int, height: int) -> bytes:
    """A grey PNG that says it is width × height, with one row of data: its header is all a reader sees."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\0\0"))
        + PNG[-12:]
    )


def jpeg_of(width: int, height: int) -> bytes:
    """The one-pixel JPEG with its frame header (SOF0) saying width × height."""
    frame = JPEG.index(b"\xff\xc0")
    return JPEG[: frame + 5] + struct.pack(">HH", height, width) + JPEG[frame + 9 :]


def heic_saying(width: int, height: int) -> bytes:
    """The 64 × 64 HEIC photo with its image size (`ispe`) saying width × height: its header is all a
    reader sees before decoding."""
    at = HEIC.index(b"ispe") + 8  # after the box type, its version and flags
    return HEIC[:at] + struct.pack(">II", width, height) + HEIC[at + 8 :]


def heic_undecodable() -> bytes:
    """The HEIC photo with its coded image data (the `mdat` box's content) zeroed: every box in place."""
    at = HEIC.index(b"mdat") + 4
    return HEIC[:at] + b"\0" * (len(HEIC) - at)


def pdf_with_pages(count: int, declared: int | None = None) -> bytes:
    """A PDF of `count` blank pages whose page tree says /Count `declared` (the truth unless given)."""
    kids = b" ".join(b"%d 0 R" % (3 + n) for n in range(count))
    pages = [b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>>"] * count
    total = count if declared is None else declared
    return pdf_of(
        b"<</Type /Catalog /Pages 2 0 R>>", b"<</Type /Pages /Kids [%s] /Count %d>>" % (kids, total), *pages
    )


def pdf_with_stream(data: bytes, catalog_extra: bytes = b"") -> bytes:
    """A one-page PDF whose page draws a Flate stream holding `data` (compressed here)."""
    packed = zlib.compress(data, 9)
    return pdf_of(
        b"<</Type /Catalog /Pages 2 0 R" + catalog_extra + b">>",
        b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
        b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R>>",
        b"<</Length %d /Filter /FlateDecode>>\nstream\n" % len(packed) + packed + b"\nendstream",
    )


def pdf_with(catalog_extra: bytes, *more: bytes) -> bytes:
    return pdf_of(
        b"<</Type /Catalog /Pages 2 0 R" + catalog_extra + b">>",
        b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
        b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>>",
        *more,
    )


@functools.cache
def flate_bomb(inflated: int) -> bytes:
    """A PDF whose one stream inflates to `inflated` bytes of zeros (about a thousandth of that, packed,
    and never held whole here either)."""
    packer, zeros = zlib.compressobj(9), bytes(1 << 20)
    packed = b"".join(
        packer.compress(zeros[: min(1 << 20, inflated - n)]) for n in range(0, inflated, 1 << 20)
    )
    packed += packer.flush()
    return pdf_of(
        b"<</Type /Catalog /Pages 2 0 R>>",
        b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
        b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R>>",
        b"<</Length %d /Filter /FlateDecode>>\nstream\n" % len(packed) + packed + b"\nendstream",
    )


def corpus(max_inflated_bytes: int) -> list[Hostile]:
    """Every hostile file of the corpus; the bomb inflates to twice `max_inflated_bytes`."""
    pdf, jpeg, png, heic = "application/pdf", "image/jpeg", "image/png", "image/heic"
    return [
        # Wrong magic bytes for the declared type.
        Hostile("png-declared-pdf", PNG, pdf, "type_mismatch"),
        Hostile("html-declared-pdf", b"<html><script>alert(1)</script></html>", pdf, "type_mismatch"),
        Hostile("exe-declared-jpeg", b"MZ\x90\x00" + JPEG, jpeg, "type_mismatch"),
        Hostile("pdf-declared-png", PDF, png, "type_mismatch"),
        Hostile("jpeg-declared-heic", JPEG, heic, "type_mismatch"),
        Hostile("heic-declared-jpeg", HEIC, jpeg, "type_mismatch"),
        # Polyglots.
        Hostile("pdf-then-zip", PDF + _zip(), pdf, "file_polyglot"),
        Hostile(
            "zip-inside-pdf",
            pdf_with_stream(b"x").replace(b"endstream", _zip() + b"\nendstream"),
            pdf,
            "file_polyglot",
        ),
        Hostile(
            "pdf-html-head",
            PDF.replace(b"%PDF-1.4\n", b"%PDF-1.4\n<html><script>alert(1)</script>\n"),
            pdf,
            "file_polyglot",
        ),
        Hostile("jpeg-pdf-tail", JPEG + PDF, jpeg, "file_polyglot"),
        Hostile("jpeg-html-tail", JPEG + b"<script>alert(1)</script>", jpeg, "file_polyglot"),
        Hostile("png-zip-tail", PNG + _zip(), png, "file_polyglot"),
        Hostile("png-html-tail", PNG + b"<html><body onload=alert(1)>", png, "file_polyglot"),
        Hostile("heic-zip-tail", HEIC + _zip(), heic, "file_polyglot"),
        Hostile("heic-data-after-boxes", HEIC + b"\0" * 16 + b"payload", heic, "file_polyglot"),
        # A PDF that acts rather than shows.
        Hostile(
            "pdf-open-action-js",
            pdf_with(b" /OpenAction 4 0 R", b"<</S /JavaScript /JS (app.alert(1))>>"),
            pdf,
            "active_content",
        ),
        Hostile(
            "pdf-escaped-js-name",
            pdf_with(b" /OpenAction 4 0 R", b"<</S /J#61vaScript /JS (app.alert(1))>>"),
            pdf,
            "active_content",
        ),
        Hostile("pdf-launch", pdf_with(b" /OpenAction <</S /Launch /F (cmd.exe)>>"), pdf, "active_content"),
        Hostile(
            "pdf-embedded-file",
            pdf_with(
                b" /Names <</EmbeddedFiles 4 0 R>>",
                b"<</Names [(a.exe) 5 0 R]>>",
                b"<</Type /Filespec /F (a.exe)>>",
            ),
            pdf,
            "active_content",
        ),
        # Too much once opened.
        Hostile("pdf-thousands-of-pages", pdf_with_pages(3000), pdf, "too_many_pages"),
        Hostile("pdf-pages-under-declared", pdf_with_pages(400, declared=1), pdf, "too_many_pages"),
        Hostile("pdf-flate-bomb", flate_bomb(2 * max_inflated_bytes), pdf, "decompression_bomb"),
        Hostile("png-huge-dimensions", png_of(100_000, 100_000), png, "too_many_pixels"),
        Hostile("png-huge-pixel-count", png_of(8_000, 8_000), png, "too_many_pixels"),
        Hostile("jpeg-huge-pixel-count", jpeg_of(65_000, 65_000), jpeg, "too_many_pixels"),
        Hostile("heic-huge-pixel-count", heic_saying(8_000, 8_000), heic, "too_many_pixels"),
        # Damaged: the right first and last bytes and nothing a reader can open.
        Hostile(
            "pdf-no-pages",
            b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n",
            pdf,
            "file_unreadable",
        ),
        Hostile("heic-undecodable", heic_undecodable(), heic, "file_unreadable"),
        Hostile("heic-cut-short", HEIC[:-40], heic, "file_unreadable"),
    ]


# Names that a slot is refused for, each a well-formed PDF; the error names the file as cleaned.
HOSTILE_NAMES = [
    ("double-extension", "giay.pdf.exe", "extension_mismatch"),
    ("rtl-override", "báo cáo\u202efdp.exe", "filename_invalid"),
    ("rtl-override-pdf", "hoa don\u202e\u2066fdp.pdf", "filename_invalid"),
    ("path-traversal", "../../etc/passwd.pdf", "filename_invalid"),
    ("windows-path", "..\\..\\windows\\win.pdf", "filename_invalid"),
    ("nul", "giay\x00.pdf", "filename_invalid"),
    ("crlf-header", "a.pdf\r\nContent-Type: text/html", "filename_invalid"),
    ("no-extension", "giấy đề nghị", "extension_mismatch"),
    ("only-controls", "\u202e\u2066", "filename_invalid"),
]
