"""The recount's pure parts (motcua/adapters/recount.py): a data file's sums, their JSON, the export's
manifest, the stream record's moment, the consumer's pause; and the function's steps by name."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber
from recount import app

from motcua.adapters.recount import FileSums, Recount, changed_at, data_files, sums_of_file
from motcua.adapters.statistics import item_moves, sums_of_export
from motcua.domain.calendar import WorkingCalendar
from motcua.resources import STATS_PREFIX


def dossier(code: str, agency: str, status: int, **extra: str) -> str:
    data = {
        "agency": agency,
        "procedure_code": "1.001193",
        "filed_at": "2026-11-02T02:00:00+00:00",
        "due_at": "2026-11-04T10:00:00+00:00",
        "status": status,
        **extra,
    }
    item = {
        "PK": {"S": f"D#{code}"},
        "SK": {"S": "D"},
        "type": {"S": "dossier"},
        "data": {"S": json.dumps(data)},
    }
    return json.dumps({"Item": item}) + "\n"


LINES = [
    dossier("A1", "000.01.01.H99", 2),
    dossier("A2", "000.01.01.H99", 10, finished_at="2026-11-03T03:00:00+00:00"),
    dossier("A3", "000.02.01.H99", 3, finished_at="2026-11-09T03:00:00+00:00"),
    json.dumps({"Item": {"PK": {"S": "D#A1"}, "SK": {"S": "E#0001"}, "type": {"S": "event"}}}) + "\n",
    json.dumps({"Item": {"PK": {"S": f"{STATS_PREFIX}*"}, "SK": {"S": "now"}, "received.online": {"N": "9"}}})
    + "\n",
    "\n",
]


def test_a_files_sums_are_the_consumers_arithmetic_as_counter_items_with_the_old_counter_keys() -> None:
    calendar = WorkingCalendar()
    sums = sums_of_file(iter(LINES), calendar)

    assert sums.items == {key: Counter(n) for key, n in item_moves(sums_of_export(LINES, calendar)).items()}
    assert sums.items[("000.02.01.H99", "2026-11")]["refused"] == 1
    assert sums.items[("*", "now")]["open.due.2026-11-04"] == 1
    assert sums.old == {(f"{STATS_PREFIX}*", "now")}
    assert sums.lines == len(LINES)


def test_sums_survive_their_json_and_add_up() -> None:
    sums = sums_of_file(iter(LINES), WorkingCalendar())
    again = FileSums.from_json(sums.to_json())
    assert again == sums

    again.add(sums)
    assert again.items[("*", "now")]["open.due.2026-11-04"] == 2
    assert again.lines == 2 * sums.lines and again.old == sums.old


def test_the_manifest_lists_the_data_files() -> None:
    manifest = [
        json.dumps(
            {"itemCount": 3, "md5Checksum": "x", "etag": "y", "dataFileS3Key": "recount/r/export/a.json.gz"}
        ),
        "",
        json.dumps(
            {"itemCount": 1, "md5Checksum": "x", "etag": "y", "dataFileS3Key": "recount/r/export/b.json.gz"}
        ),
    ]
    assert data_files(manifest) == ["recount/r/export/a.json.gz", "recount/r/export/b.json.gz"]


@pytest.mark.parametrize(
    "written",
    [1796533200, 1796533200.0, "1796533200", "2026-12-06T05:00:00Z", datetime(2026, 12, 6, 5, tzinfo=UTC)],
)
def test_a_records_moment_reads_as_the_pipe_or_the_sdk_writes_it(written: object) -> None:
    assert changed_at({"dynamodb": {"ApproximateCreationDateTime": written}}) == 1796533200.0


def test_pause_and_resume_switch_the_stats_consumers_mapping() -> None:
    client = boto3.client(
        "lambda", region_name="ap-southeast-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    steps = Recount(
        store=None,  # type: ignore[arg-type]
        dynamodb=None,
        s3=None,
        sqs=None,
        lambda_=client,
        table_arn="arn",
        bucket="b",
        prefix="recount/",
        mapping="2f2d6a3e-0000-4000-8000-000000000001",
    )
    with Stubber(client) as stubbed:
        for enabled, state in ((False, "Disabling"), (True, "Enabling")):
            stubbed.add_response(
                "update_event_source_mapping",
                {"UUID": steps.mapping, "State": state},
                {"UUID": steps.mapping, "Enabled": enabled},
            )
        assert steps.pause() == {"consumer": steps.mapping, "state": "Disabling"}
        assert steps.resume() == {"consumer": steps.mapping, "state": "Enabling"}
        stubbed.assert_no_pending_responses()


def test_the_function_refuses_a_step_it_does_not_have() -> None:
    with pytest.raises(ValueError, match="no recount step 'recount'"):
        app.run_step({"step": "recount"})


EXPORT = "arn:aws:dynamodb:ap-southeast-1:123456789012:table/dossiers/export/01733460000000-a1b2c3d4"


def test_the_export_is_asked_for_the_second_before_the_step_began_whatever_the_retry() -> None:
    client = boto3.client(
        "dynamodb", region_name="ap-southeast-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    steps = Recount(
        store=None,  # type: ignore[arg-type]
        dynamodb=client,
        s3=None,
        sqs=None,
        lambda_=None,
        table_arn="arn:aws:dynamodb:ap-southeast-1:123456789012:table/dossiers",
        bucket="recount-bucket",
        prefix="recount/",
        kms_key="arn:aws:kms:ap-southeast-1:123456789012:key/k",
    )
    request = {
        "TableArn": steps.table_arn,
        "ExportTime": datetime(2026, 12, 6, 4, 59, 59, tzinfo=UTC),
        "S3Bucket": "recount-bucket",
        "S3Prefix": "recount/run-1/export",
        "ExportFormat": "DYNAMODB_JSON",
        "ExportType": "FULL_EXPORT",
        "ClientToken": "run-1",
        "S3SseAlgorithm": "KMS",
        "S3SseKmsKeyId": "arn:aws:kms:ap-southeast-1:123456789012:key/k",
    }
    with Stubber(client) as stubbed:
        for _ in range(2):  # the step, and its retry
            stubbed.add_response(
                "export_table_to_point_in_time", {"ExportDescription": {"ExportArn": EXPORT}}, request
            )
        first = steps.start("run-1", "2026-12-06T05:00:00.734Z")
        assert steps.start("run-1", "2026-12-06T05:00:00.734Z") == first
    assert first == {"export": EXPORT, "since": 1796533199, "run": "run-1"}
