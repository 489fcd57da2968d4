"""Monitoring: the province's dashboard (filings, decisions, on-time rate, errors, throttles, dead
letters, failed flows, notifications) and alarms to the operations topic, which devops subscribe to.

Business numbers are the app's own EMF metrics (motcua.observability.count): `DossierFiled`,
`Decision` by `action`, `DossierFinished` by `timeliness`, `NotificationSent` and
`NotificationFailed` by `channel` (email, sms), in the stage's metrics namespace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aws_cdk import aws_apigateway as apigw
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_sqs as sqs
    from aws_cdk import aws_stepfunctions as sfn

HOUR = Duration.hours(1)
DAY = Duration.days(1)
FIVE_MINUTES = Duration.minutes(5)
# API answers 5xx in five minutes before someone is told: one is a blip, this many is an incident.
API_5XX_ALARM = 5
PIPES_NAMESPACE = "AWS/EventBridge/Pipes"


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        namespace: str,
        api_service: str,
        rest_api: apigw.RestApi,
        functions: Mapping[str, lambda_.IFunction],
        dead_letter_queues: Mapping[str, sqs.IQueue],
        state_machines: Mapping[str, sfn.IStateMachine],
        pipes: Mapping[str, str],
    ) -> None:
        super().__init__(scope, id)
        # CloudWatch publishes alarms to an encrypted topic only with a key that lets it.
        key = kms.Key(self, "TopicKey", description="motcua operations topic", enable_key_rotation=True)
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        self.topic = sns.Topic(
            self, "Operations", display_name="motcua operations", master_key=key, enforce_ssl=True
        )
        self.alarms: list[cw.Alarm] = []

        def business(name: str, period: Duration = HOUR, **dimensions: str) -> cw.Metric:
            return cw.Metric(
                namespace=namespace,
                metric_name=name,
                dimensions_map={"service": api_service, **dimensions},
                statistic="Sum",
                period=period,
            )

        def by(dimension: str, name: str) -> cw.MathExpression:
            """Every series of metric `name` split by `dimension`, summed per hour."""
            search = f'{{"{namespace}",{dimension},service}} MetricName="{name}"'
            return cw.MathExpression(
                expression=f"SEARCH('{search}', 'Sum', 3600)",
                label="",
                period=HOUR,
            )

        def pipe_failures(pipe: str, period: Duration = FIVE_MINUTES) -> cw.Metric:
            return cw.Metric(
                namespace=PIPES_NAMESPACE,
                metric_name="ExecutionFailed",
                dimensions_map={"PipeName": pipe},
                statistic="Sum",
                period=period,
            )

        filings = business("DossierFiled")
        decisions = by("action", "Decision")
        on_time = cw.MathExpression(
            expression="100 * (FILL(early, 0) + FILL(onTime, 0))"
            " / (FILL(early, 0) + FILL(onTime, 0) + FILL(late, 0))",
            using_metrics={
                "early": business("DossierFinished", DAY, timeliness="early"),
                "onTime": business("DossierFinished", DAY, timeliness="on_time"),
                "late": business("DossierFinished", DAY, timeliness="late"),
            },
            label="On time or early (%)",
            period=DAY,
        )

        self.dashboard = cw.Dashboard(self, "Dashboard", default_interval=Duration.days(7))
        self.dashboard.add_widgets(
            cw.GraphWidget(title="Dossiers filed (per hour)", left=[filings], width=8),
            cw.GraphWidget(title="Decisions by action (per hour)", left=[decisions], width=8),
            cw.GraphWidget(
                title="On-time rate (per day)",
                left=[on_time],
                left_y_axis=cw.YAxisProps(min=0, max=100),
                width=8,
            ),
        )
        self.dashboard.add_widgets(
            cw.GraphWidget(
                title="Errors",
                left=[fn.metric_errors(period=FIVE_MINUTES, label=name) for name, fn in functions.items()],
                right=[rest_api.metric_server_error(period=FIVE_MINUTES, label="API 5xx")],
                width=8,
            ),
            cw.GraphWidget(
                title="Throttles",
                left=[fn.metric_throttles(period=FIVE_MINUTES, label=name) for name, fn in functions.items()],
                right=[rest_api.metric_client_error(period=FIVE_MINUTES, label="API 4xx (429 included)")],
                width=8,
            ),
            cw.GraphWidget(
                title="Dead letters",
                left=[
                    queue.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, label=name)
                    for name, queue in dead_letter_queues.items()
                ],
                width=8,
            ),
        )
        self.dashboard.add_widgets(
            cw.GraphWidget(
                title="Flows failed or timed out",
                left=[
                    m
                    for code, machine in state_machines.items()
                    for m in (
                        machine.metric_failed(period=FIVE_MINUTES, label=f"{code} failed"),
                        machine.metric_timed_out(period=FIVE_MINUTES, label=f"{code} timed out"),
                    )
                ],
                width=12,
            ),
            cw.GraphWidget(
                title="API latency (p90)",
                left=[rest_api.metric_latency(period=FIVE_MINUTES, statistic="p90")],
                width=12,
            ),
        )
        self.dashboard.add_widgets(
            cw.GraphWidget(
                title="Notifications sent and failed by channel (per hour)",
                left=[by("channel", "NotificationSent")],
                right=[by("channel", "NotificationFailed")],
                width=12,
            ),
            cw.GraphWidget(
                title="Notification pipe failures",
                left=[pipe_failures(pipe).with_(label=name) for name, pipe in pipes.items()],
                width=12,
            ),
        )

        for name, queue in dead_letter_queues.items():
            self._alarm(
                f"DeadLetters{name}",
                queue.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum"),
                threshold=1,
                description=f"Messages are waiting in the {name} dead-letter queue.",
            )
        for code, machine in state_machines.items():
            suffix = "".join(ch for ch in code if ch.isalnum())
            self._alarm(
                f"FlowFailed{suffix}",
                machine.metric_failed(period=FIVE_MINUTES),
                threshold=1,
                description=f"A flow of procedure {code} failed or stalled: its dossier is back at the desk.",
            )
            self._alarm(
                f"FlowTimedOut{suffix}",
                machine.metric_timed_out(period=FIVE_MINUTES),
                threshold=1,
                description=f"A flow of procedure {code} timed out.",
            )
        for name, fn in functions.items():
            self._alarm(
                f"Errors{name}",
                fn.metric_errors(period=FIVE_MINUTES),
                threshold=1,
                description=f"The {name} function failed.",
            )
            self._alarm(
                f"Throttles{name}",
                fn.metric_throttles(period=FIVE_MINUTES),
                threshold=1,
                description=f"The {name} function was throttled.",
            )
        for name, pipe in pipes.items():
            self._alarm(
                f"PipeFailed{name}",
                pipe_failures(pipe),
                threshold=1,
                description=f"The {name} pipe failed to deliver stream records: citizens may not be told.",
            )
        self._alarm(
            "Api5xx",
            rest_api.metric_server_error(period=FIVE_MINUTES),
            threshold=API_5XX_ALARM,
            description="The API answered 5xx repeatedly.",
        )

    def _alarm(self, id: str, metric: cw.IMetric, *, threshold: float, description: str) -> None:
        alarm = cw.Alarm(
            self,
            id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
