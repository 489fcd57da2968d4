"""The daily reconciliation (docs/payments.md, "Reconciliation"): a function on an EventBridge schedule,
early each morning in Vietnam's time, for the day before; it reads the gateway's file of the day."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aws_cdk import Aws, Duration, TimeZone
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_ses as ses

    from infra.constructs.runtime import Runtime

# 05:00 in Vietnam: the gateway's file of day T is published after midnight; leaders read the report
# when offices open.
RECONCILE_HOUR = "5"
RECONCILE_MINUTE = "0"


def file_prefix(pattern: str) -> str | None:
    """`bucket/prefix` of the S3 objects the province's file pattern may name; None if not on S3."""
    if not pattern.startswith("s3://"):
        return None
    parts = urlsplit(pattern)
    return f"{parts.netloc}/{parts.path.lstrip('/').split('{', 1)[0]}"


def file_objects(pattern: str) -> str | None:
    """The ARN of those objects (`arn:…:s3:::bucket/prefix*`), None if not on S3."""
    prefix = file_prefix(pattern)
    return None if prefix is None else f"arn:{Aws.PARTITION}:s3:::{prefix}*"


class DailyReconciliation(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        runtime: Runtime,
        environment: Mapping[str, str],
        file_pattern: str,
        sender: ses.EmailIdentity,
    ) -> None:
        super().__init__(scope, id)
        self.function: lambda_.Function = runtime.function(
            self,
            "Reconcile",
            name="reconcile",
            description="motcua daily reconciliation: the gateway's list of the day before, the orders",
            environment=environment,
            timeout=Duration.minutes(5),
        )
        # The gateway's file of the day, where the province's file lands (an S3 bucket of its own).
        self.file_prefix = file_prefix(file_pattern)
        self.file_objects = file_objects(file_pattern)
        if self.file_objects is not None:
            iam.Grant.add_to_principal(
                grantee=self.function, actions=["s3:GetObject"], resource_arns=[self.file_objects]
            )
        # The agencies' leaders are told through the province's sender, as the citizens are.
        sender.grant_send_email(self.function)
        self.dead_letter_queue = sqs.Queue(
            self,
            "ReconcileDeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        self.role = iam.Role(
            self,
            "ScheduleRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
        )
        self.schedule = scheduler.Schedule(
            self,
            "DailyReconciliation",
            description="The daily reconciliation of the day before's payments with the gateway's list",
            schedule=scheduler.ScheduleExpression.cron(
                minute=RECONCILE_MINUTE, hour=RECONCILE_HOUR, time_zone=TimeZone.ASIA_HO_CHI_MINH
            ),
            target=targets.LambdaInvoke(
                self.function,
                dead_letter_queue=self.dead_letter_queue,
                max_event_age=Duration.hours(6),
                retry_attempts=3,
                role=self.role,
            ),
        )
