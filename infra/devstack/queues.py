"""What Lambda's SQS trigger does, for the local runner and the tests: receive, call the handler, delete."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping would pass for these received messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),  # noqa: S324
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": queue_arn.split(":")[3],
            }
            for m in messages
        ]
    }


class LocalContext:
    """The few attributes of Lambda's context object that handlers read."""

    function_name = "local"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:local"
    memory_limit_in_mb = 512
    aws_request_id = "local"
    log_group_name = "local"
    log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def poll_once(sqs: Any, queue_url: str, handler: Handler, *, wait_seconds: int = 0) -> int:
    """Receive one batch and hand it to `handler`; delete what it handled. How many were handled."""
    received = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds, AttributeNames=["All"]
    ).get("Messages", [])
    if not received:
        return 0
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    result = handler(sqs_event(received, arn), LocalContext())
    failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
    done = [m for m in received if m["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
        )
    return len(done)


def redrive(sqs: Any, dead_letter_queue: str, source_queue: str) -> int:
    """Move every message of a dead-letter queue back to its source (what SQS's StartMessageMoveTask
    does on AWS; moto has no move tasks). How many were moved; each is deleted once sent on."""
    moved = 0
    while True:
        received = sqs.receive_message(
            QueueUrl=dead_letter_queue,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return moved
        for message in received:
            sqs.send_message(
                QueueUrl=source_queue,
                MessageBody=message["Body"],
                MessageAttributes=message.get("MessageAttributes", {}),
            )
            sqs.delete_message(QueueUrl=dead_letter_queue, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
