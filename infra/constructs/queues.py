"""Work queues as the platform builds them: encrypted, TLS only, each with its dead-letter queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs

if TYPE_CHECKING:
    from constructs import Construct

    from motcua.resources import QueueSpec


def queue_with_dead_letters(scope: Construct, name: str, spec: QueueSpec) -> tuple[sqs.Queue, sqs.Queue]:
    """`<name>Queue` and `<name>DeadLetters`, where a message lands after `spec.max_receives` failures."""
    dead_letters = sqs.Queue(
        scope,
        f"{name}DeadLetters",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(spec.dlq_retention_days),
    )
    queue = sqs.Queue(
        scope,
        f"{name}Queue",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        visibility_timeout=Duration.seconds(spec.visibility_timeout),
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=spec.max_receives, queue=dead_letters),
    )
    return queue, dead_letters


def consumer_timeout(spec: QueueSpec) -> Duration:
    """A consumer's timeout: a sixth of the visibility timeout leaves room for retries before a
    message shows again (Lambda's advice for SQS event sources)."""
    return Duration.seconds(max(10, spec.visibility_timeout // 6))
