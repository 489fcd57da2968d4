"""Attachments in memory (AttachmentStore), with the presigned POST's conditions checked on upload."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from motcua.domain.files import HEAD_BYTES, TAIL_BYTES, content_disposition
from motcua.domain.ports import AttachmentStore, PresignedUpload, StoredObject
from tests.fakes.clock import FrozenClock

if TYPE_CHECKING:
    from motcua.domain.ports import Clock

BASE_URL = "https://attachments.example.invalid"


@dataclass(frozen=True, slots=True)
class _Slot:
    content_type: str
    size: int
    max_bytes: int
    filename: str
    expires_at: datetime


@dataclass(slots=True)
class _Object:
    content: bytes
    content_type: str
    filename: str | None
    pending: bool
    declared_size: int | None = None  # an upload not yet filed: the bucket's lifecycle rule would expire it
    held: bool = False  # re-tagged draft: expires by the draft-uploads rule, not as abandoned

    @property
    def etag(self) -> str:
        """As S3's for a single-part write: the bytes' MD5, quoted; another file posted changes it."""
        return f'"{hashlib.md5(self.content, usedforsecurity=False).hexdigest()}"'


class InMemoryAttachmentStore:
    """Implements AttachmentStore as the S3 adapter behaves: `post` plays the browser's upload."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or FrozenClock()
        self.slots: dict[str, _Slot] = {}
        self.objects: dict[str, _Object] = {}

    def presign_upload(
        self, *, key: str, content_type: str, size: int, max_bytes: int, filename: str, expires_seconds: int
    ) -> PresignedUpload:
        expires_at = self.clock.now() + timedelta(seconds=expires_seconds)
        self.slots[key] = _Slot(content_type, size, min(size, max_bytes), filename, expires_at)
        fields = {
            "key": key,
            "Content-Type": content_type,
            "x-amz-meta-filename": quote(filename, safe=""),
            "x-amz-meta-size": str(size),
        }
        return PresignedUpload(url=f"{BASE_URL}/", fields=fields, expires_at=expires_at)

    def post(self, key: str, content: bytes) -> None:
        """The browser's POST to a slot: refused as S3 refuses it outside the policy's conditions."""
        slot = self.slots.get(key)
        if slot is None:
            raise PermissionError(f"no presigned upload for {key}")
        if self.clock.now() > slot.expires_at:
            raise PermissionError("the presigned upload has expired")
        if not slot.size <= len(content) <= slot.max_bytes:
            raise ValueError(f"content-length {len(content)} is outside {slot.size}..{slot.max_bytes}")
        self.objects[key] = _Object(
            content, slot.content_type, slot.filename, pending=True, declared_size=slot.size
        )

    def swap(self, key: str, content: bytes) -> None:
        """Another file put where an upload was, past the slot's conditions: as a slot issued before
        slots had an exact size would let a browser do, or anyone writing to the bucket directly."""
        self.objects[key].content = content

    def inspect(self, key: str) -> StoredObject | None:
        found = self.objects.get(key)
        if found is None:
            return None
        return StoredObject(
            key=key,
            size=len(found.content),
            content_type=found.content_type,
            head=found.content[:HEAD_BYTES],
            tail=found.content[-TAIL_BYTES:],
            filename=found.filename,
            declared_size=found.declared_size,
            etag=found.etag,
        )

    def keep(self, key: str, *, into: str, etag: str | None) -> bool:
        found = self.objects.get(key)
        if found is None or (etag is not None and found.etag != etag):  # NoSuchKey, PreconditionFailed
            return False
        if self.slots.get(into) is not None:  # no slot's policy names a key a paper is kept at
            raise AssertionError(f"{into} is an upload slot's key")
        # CopyObject: the same bytes, type and metadata, tags replaced (none: never pending).
        self.objects[into] = _Object(
            found.content,
            found.content_type,
            found.filename,
            pending=False,
            declared_size=found.declared_size,
        )
        return True

    def kept(self, key: str) -> bool:
        """Whether the object is out of reach of the rule that expires abandoned uploads."""
        found = self.objects.get(key)
        return found is not None and not found.pending

    def hold(self, key: str) -> bool:
        found = self.objects.get(key)
        if found is None:
            return False
        if found.pending:  # tagged pending: now draft
            found.pending, found.held = False, True
        return True

    def held(self, key: str) -> bool:
        """Whether the upload is tagged as a draft's paper (the draft-uploads rule)."""
        found = self.objects.get(key)
        return found is not None and found.held

    def read(self, key: str, *, max_bytes: int, etag: str | None = None) -> bytes | None:
        found = self.objects.get(key)
        if found is None or (etag is not None and found.etag != etag):
            return None
        if len(found.content) > max_bytes:
            raise ValueError(f"{key} is larger than {max_bytes} bytes")
        return found.content

    def put(self, key: str, content: bytes, *, content_type: str) -> None:
        # Written by the platform itself (a signed result): no pending tag, as the adapter's put_object.
        self.objects[key] = _Object(content, content_type, None, pending=False)

    def download_url(
        self, *, key: str, filename: str, expires_seconds: int, inline_as: str | None = None
    ) -> str:
        # The name as the adapter sends it: its Content-Disposition, in the query as a presigned URL has it.
        disposition = quote(content_disposition(filename, inline=inline_as is not None), safe="")
        shown = f"&response-content-type={quote(inline_as, safe='')}" if inline_as else ""
        query = f"response-content-disposition={disposition}{shown}&expires={expires_seconds}"
        return f"{BASE_URL}/{quote(key)}?{query}"


def _conforms() -> AttachmentStore:
    return InMemoryAttachmentStore()
