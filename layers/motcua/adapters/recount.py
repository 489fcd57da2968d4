"""The recount at a city's size (docs/statistics.md, "The recount"): the steps the recount's state
machine runs, each one a call of the recount function (functions/recount/app.py).

    pause   the stats queue's consumer stops (its event source mapping disabled): from now on the
            stream's records wait in the queue
    start   the table is exported to S3 as it was at `T` (ExportTableToPointInTime, from
            point-in-time recovery), under <prefix><run>/export/
    poll    DescribeExport; once done, the key of the export's manifest of data files
    sum     the map item: ONE data file (gzipped DynamoDB JSON lines) summed with `sums_of_export`
            into counter items, written as <prefix><run>/sums/<digest of the file's key>.json
    reduce  every data file's sums (each file must have one) added up; the counters become them
            (`DynamoCounterStore.replace_items`), the counter items the export held and the sums do
            not are deleted
    replay  the stats queue and its dead-letter queue drained: a record of a change at or after `T`
            is applied (once: its marker), one from before `T` is dropped (the export holds it)
    resume  the consumer starts again

The sums of a file are counter items (agency, period → name → number), not cells: a city's cells
(agency × procedure × month × name) would not fit a function's memory, its counter items do.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from motcua.adapters.statistics import DynamoCounterStore, item_moves, moves_of_record, sums_of_export
from motcua.resources import STATS_PREFIX

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from motcua.domain.calendar import WorkingCalendar

Items = dict[tuple[str, str], Counter[str]]  # (agency or "*", period) → counter name → number

# What a replay call leaves for the next one: it stops when its function has this little time left.
REPLAY_MARGIN_SECONDS = 20
# A long poll (SQS asks every one of its servers): an empty answer says the queue is drained, where a
# short poll may answer empty while some messages wait.
RECEIVE_WAIT_SECONDS = 1
VISIBILITY_SECONDS = 60  # a record the replay fails to apply shows again after this


class RecountError(RuntimeError):
    """The recount cannot go on (an export that failed, a data file without its sums)."""


# --- the export's files --------------------------------------------------------------------------


def lines_of(body: Any) -> Iterator[str]:
    """The lines of a gzipped export data file, read as a stream (a file can be hundreds of MB)."""
    with gzip.GzipFile(fileobj=body) as unzipped:
        yield from io.TextIOWrapper(unzipped, encoding="utf-8")


def counter_keys(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """The keys of the counter items an export file holds (the counters the recount replaces)."""
    for line in lines:
        if STATS_PREFIX in line:
            key = json.loads(line)["Item"]
            if key["PK"]["S"].startswith(STATS_PREFIX):
                yield key["PK"]["S"], key["SK"]["S"]


@dataclass
class FileSums:
    """What the map step found in one data file: its counter items summed, and the old counter keys."""

    items: Items = field(default_factory=dict)
    old: set[tuple[str, str]] = field(default_factory=set)
    lines: int = 0

    def add(self, other: FileSums) -> None:
        for key, names in other.items.items():
            self.items.setdefault(key, Counter()).update(names)
        self.old |= other.old
        self.lines += other.lines

    def to_json(self) -> str:
        return json.dumps(
            {
                "lines": self.lines,
                "items": [
                    [agency, period, dict(names)] for (agency, period), names in sorted(self.items.items())
                ],
                "old": sorted(self.old),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> FileSums:
        document = json.loads(text)
        return cls(
            items={(agency, period): Counter(names) for agency, period, names in document["items"]},
            old={(pk, sk) for pk, sk in document["old"]},
            lines=int(document["lines"]),
        )


def sums_of_file(lines: Iterable[str], calendar: WorkingCalendar) -> FileSums:
    """The map step on one data file's lines: `sums_of_export` (the live consumer's own arithmetic)
    turned into counter items, and the keys of the counter items the file holds."""
    sums = FileSums()
    counters: list[str] = []

    def read() -> Iterator[str]:
        for line in lines:
            sums.lines += 1
            if STATS_PREFIX in line:
                counters.append(line)
            yield line

    cells = sums_of_export(read(), calendar)
    sums.items = {key: Counter(names) for key, names in item_moves(cells).items()}
    sums.old = set(counter_keys(counters))
    return sums


def data_files(manifest_lines: Iterable[str]) -> list[str]:
    """The data files' keys an export's manifest-files.json lists (one JSON object a line)."""
    return [json.loads(line)["dataFileS3Key"] for line in manifest_lines if line.strip()]


# --- the steps --------------------------------------------------------------------------------------


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    text = str(value)
    try:
        return float(text)
    except ValueError:
        return _moment(text).timestamp()


def changed_at(record: Mapping[str, Any]) -> float:
    """When a stream record's change was made (its ApproximateCreationDateTime: rounded down to the
    second by DynamoDB Streams), as epoch seconds."""
    return _epoch(record["dynamodb"]["ApproximateCreationDateTime"])


@dataclass
class Recount:
    """The recount's steps on AWS (or moto): the clients, where the export goes, what is paused."""

    store: DynamoCounterStore
    dynamodb: Any
    s3: Any
    sqs: Any
    lambda_: Any
    table_arn: str
    bucket: str
    prefix: str  # ends with "/"
    kms_key: str | None = None  # the export is encrypted with the province's key when given
    queues: tuple[str, ...] = ()  # the stats queue and its dead-letter queue (URLs)
    mapping: str | None = None  # the stats consumer's event source mapping (UUID)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    write_workers: int = 10  # botocore's pool holds 10 connections
    receive_wait: int = RECEIVE_WAIT_SECONDS

    # where things go
    def export_prefix(self, run: str) -> str:
        return f"{self.prefix}{run}/export"

    def sums_key(self, run: str, data_file: str) -> str:
        """One result object per data file, named by the file: a retried map item overwrites its own."""
        return f"{self.prefix}{run}/sums/{hashlib.sha256(data_file.encode()).hexdigest()[:32]}.json"

    # the consumer
    def pause(self) -> dict[str, Any]:
        return self._consumer(enabled=False)

    def resume(self) -> dict[str, Any]:
        return self._consumer(enabled=True)

    def _consumer(self, *, enabled: bool) -> dict[str, Any]:
        if self.mapping is None:
            return {"consumer": None}
        answer = self.lambda_.update_event_source_mapping(UUID=self.mapping, Enabled=enabled)
        return {"consumer": self.mapping, "state": answer.get("State")}

    # the export
    def start(self, run: str, at: str | None = None) -> dict[str, Any]:
        """Export the table as it was at T, the whole second before `at` (ISO; the state machine gives
        the moment it entered the step, so that a retried call asks for the same export) or before
        now: the export's ARN, and T."""
        moment = int((_moment(at) if at else self.clock()).timestamp()) - 1
        request: dict[str, Any] = {
            "TableArn": self.table_arn,
            "ExportTime": datetime.fromtimestamp(moment, UTC),
            "S3Bucket": self.bucket,
            "S3Prefix": self.export_prefix(run),
            "ExportFormat": "DYNAMODB_JSON",
            "ExportType": "FULL_EXPORT",
            "ClientToken": run[:64],  # a retried start does not export twice
        }
        if self.kms_key:
            request |= {"S3SseAlgorithm": "KMS", "S3SseKmsKeyId": self.kms_key}
        answer = self.dynamodb.export_table_to_point_in_time(**request)
        return {"export": answer["ExportDescription"]["ExportArn"], "since": moment, "run": run}

    def poll(self, export_arn: str) -> dict[str, Any]:
        """The export's status (IN_PROGRESS, COMPLETED, FAILED) and, once completed, the key of the
        manifest that lists its data files."""
        description = self.dynamodb.describe_export(ExportArn=export_arn)["ExportDescription"]
        status = str(description["ExportStatus"])
        answer: dict[str, Any] = {"status": status, "items": int(description.get("ItemCount") or 0)}
        if status == "FAILED":
            answer["reason"] = f"{description.get('FailureCode')}: {description.get('FailureMessage')}"
        if status == "COMPLETED":
            answer["manifest"] = self.manifest_files(str(description["ExportManifest"]))
        return answer

    def manifest_files(self, summary_key: str) -> str:
        """manifest-summary.json names manifest-files.json, the list the distributed map reads."""
        summary = json.loads(self.s3.get_object(Bucket=self.bucket, Key=summary_key)["Body"].read())
        return str(summary["manifestFilesS3Key"])

    # map
    def sum(self, run: str, data_file: str) -> dict[str, Any]:
        """The map item: one data file summed, its sums written to S3; their key."""
        body = self.s3.get_object(Bucket=self.bucket, Key=data_file)["Body"]
        sums = sums_of_file(lines_of(body), self.store.calendar)
        key = self.sums_key(run, data_file)
        self.s3.put_object(
            Bucket=self.bucket, Key=key, Body=sums.to_json().encode(), ContentType="application/json"
        )
        return {"sums": key, "lines": sums.lines, "counter_items": len(sums.items)}

    # reduce
    def total(self, run: str, manifest: str) -> FileSums:
        """The sums of every data file the manifest lists; a file without its sums stops the recount."""
        listed = self.s3.get_object(Bucket=self.bucket, Key=manifest)["Body"].read().decode()
        total = FileSums()
        for data_file in data_files(listed.splitlines()):
            key = self.sums_key(run, data_file)
            try:
                text = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read().decode()
            except self.s3.exceptions.NoSuchKey as missing:
                raise RecountError(f"no sums for {data_file} (expected at {key})") from missing
            total.add(FileSums.from_json(text))
        return total

    def reduce(self, run: str, manifest: str) -> dict[str, Any]:
        total = self.total(run, manifest)
        written, deleted = self.store.replace_items(total.items, old=total.old, workers=self.write_workers)
        return {"lines": total.lines, "written": written, "deleted": deleted}

    # replay
    def replay(self, since: float, seconds_left: Callable[[], float] | None = None) -> dict[str, Any]:
        """Drain the stats queue and its dead-letter queue: a record of a change at or after `since`
        (T) is applied once (its marker), an older one is dropped (the export held its change).

        `drained` is False when the function's time ran short first: the state machine calls again.
        A record whose application fails is left where it is (it shows again after VISIBILITY_SECONDS;
        in the dead-letter queue it waits for a redrive, which applies it once)."""
        left = seconds_left or (lambda: float("inf"))
        counts: Counter[str] = Counter()
        drained = True
        for queue in self.queues:
            while True:
                if left() < REPLAY_MARGIN_SECONDS:
                    drained = False
                    break
                messages = self.sqs.receive_message(
                    QueueUrl=queue,
                    MaxNumberOfMessages=10,
                    WaitTimeSeconds=self.receive_wait,
                    VisibilityTimeout=VISIBILITY_SECONDS,
                ).get("Messages", [])
                if not messages:
                    break
                done = []
                for message in messages:
                    outcome = self._replay_one(message["Body"], since)
                    counts[outcome] += 1
                    if outcome != "failed":
                        done.append({"Id": message["MessageId"], "ReceiptHandle": message["ReceiptHandle"]})
                if done:
                    self.sqs.delete_message_batch(QueueUrl=queue, Entries=done)
            if not drained:
                break
        return {
            "drained": drained,
            **{k: counts[k] for k in ("applied", "seen", "nothing", "before", "failed")},
        }

    def _replay_one(self, body: str, since: float) -> str:
        try:
            record = json.loads(body)
            if changed_at(record) < since:
                return "before"
            if not moves_of_record(record, self.store.calendar):
                return "nothing"  # a change that moves no counter (a dossier accepted)
            return "applied" if self.store.apply_record(record) else "seen"
        except Exception:  # noqa: BLE001 — left in its queue, counted; the others go on
            return "failed"


def seconds_left(context: Any) -> Callable[[], float]:
    """A Lambda context's remaining time, in seconds (no context, as in tests: no limit)."""
    if context is None or not hasattr(context, "get_remaining_time_in_millis"):
        return lambda: float("inf")
    return lambda: float(context.get_remaining_time_in_millis()) / 1000
