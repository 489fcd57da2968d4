"""What the local stack's start reads quickly must be what the slow way read: the snapshot's items and the
flows in progress (infra/devstack/snapshots.py, flows.py, cloud.table_items)."""

from __future__ import annotations

import gc
import json
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from infra.devstack import snapshots as snapshots_module
from infra.devstack.cloud import table_items
from infra.devstack.flows import ITEM_ATTRIBUTES, ITEMS_IN_PROGRESS, in_progress
from infra.devstack.snapshots import Snapshots

if TYPE_CHECKING:
    from pathlib import Path

REGION = "ap-southeast-1"
TABLE = "start"


@pytest.fixture
def dynamodb(aws: None) -> Any:
    import boto3

    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("PK", "SK")],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
    )
    return client


def _dossier(
    client: Any, code: str, status: int, *, flow: bool, kind: str = "dossier", sk: str = "DOSSIER"
) -> None:
    client.put_item(
        TableName=TABLE,
        Item={
            "PK": {"S": f"DOSSIER#{code}"},
            "SK": {"S": sk},
            "type": {"S": kind},
            "status": {"N": str(status)},
            "data": {"S": json.dumps({"code": code, "flow": flow})},
        },
    )


def test_the_flows_in_progress_read_from_moto_memory_are_those_the_start_scanned_for(dynamodb: Any) -> None:
    # Given dossiers with and without a flow, in progress (4), waiting for papers (5) or done (10),
    # and another kind of item of a dossier in progress
    _dossier(dynamodb, "A-1", 4, flow=True)
    _dossier(dynamodb, "A-2", 5, flow=True)
    _dossier(dynamodb, "A-3", 4, flow=False)
    _dossier(dynamodb, "A-4", 10, flow=True)
    _dossier(dynamodb, "A-1", 4, flow=True, kind="task", sk="TASK#A-1-T2")
    # When the start reads the table from moto's memory
    read = table_items(REGION, TABLE, ITEM_ATTRIBUTES, ITEMS_IN_PROGRESS)
    found = in_progress(read)
    # Then only the dossiers in 4 or 5 left moto's memory (not the task, not the finished one)
    assert sorted(json.loads(i["data"]["S"])["code"] for i in read) == ["A-1", "A-2", "A-3"]
    assert {i["type"]["S"] for i in read} == {"dossier"}
    # And it finds the two running flows, as the Scan the start made before did
    scanned = dynamodb.scan(
        TableName=TABLE,
        FilterExpression="#t = :d AND #s IN (:a, :b)",
        ExpressionAttributeNames={"#t": "type", "#s": "status"},
        ExpressionAttributeValues={":d": {"S": "dossier"}, ":a": {"N": "4"}, ":b": {"N": "5"}},
    )["Items"]
    assert found == ["A-1", "A-2"]
    assert found == sorted(
        json.loads(i["data"]["S"])["code"] for i in scanned if json.loads(i["data"]["S"])["flow"]
    )


def test_a_snapshot_gives_the_items_back_and_moto_still_refuses_an_item_over_400_kb(
    dynamodb: Any, tmp_path: Path
) -> None:
    # Given an item in a snapshot
    _dossier(dynamodb, "B-1", 4, flow=True)
    snapshots = Snapshots(tmp_path)
    snapshots.commit(snapshots.write(1, None, None), 1)
    before = dynamodb.get_item(TableName=TABLE, Key={"PK": {"S": "DOSSIER#B-1"}, "SK": {"S": "DOSSIER"}})[
        "Item"
    ]
    # When it is loaded back
    assert snapshots.load()[0] == 1
    # Then the item is the same, the collector runs again, and an attribute making the item
    # too large is still refused as DynamoDB refuses it
    key = {"PK": {"S": "DOSSIER#B-1"}, "SK": {"S": "DOSSIER"}}
    assert dynamodb.get_item(TableName=TABLE, Key=key)["Item"] == before
    assert gc.isenabled()
    with pytest.raises(ClientError, match="Item size to update has exceeded"):
        dynamodb.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET big = :b",
            ExpressionAttributeValues={":b": {"S": "x" * 410_000}},
        )


def test_a_snapshot_writes_each_short_string_once_however_many_items_hold_it(
    dynamodb: Any, tmp_path: Path
) -> None:
    # Given five items of one dossier: its key, their kind and an attribute's name each an equal
    # but distinct string in moto's memory (each request's JSON makes its own)
    for number in range(5):
        dynamodb.put_item(
            TableName=TABLE,
            Item={
                "PK": {"S": "DOSSIER#D-ONE-KEY"},
                "SK": {"S": f"EVENT#{number}"},
                "type": {"S": "kind-of-item"},
                "attribute_name_once": {"S": "x"},
            },
        )
    # When a snapshot is taken
    snapshots = Snapshots(tmp_path)
    snapshots.commit(snapshots.write(1, None, None), 1)
    # Then each of those strings is written once (and referred to after), so that the load makes
    # one object for it instead of five held until its end (docs/local-stack.md, "Memory")
    written = snapshots.path.read_bytes()
    for text in (b"DOSSIER#D-ONE-KEY", b"kind-of-item", b"attribute_name_once"):
        assert written.count(text) == 1, text
    # and the items come back as they were
    snapshots.load()
    found = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": "DOSSIER#D-ONE-KEY"}},
    )["Items"]
    assert [i["SK"]["S"] for i in found] == [f"EVENT#{n}" for n in range(5)]
    assert {i["type"]["S"] for i in found} == {"kind-of-item"}


def _owns_a_dict(obj: Any) -> bool:
    """Whether the object's attributes sit in a dictionary of its own (made for an unpickled object)
    rather than inline, as for an object its constructor made."""
    names = {"hash_key", "attrs"} if hasattr(obj, "attrs") else {"type", "value"}
    return any(type(referent) is dict and names <= set(referent) for referent in gc.get_referents(obj))


@pytest.mark.parametrize("written_before", [False, True], ids=["now", "by-the-stack-before"])
def test_a_snapshot_loads_items_as_compact_as_moto_builds_them_and_as_they_were(
    dynamodb: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written_before: bool
) -> None:
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    # Given two items of one dossier and one of another, with a map, in a snapshot
    _dossier(dynamodb, "C-1", 4, flow=True)
    _dossier(dynamodb, "C-1", 4, flow=True, kind="task", sk="TASK#C-1-T1")
    dynamodb.put_item(
        TableName=TABLE,
        Item={"PK": {"S": "DOSSIER#C-2"}, "SK": {"S": "X"}, "form": {"M": {"name": {"S": "An"}}}},
    )
    everything = sorted(dynamodb.scan(TableName=TABLE)["Items"], key=json.dumps)
    if written_before:  # each value and item pickled with its __dict__, as the stack did before
        monkeypatch.setattr(snapshots_module._Pickler, "compact", False)  # noqa: SLF001
    snapshots = Snapshots(tmp_path)
    snapshots.commit(snapshots.write(1, None, None), 1)
    table = next(b[REGION].tables[TABLE] for b in dynamodb_backends.values() if TABLE in b[REGION].tables)
    if not written_before:  # taking it left moto's objects as they were (reading __dict__ makes one)
        assert not any(
            _owns_a_dict(v) for p in table.items.values() for i in p.values() for v in i.attrs.values()
        )
    # When it is loaded back
    snapshots.load()
    # Then every item is what it was, and moto's classes are as moto made them
    assert sorted(dynamodb.scan(TableName=TABLE)["Items"], key=json.dumps) == everything
    assert not hasattr(DynamoType, "__setstate__")
    assert not hasattr(Item, "__setstate__")
    table = next(b[REGION].tables[TABLE] for b in dynamodb_backends.values() if TABLE in b[REGION].tables)
    dossier, task = table.items[DynamoType({"S": "DOSSIER#C-1"})].values()
    other = next(iter(table.items[DynamoType({"S": "DOSSIER#C-2"})].values()))
    # and compact: no dictionary of its own for an item or an attribute, nested ones included;
    # the dossier's key is one string for both its items; the item's key is its key attribute
    for item in (dossier, task, other):
        assert not _owns_a_dict(item)
        assert not any(_owns_a_dict(value) for value in item.attrs.values())
        assert item.hash_key is item.attrs["PK"]
        assert item.range_key is item.attrs["SK"]
    assert not _owns_a_dict(other.attrs["form"].value["name"])
    assert dossier.attrs["PK"].value is task.attrs["PK"].value
    assert dossier.attrs["type"].value == "dossier"
    assert task.attrs["status"].value is dossier.attrs["status"].value
    # and moto goes on with them as before: a query by key, an update, a transaction's rollback
    key = {"PK": {"S": "DOSSIER#C-1"}, "SK": {"S": "DOSSIER"}}
    dynamodb.update_item(
        TableName=TABLE,
        Key=key,
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"N": "5"}},
    )
    found = dynamodb.query(
        TableName=TABLE, KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": key["PK"]}
    )["Items"]
    assert sorted(i["status"]["N"] for i in found) == ["4", "5"]


def test_a_snapshot_loads_s3_objects_with_one_acl_between_them_and_each_can_change_its_own(
    aws: None, tmp_path: Path
) -> None:
    import boto3
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    # Given two private objects in a snapshot
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="acl", CreateBucketConfiguration={"LocationConstraint": REGION})
    for name in ("a", "b"):
        s3.put_object(Bucket="acl", Key=name, Body=name.encode(), ACL="private")
    snapshots = Snapshots(tmp_path)
    snapshots.commit(snapshots.write(1, None, None), 1)
    # When it is loaded back
    snapshots.load()
    # Then they hold one ACL object between them, and their bodies
    keys = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].get_bucket("acl").keys
    assert keys["a"].acl is not None
    assert keys["a"].acl is keys["b"].acl
    assert keys["a"]._transitions is keys["b"]._transitions  # noqa: SLF001 — moto's own
    assert s3.get_object(Bucket="acl", Key="b")["Body"].read() == b"b"
    # and one made public by its ACL leaves the other private
    s3.put_object_acl(Bucket="acl", Key="a", ACL="public-read")
    grants = {name: s3.get_object_acl(Bucket="acl", Key=name)["Grants"] for name in ("a", "b")}
    assert any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in grants["a"])
    assert not any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in grants["b"])
