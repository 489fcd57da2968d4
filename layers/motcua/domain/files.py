"""What a file really is, from its first bytes (magic numbers), whatever its name or declared type says."""

from __future__ import annotations

HEAD_BYTES = 16

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff(head: bytes) -> str | None:
    """The content type the bytes show, or None when they match none we accept."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None
