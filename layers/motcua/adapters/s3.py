"""Attachments in S3: presigned POSTs with size and type conditions, and a cheap look at what arrived."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import cached_property, partial
from types import FunctionType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from botocore.exceptions import ClientError

from motcua.domain.files import HEAD_BYTES, TAIL_BYTES, content_disposition
from motcua.domain.ports import PresignedUpload, StoredObject
from motcua.resources import BUCKET

if TYPE_CHECKING:
    from collections.abc import Callable

_RANGE_TOTAL = re.compile(r"/(\d+)$")
# The tag every presigned upload carries until it is filed (see BucketSpec.pending_tag).
_PENDING = "<Tagging><TagSet><Tag><Key>{}</Key><Value>{}</Value></Tag></TagSet></Tagging>".format(
    *BUCKET.pending_tag
)


class S3AttachmentStore:
    """Implements AttachmentStore on one bucket."""

    def __init__(self, client: Any | Callable[[], Any], bucket: str) -> None:
        """`client`: the S3 client, or what builds it on first use (most cold starts never touch S3)."""
        self._client = client
        self.bucket = bucket

    @cached_property
    def client(self) -> Any:
        return self._client() if isinstance(self._client, FunctionType | partial) else self._client

    def presign_upload(
        self, *, key: str, content_type: str, size: int, max_bytes: int, filename: str, expires_seconds: int
    ) -> PresignedUpload:
        # Metadata travels as an HTTP header on GET, so the name is kept percent-encoded (ASCII).
        encoded_name = quote(filename, safe="")
        # Exactly the declared size: a file swapped for another after the slot was issued is refused by S3,
        # and the size is kept with the object for the check at filing.
        fields = {
            "Content-Type": content_type,
            "x-amz-meta-filename": encoded_name,
            "x-amz-meta-size": str(size),
            "tagging": _PENDING,
        }
        conditions: list[Any] = [
            {"Content-Type": content_type},
            {"x-amz-meta-filename": encoded_name},
            {"x-amz-meta-size": str(size)},
            {"tagging": _PENDING},
            ["content-length-range", size, min(size, max_bytes)],
        ]
        post = self.client.generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires_seconds
        )
        return PresignedUpload(
            url=post["url"],
            fields={k: str(v) for k, v in post["fields"].items()},
            expires_at=datetime.now(UTC) + timedelta(seconds=expires_seconds),
        )

    def inspect(self, key: str) -> StoredObject | None:
        """At most two ranged GETs: is the object there, its size, type, name, first and last bytes."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{HEAD_BYTES - 1}")
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404", "InvalidRange"):
                return None if error.response["Error"]["Code"] != "InvalidRange" else _empty(key)
            raise
        head = response["Body"].read()
        total = _RANGE_TOTAL.search(response.get("ContentRange", ""))
        size = int(total.group(1)) if total else int(response.get("ContentLength", len(head)))
        # A small file came whole with the first read; a bigger one is read again at its end.
        tail = head[-TAIL_BYTES:] if size <= len(head) else self._tail(key, response.get("ETag"))
        metadata = response.get("Metadata", {})
        filename = metadata.get("filename")
        declared = metadata.get("size", "")
        return StoredObject(
            key=key,
            size=size,
            content_type=response.get("ContentType", "application/octet-stream"),
            head=head,
            tail=tail,
            filename=unquote(filename) if filename else None,
            declared_size=int(declared) if declared.isdigit() else None,
            etag=response.get("ETag"),
        )

    def _tail(self, key: str, etag: str | None) -> bytes:
        # If-Match: the end of the very object whose start was read, not of one uploaded in between.
        extra = {"IfMatch": etag} if etag else {}
        try:
            response = self.client.get_object(
                Bucket=self.bucket, Key=key, Range=f"bytes=-{TAIL_BYTES}", **extra
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in ("PreconditionFailed", "412", "NoSuchKey", "404"):
                return b""  # replaced or gone meanwhile: no end mark, the check refuses the file
            raise
        tail: bytes = response["Body"].read()
        return tail

    def keep(self, key: str, *, into: str, etag: str | None) -> bool:
        """One CopyObject: the very write that was checked (If-Match), without its pending tag, at a key
        outside the upload prefix (no slot's policy names it; the abandoned-uploads rule never reaches it)."""
        extra = {"CopySourceIfMatch": etag} if etag else {}
        try:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=into,
                CopySource={"Bucket": self.bucket, "Key": key},
                TaggingDirective="REPLACE",
                **extra,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in ("PreconditionFailed", "412", "NoSuchKey", "404"):
                return False  # posted again (or expired) since it was checked
            raise
        return True

    def hold(self, key: str) -> bool:
        """Re-tag the upload draft (GetObjectTagging, then PutObjectTagging): it then expires by the
        draft-uploads rule. A paper filed at its upload key (tagged filed, before filing copied papers)
        keeps its tag and its dossier's retention."""
        tag_key = BUCKET.pending_tag[0]
        try:
            tags = self.client.get_object_tagging(Bucket=self.bucket, Key=key)["TagSet"]
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return False
            raise
        current = {tag["Key"]: tag["Value"] for tag in tags}
        if current.get(tag_key) in (BUCKET.filed_value, BUCKET.draft_value):
            return True
        self.client.put_object_tagging(
            Bucket=self.bucket,
            Key=key,
            Tagging={"TagSet": [{"Key": tag_key, "Value": BUCKET.draft_value}]},
        )
        return True

    def read(self, key: str, *, max_bytes: int, etag: str | None = None) -> bytes | None:
        extra = {"IfMatch": etag} if etag else {}
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key, **extra)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404", "PreconditionFailed", "412"):
                return None
            raise
        if int(response.get("ContentLength", 0)) > max_bytes:
            response["Body"].close()
            raise ValueError(f"{key} is larger than {max_bytes} bytes")
        content: bytes = response["Body"].read()
        return content

    def put(self, key: str, content: bytes, *, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=content, ContentType=content_type)

    def download_url(
        self, *, key: str, filename: str, expires_seconds: int, inline_as: str | None = None
    ) -> str:
        params = {
            "Bucket": self.bucket,
            "Key": key,
            # Cleaned again here: names stored before uploads were cleaned, and names made by the
            # platform, never reach a browser with a control or bidi character in them.
            "ResponseContentDisposition": content_disposition(filename, inline=inline_as is not None),
        }
        if inline_as is not None:
            # The type the filing checked the bytes to be, whatever the upload declared.
            params["ResponseContentType"] = inline_as
        url: str = self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_seconds)
        return url


def _empty(key: str) -> StoredObject:
    """A zero-byte object answers a ranged GET with InvalidRange."""
    return StoredObject(key=key, size=0, content_type="", head=b"", tail=b"", filename=None)
