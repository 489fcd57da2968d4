"""The recount at a city's size on moto (docs/statistics.md, "The recount"): the recount function's
steps (functions/recount/app.py) on a mixed history. The table is exported to S3 (moto's export), its
lines laid out as an export of several data files with their manifests, each file summed apart (the
distributed map's items), the sums added and written (the reduce), and the stream's records after the
export replayed from the stats queue and its dead-letter queue: the counters equal the live ones, and
the one-process recount of the table."""

from __future__ import annotations

import gzip
import json
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from botocore.stub import Stubber
from recount import app

from motcua.adapters import clients
from motcua.adapters.recount import Recount, RecountError, lines_of
from motcua.adapters.statistics import STATS_PREFIX, DynamoCounterStore, moves_of_record
from motcua.services.citizens import Withdrawal
from motcua.services.inbox import Decision
from tests.conftest import REGION
from tests.integration.conftest import filing_request
from tests.integration.test_statistics_counters import counter_items, stream
from tests.shown import decide, withdraw

if TYPE_CHECKING:
    from collections.abc import Iterator

WARD = "000.01.01.H99"
BUCKET = "motcua-test-recount"
RUN = "recount-1"


def mixed_history(container: Any, people: Any, clock: Any, tag: str) -> list[str]:
    """Early, refused, withdrawn, waiting on the citizen, late, open: the dossiers' codes."""
    citizen = people.citizen(f"{tag}@example.vn")
    desk = people.staff(f"canbo.{tag}", WARD, "receiver")
    officer = people.staff(f"chuyenvien.{tag}", WARD, "officer")

    def file(key: str) -> str:
        return str(
            container.filing.file(
                citizen, filing_request(container, citizen), f"recount-{tag}-{key}"
            ).dossier.code
        )

    early = file("1")
    for action in ("accept", "approve", "return_result"):
        decide(container, officer if action == "approve" else desk, f"{early}-T1", Decision(action=action))
    refused = file("2")
    decide(container, desk, f"{refused}-T1", Decision(action="refuse", reason="Thiếu giấy tờ"))
    withdrawn = file("3")
    withdraw(container, citizen, withdrawn, Withdrawal(reason="Nộp nhầm"))
    paused = file("4")
    decide(container, desk, f"{paused}-T1", Decision(action="accept"))
    decide(container, officer, f"{paused}-T1", Decision(action="request_papers", reason="Bản sao"))
    late = file("5")
    decide(container, desk, f"{late}-T1", Decision(action="accept"))
    clock.advance(timedelta(days=6))
    decide(container, officer, f"{late}-T1", Decision(action="approve"))
    return [early, refused, withdrawn, paused, late, file("6")]


@pytest.fixture
def recount(container: Any, outputs: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recount]:
    """The recount function's steps as it builds them from its environment, on moto."""
    dynamodb = clients.client("dynamodb", REGION)
    s3 = clients.client("s3", REGION)
    sqs = clients.client("sqs", REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    table = dynamodb.describe_table(TableName=outputs.table_name)["Table"]
    dynamodb.update_continuous_backups(
        TableName=outputs.table_name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    dead_letters = sqs.get_queue_url(QueueName=outputs.stats_queue_url.rsplit("/", 1)[1] + "-dlq")["QueueUrl"]
    monkeypatch.setenv("MOTCUA_TABLE_ARN", table["TableArn"])
    monkeypatch.setenv("MOTCUA_RECOUNT_BUCKET", BUCKET)
    monkeypatch.setenv("MOTCUA_STATS_QUEUES", f"{outputs.stats_queue_url},{dead_letters}")
    monkeypatch.setattr(app, "get_container", lambda: container)
    app.recount.cache_clear()
    steps = app.recount()
    steps.receive_wait = 0  # moto's queues answer at once: no long poll
    yield steps
    app.recount.cache_clear()


def exported_lines(recount: Recount, export: str) -> list[str]:
    """The lines of moto's export (one data file) once it is done."""
    for _ in range(200):
        status = recount.dynamodb.describe_export(ExportArn=export)["ExportDescription"]["ExportStatus"]
        if status != "IN_PROGRESS":
            break
        time.sleep(0.02)
    assert status == "COMPLETED"
    keys = [
        o["Key"]
        for o in recount.s3.list_objects_v2(Bucket=BUCKET, Prefix=recount.export_prefix(RUN))["Contents"]
    ]
    (data_file,) = keys
    return list(lines_of(recount.s3.get_object(Bucket=BUCKET, Key=data_file)["Body"]))


def lay_out(recount: Recount, lines: list[str], files: int) -> str:
    """The export as DynamoDB writes it: data files of gzipped lines, manifest-files.json listing them,
    manifest-summary.json naming it. The summary's key."""
    base = f"{recount.export_prefix(RUN)}/AWSDynamoDB/01733460000000-a1b2c3d4"
    listed = []
    for n in range(files):
        part = lines[n::files]
        key = f"{base}/data/file{n}.json.gz"
        recount.s3.put_object(Bucket=BUCKET, Key=key, Body=gzip.compress("".join(part).encode()))
        listed.append(
            json.dumps({"itemCount": len(part), "md5Checksum": "-", "etag": "-", "dataFileS3Key": key})
        )
    recount.s3.put_object(Bucket=BUCKET, Key=f"{base}/manifest-files.json", Body="\n".join(listed).encode())
    summary = f"{base}/manifest-summary.json"
    recount.s3.put_object(
        Bucket=BUCKET,
        Key=summary,
        Body=json.dumps(
            {"manifestFilesS3Key": f"{base}/manifest-files.json", "itemCount": len(lines)}
        ).encode(),
    )
    return summary


def completed(recount: Recount, export: str, summary: str) -> dict[str, Any]:
    """DescribeExport as DynamoDB answers once an export is done (moto names no manifest)."""
    stubbed = Stubber(recount.dynamodb)
    stubbed.add_response(
        "describe_export",
        {
            "ExportDescription": {
                "ExportArn": export,
                "ExportStatus": "COMPLETED",
                "ExportManifest": summary,
                "ItemCount": 7,
            }
        },
        {"ExportArn": export},
    )
    with stubbed:
        return app.run_step({"step": "poll", "export": export})


def message(record: dict[str, Any], at: float) -> str:
    """A stream record as the pipe puts it on the stats queue, changed at `at` (epoch seconds)."""
    return json.dumps(
        {**record, "dynamodb": {**record["dynamodb"], "ApproximateCreationDateTime": at}}, default=str
    )


def test_the_recount_on_s3_equals_the_live_counters_and_the_recount_in_one_process(
    container: Any, people: Any, outputs: Any, clock: Any, recount: Recount
) -> None:
    mixed_history(container, people, clock, "an")
    before = stream(outputs)
    client = clients.client("dynamodb", REGION)
    live = DynamoCounterStore(client, outputs.table_name, container.province.working_calendar)
    for record in before:
        live.apply_record(record)
    kept = counter_items(client, outputs.table_name)
    # Counters gone wrong (a bug, a restore): one too many, and one that should not exist at all.
    province_now = {"PK": {"S": f"{STATS_PREFIX}*"}, "SK": {"S": "now"}}
    client.update_item(
        TableName=outputs.table_name,
        Key=province_now,
        UpdateExpression="ADD #n :one",
        ExpressionAttributeNames={"#n": "received.online"},
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    client.put_item(
        TableName=outputs.table_name,
        Item={
            "PK": {"S": f"{STATS_PREFIX}000.99.99.H99"},
            "SK": {"S": "2020-01"},
            "received.online": {"N": "3"},
        },
    )
    damaged = counter_items(client, outputs.table_name)
    assert damaged != kept

    started = app.run_step({"step": "start", "run": RUN})
    assert started["export"] and started["since"] <= time.time()
    summary = lay_out(recount, exported_lines(recount, started["export"]), files=3)
    # Changes after T: not in the export, on the stats queue (the consumer is paused), one of them
    # twice (a redelivery), one in the dead-letter queue; and a change from before T there too.
    since = float(started["since"])
    mixed_history(container, people, clock, "binh")
    after = stream(outputs)[len(before) :]
    assert after
    for record in after:
        recount.sqs.send_message(QueueUrl=recount.queues[0], MessageBody=message(record, since + 1))
    recount.sqs.send_message(QueueUrl=recount.queues[0], MessageBody=message(after[0], since + 1))
    recount.sqs.send_message(QueueUrl=recount.queues[1], MessageBody=message(before[-1], since - 30))

    polled = completed(recount, started["export"], summary)
    assert polled["status"] == "COMPLETED"
    files = recount.s3.get_object(Bucket=BUCKET, Key=polled["manifest"])["Body"].read().decode().splitlines()
    assert len(files) == 3
    # A data file without its sums (its map item failed): the reduce stops, the counters untouched.
    app.run_step({"step": "sum", "run": RUN, "data_file": json.loads(files[0])["dataFileS3Key"]})
    with pytest.raises(RecountError, match="no sums for"):
        app.run_step({"step": "reduce", "run": RUN, "manifest": polled["manifest"]})
    assert counter_items(client, outputs.table_name) == damaged
    # Every file summed (the first again: a retried map item overwrites its own sums).
    sums = [
        app.run_step({"step": "sum", "run": RUN, "data_file": json.loads(f)["dataFileS3Key"]}) for f in files
    ]
    assert len({s["sums"] for s in sums}) == 3 and all(s["lines"] > 0 for s in sums)

    reduced = app.run_step({"step": "reduce", "run": RUN, "manifest": polled["manifest"]})
    # The counters are the export's: the live ones before the damage.
    assert counter_items(client, outputs.table_name) == kept
    assert reduced["deleted"] == 1 and reduced["written"] == len(kept)

    replayed = app.run_step({"step": "replay", "since": since})
    moving = sum(1 for r in after if moves_of_record(r, container.province.working_calendar))
    # each record after T once (the redelivered one finds its marker), the one from before T dropped
    assert replayed == {
        "drained": True,
        "applied": moving,
        "seen": 1,
        "nothing": len(after) - moving,
        "before": 1,
        "failed": 0,
    }
    for queue in recount.queues:
        assert "Messages" not in recount.sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0)
    rebuilt = counter_items(client, outputs.table_name)
    assert rebuilt != kept  # the second history counted

    # The one-process recount of the table as it is now: the same counters.
    DynamoCounterStore(client, outputs.table_name, container.province.working_calendar).recount(
        live.scan_counted()
    )
    assert counter_items(client, outputs.table_name) == rebuilt


def test_a_replayed_record_from_before_the_export_is_dropped_and_one_after_is_applied_once(
    container: Any, people: Any, outputs: Any, clock: Any, recount: Recount
) -> None:
    mixed_history(container, people, clock, "an")
    records = stream(outputs)
    client = clients.client("dynamodb", REGION)
    since = datetime(2026, 12, 6, 5, 0, tzinfo=UTC).timestamp()
    for record in records:
        recount.sqs.send_message(QueueUrl=recount.queues[1], MessageBody=message(record, since - 1))

    # A message that is no stream record: left where it is (failed), the others go on.
    recount.sqs.send_message(QueueUrl=recount.queues[1], MessageBody="not a record")
    dropped = {"drained": True, "applied": 0, "seen": 0, "nothing": 0, "before": len(records), "failed": 1}
    assert recount.replay(since) == dropped
    assert counter_items(client, outputs.table_name) == {}

    for record in records:
        recount.sqs.send_message(QueueUrl=recount.queues[0], MessageBody=message(record, since))
    answer = recount.replay(since)
    assert answer["drained"] and answer["before"] == 0 and answer["failed"] == 0
    assert answer["applied"] > 0 and answer["seen"] == 0
    assert answer["applied"] + answer["nothing"] == len(records)
    live = DynamoCounterStore(client, outputs.table_name, container.province.working_calendar)
    counted = counter_items(client, outputs.table_name)
    live.recount(live.scan_counted())
    assert counter_items(client, outputs.table_name) == counted


def test_the_local_stacks_recount_says_what_differs_and_rebuilds_it(
    container: Any, people: Any, outputs: Any, clock: Any
) -> None:
    from infra.devstack.recount import recount as recount_locally

    mixed_history(container, people, clock, "an")
    client = clients.client("dynamodb", REGION)
    calendar = container.province.working_calendar
    live = DynamoCounterStore(client, outputs.table_name, calendar)
    for record in stream(outputs):
        live.apply_record(record)
    kept = counter_items(client, outputs.table_name)
    assert recount_locally(client, outputs.table_name, calendar, write=False).differing == 0
    # One number wrong, one item that should not be there.
    client.put_item(
        TableName=outputs.table_name,
        Item={
            "PK": {"S": f"{STATS_PREFIX}000.99.99.H99"},
            "SK": {"S": "2020-01"},
            "received.online": {"N": "3"},
        },
    )
    client.update_item(
        TableName=outputs.table_name,
        Key={"PK": {"S": f"{STATS_PREFIX}*"}, "SK": {"S": "now"}},
        UpdateExpression="ADD #n :one",
        ExpressionAttributeNames={"#n": "received.online"},
        ExpressionAttributeValues={":one": {"N": "1"}},
    )

    checked = recount_locally(client, outputs.table_name, calendar, write=False)
    assert (checked.differing, checked.written, checked.deleted) == (2, 0, 0)
    assert counter_items(client, outputs.table_name) != kept
    done = recount_locally(client, outputs.table_name, calendar)
    assert (done.differing, done.written, done.deleted) == (2, len(kept), 1)
    assert counter_items(client, outputs.table_name) == kept
