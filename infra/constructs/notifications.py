"""Notifications: what the citizen must hear about goes from the table's stream to email and SMS.

An audit entry that carries `notify` (motcua.resources.NOTIFY_ATTRIBUTE) is written in the same
transaction as the change it records. The table's stream carries it to an EventBridge pipe, which keeps
only those (NOTIFY_PATTERN, the very filter the local stack's stream reader applies) and puts each
record, as the stream wrote it, on the notify queue. The notify function reads the queue in batches,
reports the messages it could not send (the rest are not sent twice), and sends email through SES from
the province's `sender_email` and SMS through SNS. A message that fails `max_receives` times waits in
the dead-letter queue (docs/operations.md, section 7).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_ses as ses
from constructs import Construct

from infra.constructs.queues import consumer_timeout, queue_with_dead_letters

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aws_cdk import aws_lambda as lambda_

    from infra.constructs.data import Data
    from infra.constructs.runtime import Runtime
    from motcua.resources import QueueSpec

BATCH_SIZE = 10
# A few seconds' wait fills a batch on a busy morning; a citizen does not notice them.
BATCHING_WINDOW = Duration.seconds(3)
# SNS sends SMS to a phone number, which is not a resource: IAM has no ARN to scope sns:Publish to.
SMS_ACTIONS = ("sns:Publish",)
# ...so the allow says "*", and an explicit deny beside it takes every topic (and platform endpoint)
# out of it: what is left is publishing to a phone number.
NO_TOPICS = f"arn:{Aws.PARTITION}:sns:*:*:*"


def sender_domain(sender_email: str) -> str:
    """The domain SES verifies (with DKIM) for the province's sender address."""
    local, at, domain = sender_email.rpartition("@")
    if not (local and at and domain):
        raise ValueError(f"sender_email {sender_email!r} is not an email address")
    return domain.lower()


class Notifications(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        queue: QueueSpec,
        pattern: Mapping[str, object],
        data: Data,
        sender_email: str,
        runtime: Runtime,
        environment: Mapping[str, str],
    ) -> None:
        super().__init__(scope, id)
        self.queue, self.dead_letter_queue = queue_with_dead_letters(self, "Notify", queue)

        # The pipe's own role: read the stream (and decrypt it with the table's key), send to the queue.
        self.pipe_role = iam.Role(
            self,
            "PipeRole",
            assumed_by=iam.ServicePrincipal(
                "pipes.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description="motcua notification pipe: the table's stream to the notify queue",
        )
        stream = data.table.table_stream_arn
        if stream is None:
            raise ValueError("the dossiers table has no stream for the notification pipe to read")
        data.grant_stream_read(self.pipe_role)
        self.queue.grant_send_messages(self.pipe_role)
        self.pipe = pipes.CfnPipe(
            self,
            "Pipe",
            description="Audit entries the citizen is told about: table stream -> notify queue",
            role_arn=self.pipe_role.role_arn,
            source=stream,
            source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
                dynamo_db_stream_parameters=pipes.CfnPipe.PipeSourceDynamoDBStreamParametersProperty(
                    # From the oldest record the stream still holds (24 hours): a pipe created or
                    # re-created after the table misses nothing still there, and what it replays
                    # is not sent twice (the function remembers what it sent).
                    starting_position="TRIM_HORIZON",
                    batch_size=BATCH_SIZE,
                ),
                filter_criteria=pipes.CfnPipe.FilterCriteriaProperty(
                    filters=[pipes.CfnPipe.FilterProperty(pattern=json.dumps(dict(pattern)))]
                ),
            ),
            target=self.queue.queue_arn,
        )
        # CloudFormation creates the pipe only once its role may read the stream (Pipes checks).
        self.pipe.node.add_dependency(self.pipe_role)

        self.sender = ses.EmailIdentity(
            self, "Sender", identity=ses.Identity.domain(sender_domain(sender_email))
        )  # Easy DKIM (2048-bit): three CNAME records to publish in the domain (docs/operations.md, 2.7)

        self.function: lambda_.Function = runtime.function(
            self,
            "Notify",
            name="notify",
            description="motcua notifications: email (SES) and SMS (SNS) to citizens",
            environment=environment,
            timeout=consumer_timeout(queue),
        )
        self.function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=BATCH_SIZE,
                max_batching_window=BATCHING_WINDOW,
                report_batch_item_failures=True,
            )
        )
        self.sender.grant_send_email(self.function)
        iam.Grant.add_to_principal(grantee=self.function, actions=list(SMS_ACTIONS), resource_arns=["*"])
        self.function.add_to_role_policy(
            iam.PolicyStatement(effect=iam.Effect.DENY, actions=list(SMS_ACTIONS), resources=[NO_TOPICS])
        )

    @property
    def pipe_name(self) -> str:
        """The pipe's name (CloudFormation's Ref of a pipe): the PipeName dimension of its metrics."""
        return self.pipe.ref
