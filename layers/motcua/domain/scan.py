"""What a whole uploaded file holds, read within bounds: a polyglot's other half, a PDF's pages, compressed
streams and active content, an image's pixels; never decoding more than the limits allow. An iPhone photo
(HEIC) is turned into the JPEG that is filed in its place."""

from __future__ import annotations

import io
import re
import warnings
import zlib
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import pillow_heif
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from motcua.domain.files import HEIC, SNIFF_BYTES, TRAILING, ZIP_END_REACH, foreign

if TYPE_CHECKING:
    from collections.abc import Iterator


class Finding(StrEnum):
    """Why a file is refused after reading it whole; the value is the error's code."""

    POLYGLOT = "file_polyglot"
    UNREADABLE = "file_unreadable"
    TOO_MANY_PAGES = "too_many_pages"
    TOO_MANY_PIXELS = "too_many_pixels"
    BOMB = "decompression_bomb"
    ACTIVE = "active_content"


@dataclass(frozen=True, slots=True)
class ScanLimits:
    max_pages: int
    max_pixels: int
    max_inflated_bytes: int  # all of a PDF's Flate streams together, once inflated


@dataclass(frozen=True, slots=True)
class Refusal:
    finding: Finding
    detail: str  # what was found, in the words of the file format ("ZIP", "12000 pages", "/JavaScript")


# A stream's data starts after the keyword `stream` and one end of line (ISO 32000-1, 7.3.8.1).
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
# Fed to zlib 64 KiB at a time, taken out a megabyte at a time: nothing bigger is ever held.
_CHUNK = 64 * 1024
_PIECE = 1024 * 1024
# What makes a PDF act rather than show: scripts, launching programs, files carried inside.
_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute"})


def scan(content: bytes, content_type: str, limits: ScanLimits) -> Refusal | None:
    """Why the whole file `content`, already recognised as `content_type`, must be refused; or None."""
    other = foreign(content_type, content[:SNIFF_BYTES], content[-ZIP_END_REACH:])
    if other is not None:
        return Refusal(Finding.POLYGLOT, other)
    if content_type == "application/pdf":
        return _pdf(content, limits)
    if content_type == HEIC:
        return _heic(content, limits)
    return _image(content, limits)


# What a JPEG made from a HEIC photo is saved with: the quality phones use, no metadata (an iPhone photo's
# EXIF holds where it was taken; the orientation is already applied to the pixels).
JPEG_QUALITY = 85


def to_jpeg(content: bytes, limits: ScanLimits) -> bytes | Refusal:
    """The HEIC photo `content` (which `scan` accepted) decoded and saved as a JPEG, turned as the photo says
    (its `irot`/`imir` transforms, which libheif applies); a Refusal when its image data cannot be decoded."""
    try:
        heif = pillow_heif.open_heif(io.BytesIO(content), convert_hdr_to_8bit=True)
        width, height = heif.size
        if width * height > limits.max_pixels:  # scan said so already; never decode past the limit
            return Refusal(Finding.TOO_MANY_PIXELS, f"{width}×{height}")
        image = heif.to_pillow().convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except (RuntimeError, ValueError, OSError, SyntaxError) as error:
        return Refusal(Finding.UNREADABLE, type(error).__name__)
    return out.getvalue()


def _heic(content: bytes, limits: ScanLimits) -> Refusal | None:
    """The top-level boxes fill the file exactly (nothing hides after them), and the primary image's size,
    read from its header (`ispe`) without decoding, is within the limit."""
    end = _boxes_end(content)
    if end is None:
        return Refusal(Finding.UNREADABLE, "boxes")
    if end < len(content):
        return Refusal(Finding.POLYGLOT, TRAILING)
    try:
        heif = pillow_heif.open_heif(io.BytesIO(content), convert_hdr_to_8bit=True)
        width, height = heif.size
    except (RuntimeError, ValueError, OSError, SyntaxError) as error:
        return Refusal(Finding.UNREADABLE, type(error).__name__)
    if width * height > limits.max_pixels:
        return Refusal(Finding.TOO_MANY_PIXELS, f"{width}×{height}")
    return None


def _boxes_end(content: bytes) -> int | None:
    """Where the top-level ISO BMFF boxes end (a box: 32-bit size and a four-letter type, or size 1 and a
    64-bit size; size 0 runs to the end of the file): the end of the file, or where bytes that are no box
    begin; None when a box is cut short (a file truncated) or says less than its own header."""
    position = 0
    while position < len(content):
        box = content[position : position + 16]
        if len(box) < 8 or not box[4:8].isalnum():
            return position  # not a box: data after the last one
        size, header = int.from_bytes(box[:4], "big"), 8
        if size == 1:
            if len(box) < 16:
                return None
            size, header = int.from_bytes(box[8:16], "big"), 16
        elif size == 0:
            size = len(content) - position
        if size < header or position + size > len(content):
            return None
        position += size
    return position


def _image(content: bytes, limits: ScanLimits) -> Refusal | None:
    # Image.open reads the header only: the size is known without decoding a single pixel.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as error:
        if isinstance(error, Image.DecompressionBombError):  # over twice Pillow's own limit
            pixels = re.search(r"\((\d+) pixels\)", str(error))
            return Refusal(Finding.TOO_MANY_PIXELS, pixels.group(1) if pixels else "?")
        return Refusal(Finding.UNREADABLE, type(error).__name__)
    if width * height > limits.max_pixels:
        return Refusal(Finding.TOO_MANY_PIXELS, f"{width}×{height}")
    return None


def _pdf(content: bytes, limits: ScanLimits) -> Refusal | None:
    # Every Flate stream inflated first, within one budget and a piece at a time: a bomb is refused
    # before any PDF library decodes it.
    inflated = 0
    for size in _inflated_sizes(content, limits.max_inflated_bytes):
        inflated += size
        if inflated > limits.max_inflated_bytes:
            return Refusal(Finding.BOMB, f"> {limits.max_inflated_bytes} bytes")
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            return Refusal(Finding.UNREADABLE, "encrypted")
        declared = _resolve(reader.root_object["/Pages"]).get("/Count", 0)
        if isinstance(declared, int) and declared > limits.max_pages:
            return Refusal(Finding.TOO_MANY_PAGES, str(int(declared)))
        pages = len(reader.pages)  # the page tree walked, whatever /Count says
        if pages > limits.max_pages:
            return Refusal(Finding.TOO_MANY_PAGES, str(pages))
        if pages == 0:
            return Refusal(Finding.UNREADABLE, "0 pages")
        active = _active(reader)
    except (PyPdfError, KeyError, AttributeError, TypeError, ValueError, RecursionError) as error:
        return Refusal(Finding.UNREADABLE, type(error).__name__)
    return Refusal(Finding.ACTIVE, active) if active else None


def _inflated_sizes(content: bytes, budget: int) -> Iterator[int]:
    """How many bytes each zlib stream after a `stream` keyword inflates to, counted a piece at a time
    and never past `budget` in total: nothing is kept."""
    view = memoryview(content)
    left = budget + 1
    for match in _STREAM.finditer(content):
        start = match.end()
        if (
            len(content) - start < 2
            or (content[start] << 8 | content[start + 1]) % 31
            or content[start] & 0x0F != 8
        ):
            continue  # not zlib data: another filter, or none
        inflater = zlib.decompressobj()
        size = 0
        position = start
        try:
            while not inflater.eof and position < len(content) and left > 0:
                data: bytes | memoryview = view[position : position + _CHUNK]
                position += len(data)
                while data and left > 0 and not inflater.eof:
                    out = inflater.decompress(data, min(_PIECE, left))
                    if not out and len(inflater.unconsumed_tail) == len(data):
                        break  # no progress: nothing more comes out of this input
                    size += len(out)
                    left -= len(out)
                    data = inflater.unconsumed_tail
        except zlib.error:
            pass  # a damaged stream inflates no further; the reader decides whether the PDF is whole
        yield size
        if left <= 0:
            return


def _active(reader: PdfReader) -> str | None:
    """The first thing that makes the document act: a script or launch action (on opening, on a page, on
    a link), scripts or files in the name tree, an XFA form; None for a document that only shows."""
    root = reader.root_object
    names = _resolve(root.get("/Names")) or {}
    for key in ("/JavaScript", "/EmbeddedFiles"):
        if key in names:
            return key
    if "/AcroForm" in root and "/XFA" in (_resolve(root["/AcroForm"]) or {}):
        return "/XFA"
    found = _action(root.get("/OpenAction")) or _action(root.get("/AA"))
    if found:
        return found
    for page in reader.pages:
        found = _action(page.get("/AA"))
        for annotation in _resolve(page.get("/Annots")) or []:
            annotation = _resolve(annotation) or {}
            if annotation.get("/Subtype") in ("/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound"):
                return str(annotation["/Subtype"])
            found = found or _action(annotation.get("/A")) or _action(annotation.get("/AA"))
        if found:
            return found
    return None


def _action(value: Any, depth: int = 0) -> str | None:
    """An action dictionary (or additional actions, or an array) that runs something, by its /S."""
    value = _resolve(value)
    if depth > 8 or value is None:
        return None
    if isinstance(value, list):
        return next((a for v in value if (a := _action(v, depth + 1))), None)
    if not hasattr(value, "get"):
        return None
    kind = value.get("/S")
    if kind in _ACTIVE_ACTIONS:
        return str(kind)
    if "/JS" in value:
        return "/JavaScript"
    if kind is None:  # additional actions: a dictionary of actions by event
        return next((a for k, v in value.items() if k != "/Next" and (a := _action(v, depth + 1))), None)
    return _action(value.get("/Next"), depth + 1)


def _resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value
