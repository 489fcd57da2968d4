"""moto as patched by infra/devstack/moto_patches.py: the same answers as DynamoDB, at a cost that does not
grow with the table (the tests' `aws` fixture and the local stack both apply the patches)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.devstack import moto_patches

REGION = "ap-southeast-1"
TABLE = "patched"


@pytest.fixture
def dynamodb(aws: None) -> Any:
    import boto3

    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "g", "gs")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI",
                "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"},
                    {"AttributeName": "gs", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    return client


def _table() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables[TABLE]


def _everything(client: Any) -> list[dict[str, Any]]:
    items = client.scan(TableName=TABLE, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def _put(client: Any, pk: str, sk: str, **attrs: str) -> None:
    client.put_item(
        TableName=TABLE, Item={"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in attrs.items()}}
    )


def test_a_failed_transaction_leaves_every_item_and_the_stream_as_they_were(dynamodb: Any) -> None:
    # Given a table with a counter, a dossier and an item to be deleted, and a bystander.
    _put(dynamodb, "COUNTER", "2026-11-17", n="4")
    _put(dynamodb, "D#1", "META", status="1", g="AGENCY#A", gs="1")
    _put(dynamodb, "D#2", "META", status="1", g="AGENCY#A", gs="2")
    _put(dynamodb, "OTHER", "X", note="untouched")
    before = _everything(dynamodb)
    stream_before = len(_table().stream_shard.items)

    # When a transaction puts a new item, updates two, deletes one, and its last check fails.
    with pytest.raises(ClientError) as failure:
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": TABLE,
                        "Item": {
                            "pk": {"S": "D#3"},
                            "sk": {"S": "META"},
                            "g": {"S": "AGENCY#A"},
                            "gs": {"S": "3"},
                        },
                    }
                },
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "COUNTER"}, "sk": {"S": "2026-11-17"}},
                        "UpdateExpression": "SET n = :n",
                        "ExpressionAttributeValues": {":n": {"S": "5"}},
                    }
                },
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "D#1"}, "sk": {"S": "META"}},
                        "UpdateExpression": "SET g = :g, #s = :s",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":g": {"S": "AGENCY#B"}, ":s": {"S": "2"}},
                    }
                },
                {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "D#2"}, "sk": {"S": "META"}}}},
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "OTHER"}, "sk": {"S": "X"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )

    # Then it is cancelled, every item is as it was, and the stream holds nothing of it.
    assert failure.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in failure.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "None", "ConditionalCheckFailed"]
    assert _everything(dynamodb) == before
    assert len(_table().stream_shard.items) == stream_before
    # and the index answers as before the transaction
    on_a = dynamodb.query(
        TableName=TABLE,
        IndexName="GSI",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "AGENCY#A"}},
    )["Items"]
    assert [item["pk"]["S"] for item in on_a] == ["D#1", "D#2"]


def test_a_transaction_copies_no_item_it_does_not_touch(dynamodb: Any) -> None:
    _put(dynamodb, "COUNTER", "2026-11-17", n="4")
    _put(dynamodb, "OTHER", "X", note="untouched")
    from moto.dynamodb.models.dynamo_type import DynamoType

    bystander = _table().get_item(DynamoType({"S": "OTHER"}), DynamoType({"S": "X"}))

    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "D#3"}, "sk": {"S": "META"}}}},
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": {"pk": {"S": "COUNTER"}, "sk": {"S": "2026-11-17"}},
                    "UpdateExpression": "SET n = :n",
                    "ConditionExpression": "n = :four",
                    "ExpressionAttributeValues": {":n": {"S": "5"}, ":four": {"S": "4"}},
                }
            },
        ]
    )
    with pytest.raises(ClientError):  # a failed one, too, leaves the bystander where it is
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "D#4"}, "sk": {"S": "META"}}}},
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "COUNTER"}, "sk": {"S": "2026-11-17"}},
                        "ConditionExpression": "n = :four",
                        "ExpressionAttributeValues": {":four": {"S": "4"}},
                    }
                },
            ]
        )

    assert [item["pk"]["S"] for item in _everything(dynamodb)] == ["COUNTER", "D#3", "OTHER"]
    assert _everything(dynamodb)[0]["n"] == {"S": "5"}
    # The untouched item is the very object it was: no copy of the table was made and put back.
    assert _table().get_item(DynamoType({"S": "OTHER"}), DynamoType({"S": "X"})) is bystander


def test_queries_find_what_they_found_before_as_items_come_change_and_go(dynamodb: Any) -> None:
    for n in range(5):
        _put(dynamodb, f"D#{n}", "META", g="AGENCY#A" if n % 2 == 0 else "AGENCY#B", gs=f"{n}")
        _put(dynamodb, f"D#{n}", f"EVENT#{n}", note="x")

    def on(agency: str) -> list[str]:
        return [
            item["pk"]["S"]
            for item in dynamodb.query(
                TableName=TABLE,
                IndexName="GSI",
                KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": agency}},
            )["Items"]
        ]

    def partition(pk: str) -> list[str]:
        return [
            item["sk"]["S"]
            for item in dynamodb.query(
                TableName=TABLE,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": pk}},
            )["Items"]
        ]

    assert on("AGENCY#A") == ["D#0", "D#2", "D#4"]
    assert partition("D#2") == ["EVENT#2", "META"]
    assert partition("NOBODY") == []
    # An update moves D#2 to B; a delete removes D#4; a put of a new one on A.
    dynamodb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "D#2"}, "sk": {"S": "META"}},
        UpdateExpression="SET g = :g",
        ExpressionAttributeValues={":g": {"S": "AGENCY#B"}},
    )
    assert len(_everything(dynamodb)) == 10  # a Scan before each change below
    dynamodb.delete_item(TableName=TABLE, Key={"pk": {"S": "D#4"}, "sk": {"S": "META"}})
    assert len(_everything(dynamodb)) == 9
    _put(dynamodb, "D#9", "META", g="AGENCY#A", gs="9")
    assert on("AGENCY#A") == ["D#0", "D#9"]
    # An item that leaves the index altogether (its key removed, as a closed task leaves an inbox)
    dynamodb.update_item(
        TableName=TABLE, Key={"pk": {"S": "D#0"}, "sk": {"S": "META"}}, UpdateExpression="REMOVE g"
    )
    assert on("AGENCY#A") == ["D#9"]
    assert on("AGENCY#B") == ["D#1", "D#2", "D#3"]
    assert partition("D#4") == ["EVENT#4"]
    # and a Scan, page after page, sees the items as they are now
    seen, start = [], None
    while True:
        page = dynamodb.scan(TableName=TABLE, Limit=3, **({"ExclusiveStartKey": start} if start else {}))
        seen += [(item["pk"]["S"], item["sk"]["S"], item.get("g", {}).get("S")) for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert ("D#4", "META", "AGENCY#A") not in seen and ("D#9", "META", "AGENCY#A") in seen
    assert ("D#2", "META", "AGENCY#B") in seen and len(seen) == len(set(seen)) == 10


def test_the_stream_drops_what_was_read_and_keeps_its_positions(dynamodb: Any) -> None:
    for n in range(4):
        _put(dynamodb, f"D#{n}", "META")
    table = _table()
    fourth = table.stream_shard.items[3].to_json()["dynamodb"]["SequenceNumber"]

    assert moto_patches.trim_stream(table, 3) == 3
    assert moto_patches.stream_offset(table) == 3
    assert [r.to_json()["dynamodb"]["SequenceNumber"] for r in table.stream_shard.items] == [fourth]
    _put(dynamodb, "D#4", "META")  # the next record's number follows on
    assert int(table.stream_shard.items[1].to_json()["dynamodb"]["SequenceNumber"]) == int(fourth) + 1


def _bodies() -> list[Any]:
    import gc

    from moto.s3.models import FakeKey

    return [key._value_buffer for key in gc.get_objects() if isinstance(key, FakeKey) and not key.disposed]  # noqa: SLF001


def test_s3_bodies_over_a_few_kb_are_files_of_their_own_and_read_back_the_same(
    aws: None, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib
    import os
    import pickle

    import boto3

    monkeypatch.setattr(moto_patches, "_bodies", tmp_path)
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="bodies", CreateBucketConfiguration={"LocationConstraint": REGION})
    small, large = b"%PDF small", os.urandom(3 * moto_patches.SPILL)
    descriptors = len(os.listdir("/proc/self/fd"))
    # Given a small body and a large one (uploaded, then copied elsewhere)
    s3.put_object(Bucket="bodies", Key="uploads/a", Body=small)
    s3.put_object(Bucket="bodies", Key="uploads/b", Body=large)
    s3.copy_object(Bucket="bodies", Key="filed/b", CopySource={"Bucket": "bodies", "Key": "uploads/b"})
    # Then the small one stays in memory, each large one is a file of its own, no file is left open
    assert sorted(body.on_disk for body in _bodies()) == [False, True, True]
    assert len(list(tmp_path.glob("*.body"))) == 2
    assert len(os.listdir("/proc/self/fd")) == descriptors
    # and S3 answers as before: whole, a range, the ETag, the size
    for key, body in (("uploads/a", small), ("uploads/b", large), ("filed/b", large)):
        got = s3.get_object(Bucket="bodies", Key=key)
        assert got["Body"].read() == body
        assert got["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'  # noqa: S324 — S3's ETag
        assert got["ContentLength"] == len(body)
    ranged = s3.get_object(Bucket="bodies", Key="filed/b", Range="bytes=100-199")
    assert ranged["Body"].read() == large[100:200]
    # When one is overwritten by a small body and another deleted
    s3.put_object(Bucket="bodies", Key="uploads/b", Body=small)
    s3.delete_object(Bucket="bodies", Key="filed/b")
    # Then their files are gone, and what is left reads the same, also after a snapshot's pickling
    assert s3.get_object(Bucket="bodies", Key="uploads/b")["Body"].read() == small
    assert list(tmp_path.glob("*.body")) == []
    s3.put_object(Bucket="bodies", Key="filed/c", Body=large)
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    key = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].get_bucket("bodies").keys["filed/c"]
    again = pickle.loads(pickle.dumps(key))  # noqa: S301 — our own bytes
    assert again.value == large
    assert again._value_buffer.on_disk  # noqa: SLF001
    assert len(list(tmp_path.glob("*.body"))) == 2
    # and a body moto disposed of refuses to be read, as its closed file did
    again.dispose()
    assert len(list(tmp_path.glob("*.body"))) == 1
    with pytest.raises(ValueError, match="closed"):
        _ = again.value


def test_s3_bodies_stay_in_memory_without_a_folder(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    monkeypatch.setattr(moto_patches, "_bodies", None)
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="memory", CreateBucketConfiguration={"LocationConstraint": REGION})
    large = b"x" * (2 * moto_patches.SPILL)
    s3.put_object(Bucket="memory", Key="k", Body=large)
    assert s3.get_object(Bucket="memory", Key="k")["Body"].read() == large
    assert not any(body.on_disk for body in _bodies())


def test_the_bodies_folder_is_emptied_for_the_process_that_uses_it(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "old.body").write_bytes(b"left by a killed stack")
    (tmp_path / "other.txt").write_bytes(b"not ours")
    monkeypatch.setenv(moto_patches.BODIES, str(tmp_path))
    assert moto_patches.bodies_folder() == tmp_path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.txt"]
    monkeypatch.delenv(moto_patches.BODIES)
    assert moto_patches.bodies_folder() is None


def test_a_copy_of_the_process_never_deletes_the_files_of_its_bodies(tmp_path: Any) -> None:
    import os

    # Given a body on the disk
    body = moto_patches.Body(tmp_path)
    body.write(b"x" * (2 * moto_patches.SPILL))
    assert body.on_disk
    # When a copy of the process (the snapshot's fork) closes it
    pid = os.fork()
    if pid == 0:
        body.close()
        os._exit(0)
    os.waitpid(pid, 0)
    # Then the file is still there for this process, which deletes it when it closes it
    assert len(list(tmp_path.glob("*.body"))) == 1
    body.close()
    assert list(tmp_path.glob("*.body")) == []
