"""What the notification pipe does on AWS, for the local stack: table stream → filter → queue.

EventBridge Pipes reads the table's stream, keeps the records that match the filter pattern
(motcua.resources.NOTIFY_PATTERN, the very pattern the CDK app gives the pipe) and sends each as
one message to the notification queue. `forward_once` does one round of that with moto's stream.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any


def matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """EventBridge matching for what our patterns use: lists of exact values, `{"exists": bool}` and
    `{"prefix": str}`."""
    for name, wanted in pattern.items():
        present = isinstance(event, Mapping) and name in event
        if isinstance(wanted, Mapping):
            if not present or not matches(wanted, event[name]):
                return False
            continue
        value = event[name] if present else None
        if not any(_accepts(rule, present, value) for rule in wanted):
            return False
    return True


def _accepts(rule: Any, present: bool, value: Any) -> bool:
    if isinstance(rule, Mapping) and "exists" in rule:
        return bool(rule["exists"]) == present
    if isinstance(rule, Mapping) and "prefix" in rule:
        return present and isinstance(value, str) and value.startswith(rule["prefix"])
    return present and value == rule


# Records of a stream from a position on (at most `limit`): the pipe's view of a shard.
Reader = Callable[[int, int], list[dict[str, Any]]]


class StreamForwarder:
    """Reads a table stream from where it stopped and sends matching records to a queue.

    `position` counts the records already read (forwarded or not). moto rebuilds the stream when
    the local stack replays its recording, record for record, so a count survives a restart where an
    iterator would not.
    """

    def __init__(
        self, read: Reader, sqs: Any, queue_url: str, pattern: Mapping[str, Any], *, position: int = 0
    ) -> None:
        self.read = read
        self.sqs = sqs
        self.queue_url = queue_url
        self.pattern = pattern
        self.position = position
        self.forwarded = 0

    def forward_once(self, limit: int = 100) -> int:
        """Read what came since the last call (up to `limit` records); how many records it read."""
        records = self.read(self.position, limit)
        for record in records:
            if matches(self.pattern, record):
                self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(record, default=str))
                self.forwarded += 1
            self.position += 1
        return len(records)


def api_reader(streams: Any, stream_arn: str) -> Reader:
    """Reads the stream through the DynamoDB Streams API, as the pipe does on AWS (the tests use it)."""
    iterator: str | None = None
    seen = 0  # records the API has returned so far, all from the start of the shard

    def read(position: int, limit: int) -> list[dict[str, Any]]:
        nonlocal iterator, seen
        if iterator is None:
            shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
            iterator = streams.get_shard_iterator(
                StreamArn=stream_arn, ShardId=shards[0]["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
        response = streams.get_records(ShardIterator=iterator, Limit=limit)
        iterator = response.get("NextShardIterator") or iterator
        records: list[dict[str, Any]] = response.get("Records", [])
        skip = max(0, position - seen)
        seen += len(records)
        return records[skip:]

    return read
