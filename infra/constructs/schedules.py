"""Notifications and schedules: the daily sweep (escalations, apology slips) on an EventBridge schedule.

The notification function comes with a later issue; it belongs here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Aws, Duration, TimeZone
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aws_cdk import aws_lambda as lambda_

    from infra.constructs.runtime import Runtime

# Before offices open, in Vietnam's time: the day's escalations are in the inboxes at 07:30.
SWEEP_HOUR = "6"
SWEEP_MINUTE = "0"


class Schedules(Construct):
    def __init__(
        self, scope: Construct, id: str, *, runtime: Runtime, environment: Mapping[str, str]
    ) -> None:
        super().__init__(scope, id)
        self.sweep: lambda_.Function = runtime.function(
            self,
            "Sweep",
            name="sweep",
            description="motcua daily sweep: escalations and apology slips (Mẫu 04)",
            environment=environment,
            timeout=Duration.minutes(5),
        )
        # A sweep the scheduler could not deliver waits here (and raises the DLQ alarm).
        self.dead_letter_queue = sqs.Queue(
            self,
            "SweepDeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        # The schedule's own role (rather than one CDK shares across the stack's schedules).
        self.role = iam.Role(
            self,
            "ScheduleRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
        )
        self.schedule = scheduler.Schedule(
            self,
            "DailySweep",
            description="The daily sweep of every agency's deadlines",
            schedule=scheduler.ScheduleExpression.cron(
                minute=SWEEP_MINUTE, hour=SWEEP_HOUR, time_zone=TimeZone.ASIA_HO_CHI_MINH
            ),
            target=targets.LambdaInvoke(
                self.sweep,
                dead_letter_queue=self.dead_letter_queue,
                max_event_age=Duration.hours(2),
                retry_attempts=3,
                role=self.role,
            ),
        )
