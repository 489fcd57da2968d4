"""The S3 adapter's copy of a filed paper, on moto: the same bytes and metadata, none of the upload's tags
(never pending, so never expired as an abandoned upload), and no copy of a write other than the one seen."""

from __future__ import annotations

import boto3
import pytest

from motcua.adapters.s3 import S3AttachmentStore
from motcua.resources import BUCKET
from tests.examples import PDF

REGION = "ap-southeast-1"
UPLOAD = "uploads/u1/a"
FILED = "filed/u1/a/x"


@pytest.fixture
def store(aws: None) -> S3AttachmentStore:
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket="papers", CreateBucketConfiguration={"LocationConstraint": REGION})
    client.put_bucket_versioning(Bucket="papers", VersioningConfiguration={"Status": "Enabled"})
    tagging = "{}={}".format(*BUCKET.pending_tag)  # as a presigned POST tags every upload
    client.put_object(
        Bucket="papers",
        Key=UPLOAD,
        Body=PDF,
        ContentType="application/pdf",
        Metadata={"filename": "gi%E1%BA%A5y.pdf", "size": str(len(PDF))},
        Tagging=tagging,
    )
    return S3AttachmentStore(client, "papers")


def test_the_filed_copy_holds_the_checked_bytes_and_is_never_pending(store: S3AttachmentStore) -> None:
    seen = store.inspect(UPLOAD)
    assert seen is not None and seen.etag

    assert store.keep(UPLOAD, into=FILED, etag=seen.etag)

    assert store.read(FILED, max_bytes=len(PDF)) == PDF
    assert store.client.get_object_tagging(Bucket="papers", Key=FILED)["TagSet"] == []
    copied = store.inspect(FILED)
    assert copied is not None and (copied.content_type, copied.filename) == ("application/pdf", "giấy.pdf")
    # A second copy (a retried filing) to the same key is no error.
    assert store.keep(UPLOAD, into=FILED, etag=seen.etag)


def test_a_read_of_another_write_than_the_one_seen_gives_nothing(store: S3AttachmentStore) -> None:
    seen = store.inspect(UPLOAD)
    assert seen is not None
    store.client.put_object(Bucket="papers", Key=UPLOAD, Body=PDF.replace(b"595 842", b"612 792"))

    assert store.read(UPLOAD, max_bytes=len(PDF), etag=seen.etag) is None
    assert store.read(UPLOAD, max_bytes=len(PDF)) is not None
