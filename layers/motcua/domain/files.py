"""What a file really is, from its first and last bytes, whatever its name or declared type says; and its
name made safe to store and to offer for download."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

# The upload check reads the object twice at most (two ranged GETs): its first HEAD_BYTES, enough for
# each type's signature and first structure, and its last TAIL_BYTES, where each type puts its end mark.
HEAD_BYTES = 64
# A PDF's `%%EOF` must be within its last 1024 bytes (what readers accept, ISO 32000's implementation note).
TAIL_BYTES = 1024

# The extensions a name may end with, for each type we accept.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/heic": (".heic", ".heif"),
}
# An iPhone photo (HEIC, or HEIF: one ISO base media file family) is taken wherever a paper takes a JPEG,
# and filed as a JPEG (motcua.domain.scan.to_jpeg): most browsers cannot show it.
HEIC = "image/heic"

_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A PNG starts with its IHDR chunk (13 bytes of data) and ends with its IEND chunk and that chunk's CRC.
_PNG_IHDR = b"\x00\x00\x00\x0dIHDR"
_PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
# A JPEG starts with SOI then a segment: an APPn (EXIF, JFIF), a table, a frame or a comment.
_JPEG_SECOND_MARKERS = frozenset(range(0xE0, 0xF0)) | {0xDB, 0xC4, 0xC0, 0xC1, 0xC2, 0xFE, 0xDD}
_JPEG_EOI = b"\xff\xd9"
# A HEIF file starts with its `ftyp` box (ISO/IEC 14496-12) naming a still-image brand (ISO/IEC 23008-12).
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"mif2"})


def sniff(head: bytes, tail: bytes) -> str | None:
    """The content type the bytes show (`head`: the first HEAD_BYTES or the whole file, `tail`: the last
    TAIL_BYTES or the whole file), or None when they are not a whole file of a type we accept."""
    if _PDF_HEADER.match(head):
        return "application/pdf" if b"%%EOF" in tail else None
    if head.startswith(_PNG_SIGNATURE):
        whole = head[8:16] == _PNG_IHDR and _PNG_IEND in tail
        return "image/png" if whole else None
    if head[:3] == b"\xff\xd8\xff" and len(head) > 3 and head[3] in _JPEG_SECOND_MARKERS:
        # Cameras may pad after the end mark: it need only be within the last bytes.
        return "image/jpeg" if _JPEG_EOI in tail else None
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        # Its boxes have no end mark: that they fill the file exactly is checked on the whole file.
        return HEIC
    return None


def extension_fits(filename: str, content_type: str) -> bool:
    """Whether the name ends with an extension of `content_type` (`x.pdf.exe` does not fit a PDF)."""
    return PurePosixPath(filename.lower()).suffix in EXTENSIONS.get(content_type, ())


# Path separators, here and on Windows, become a harmless character, so that a name never names a folder.
_SEPARATORS = str.maketrans({"/": "_", "\\": "_"})
_SPACES = re.compile(r"\s+")


def clean_filename(name: str) -> str:
    """The name without what could mislead or break where it is shown or saved.

    Control characters go (NUL; CR, LF and tabs become a space), so do invisible format characters (the
    bidirectional override that shows `báo cáo<U+202E>fdp.exe` as `báo cáoexe.pdf`, zero-width ones);
    path separators become `_`, runs of spaces one space, and leading dots and spaces go. Letters of
    every script stay, Vietnamese composed (NFC) as browsers send it. The result may be empty."""
    spaced = _SPACES.sub(" ", unicodedata.normalize("NFC", name).translate(_SEPARATORS))
    kept = "".join(c for c in spaced if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    return kept.strip().lstrip(". ")


# What another kind of file starts or ends with, found in the first or last bytes of one of ours: a
# polyglot, which a browser, an unzipper or an archiver would open as that other kind.
_FOREIGN = (
    (
        re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|\?php)\b", re.I),
        "HTML",
    ),
    (re.compile(rb"PK\x03\x04|PK\x05\x06|PK\x01\x02"), "ZIP"),
    (re.compile(rb"%PDF-"), "PDF"),
    (re.compile(rb"Rar!\x1a\x07|7z\xbc\xaf\x27\x1c"), "RAR/7z"),
)
# Where a browser sniffs HTML (the MIME Sniffing Standard reads 1,445 bytes), and how far from its end
# a ZIP's end record may be (22 bytes and a comment of at most 65,535): what the whole-file check reads.
SNIFF_BYTES = 1445
ZIP_END_REACH = 22 + 65_535
# What follows the end mark: data that some other program reads.
TRAILING = "trailing"
_PDF_SPACE = b"\x00\t\n\x0c\r "


def foreign(content_type: str, head: bytes, tail: bytes) -> str | None:
    """The other kind of file found in the first or last bytes ("HTML", "ZIP", "PDF", "RAR/7z"), or
    TRAILING when something follows the type's end mark, or None.

    Each of our types must end exactly with its end mark: a PDF with `%%EOF` (then PDF white space), a
    PNG with its IEND chunk, a JPEG with EOI (then padding)."""
    for pattern, kind in _FOREIGN:
        if kind == "PDF" and content_type == "application/pdf":
            continue  # its own header, and a PDF after a PDF is only an update
        if pattern.search(head) or pattern.search(tail):
            return kind
    if content_type == "application/pdf" and not tail.rstrip(_PDF_SPACE).endswith(b"%%EOF"):
        return TRAILING
    if content_type == "image/png" and not tail.endswith(_PNG_IEND):
        return TRAILING
    if content_type == "image/jpeg" and tail[tail.rfind(_JPEG_EOI) + 2 :].strip(b"\x00\xff"):
        return TRAILING
    return None


_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._ ()-]+")


def content_disposition(name: str, *, inline: bool = False) -> str:
    """A Content-Disposition that offers `name` safely (RFC 6266): an ASCII fallback `filename="…"` with
    Vietnamese letters unaccented and nothing that could close the quotes or the header (no quote,
    backslash, semicolon, CR/LF or separator), then the name itself as RFC 5987's `filename*=UTF-8''…`."""
    clean = clean_filename(name) or "tep"
    suffix = PurePosixPath(clean).suffix
    plain = _ascii(clean[: len(clean) - len(suffix)]).strip(" _.") or "tep"
    plain += _ascii(suffix)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(clean, safe='')}"


def _ascii(text: str) -> str:
    unaccented = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return _NOT_PLAIN.sub("_", unaccented.encode("ascii", "ignore").decode())
