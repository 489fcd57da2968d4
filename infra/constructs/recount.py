"""The recount at a city's size (docs/statistics.md, "The recount"): a Step Functions state machine that
pauses the stats consumer, exports the table to S3 from point-in-time recovery, sums the export's data
files in a distributed map (one child per file), writes the counters, replays the stream's records
after the export's moment, and resumes the consumer.

Every step is a call of the recount function (functions/recount/app.py, `{"step": …}`). Its role may
export the table and follow the export, read and write the recount bucket's prefix, write the
counters' partitions (STATS#, STATSREC#) and delete counter items, drain the stats queue and its
dead-letter queue, and switch the stats consumer's event source mapping on and off; nothing else.

    aws stepfunctions start-execution --name recount-2026-12-06 \
        --state-machine-arn <the RecountStateMachine output>     (the name names the run's objects)
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_cdk import ArnFormat, Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.runtime import LOG_RETENTION
from motcua.resources import STATS_PREFIX, STATS_RECORD_PREFIX

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aws_cdk import aws_lambda as lambda_

    from infra.constructs.data import Data
    from infra.constructs.runtime import Runtime
    from infra.constructs.statistics import Statistics

PREFIX = "recount/"
# Children of the distributed map summing data files at once: each reads one file (tens to hundreds
# of MB) in a function of its own. The account's Lambda concurrency (1,000 by default) is shared with
# the platform; the recount takes a fifth of it.
MAX_CONCURRENCY = 200
# A data file summed in one function call: 1,769 MB gives a whole vCPU (the sum is CPU bound).
MEMORY_MB = 1769
TIMEOUT = Duration.minutes(15)
# Wait between two looks at the export (an export of a large table takes tens of minutes).
POLL_SECONDS = 60
# After the consumer is paused, the batch it may still be running ends within its timeout (and its
# batching window): only then is T taken.
SETTLE_SECONDS = 60
# The exports and sums are copies of citizens' dossiers: they go after a week.
KEEP_DAYS = 7

INVOKE = "arn:aws:states:::lambda:invoke"
# Lambda's transient errors, retried by every step (each step can run twice without harm).
LAMBDA_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
FUNCTION = "RecountFunction"
BUCKET = "RecountBucket"


def _retry(*, also_failed: bool = False) -> list[dict[str, Any]]:
    retries: list[dict[str, Any]] = [
        {
            "ErrorEquals": LAMBDA_ERRORS,
            "IntervalSeconds": 2,
            "MaxAttempts": 6,
            "BackoffRate": 2,
            "JitterStrategy": "FULL",
        }
    ]
    if also_failed:  # a step that may simply run again (it writes the same objects and items)
        retries.append(
            {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 10, "MaxAttempts": 2, "BackoffRate": 2}
        )
    return retries


def _step(
    step: str,
    next_: str | None,
    *,
    extra: Mapping[str, str] | None = None,
    result: str | None,
    selector: Mapping[str, str] | None = None,
    retry_failed: bool = False,
    catch: bool = True,
) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": INVOKE,
        "Parameters": {"FunctionName": f"${{{FUNCTION}}}", "Payload": {"step": step, **(extra or {})}},
        "ResultSelector": dict(selector or {"answer.$": "$.Payload"}),
        "ResultPath": result,
        "Retry": _retry(also_failed=retry_failed),
    }
    if catch:
        state["Catch"] = [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ResumeAfterFailure"}
        ]
    if next_ is None:
        state["End"] = True
    else:
        state["Next"] = next_
    return state


def definition(*, max_concurrency: int = MAX_CONCURRENCY) -> dict[str, Any]:
    """The recount's state machine (JSONPath), with ${RecountFunction} and ${RecountBucket} to substitute."""
    run = {"run.$": "$$.Execution.Name"}
    return {
        "Comment": "Recount of the statistics' counters from an export of the table (docs/statistics.md)",
        "StartAt": "PauseConsumer",
        "States": {
            "PauseConsumer": _step("pause", "LetTheConsumerFinish", result=None, catch=False),
            "LetTheConsumerFinish": {"Type": "Wait", "Seconds": SETTLE_SECONDS, "Next": "ExportTable"},
            "ExportTable": _step(
                "start",
                "WaitForExport",
                # T is the second before the step was entered: the same on every retry of it
                extra={**run, "at.$": "$$.State.EnteredTime"},
                result="$.export",
                selector={"arn.$": "$.Payload.export", "since.$": "$.Payload.since"},
            ),
            "WaitForExport": {"Type": "Wait", "Seconds": POLL_SECONDS, "Next": "DescribeExport"},
            "DescribeExport": _step(
                "poll",
                "ExportDone",
                extra={"export.$": "$.export.arn"},
                result="$.poll",
                selector={"status.$": "$.Payload.status", "answer.$": "$.Payload"},
            ),
            "ExportDone": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.poll.status", "StringEquals": "COMPLETED", "Next": "SumDataFiles"},
                    {"Variable": "$.poll.status", "StringEquals": "FAILED", "Next": "ExportFailed"},
                ],
                "Default": "WaitForExport",
            },
            "ExportFailed": {
                "Type": "Pass",
                "Parameters": {"Error": "ExportFailed", "Cause.$": "$.poll.answer.reason"},
                "ResultPath": "$.error",
                "Next": "ResumeAfterFailure",
            },
            "SumDataFiles": {
                "Type": "Map",
                "Comment": "One child per data file the export lists (manifest-files.json: JSON lines)",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSONL"},
                    "Parameters": {"Bucket": f"${{{BUCKET}}}", "Key.$": "$.poll.answer.manifest"},
                },
                "ItemSelector": {
                    "run.$": "$$.Execution.Name",
                    "data_file.$": "$$.Map.Item.Value.dataFileS3Key",
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "SumDataFile",
                    "States": {
                        "SumDataFile": {
                            "Type": "Task",
                            "Resource": INVOKE,
                            "Parameters": {
                                "FunctionName": f"${{{FUNCTION}}}",
                                "Payload": {"step": "sum", "run.$": "$.run", "data_file.$": "$.data_file"},
                            },
                            "ResultSelector": {"sums.$": "$.Payload.sums", "lines.$": "$.Payload.lines"},
                            "Retry": _retry(also_failed=True),
                            "End": True,
                        }
                    },
                },
                "MaxConcurrency": max_concurrency,
                "ToleratedFailurePercentage": 0,
                "ResultWriter": {
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": f"${{{BUCKET}}}", "Prefix": f"{PREFIX}map-runs"},
                },
                "ResultPath": "$.map",
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ResumeAfterFailure"}
                ],
                "Next": "WriteCounters",
            },
            "WriteCounters": _step(
                "reduce",
                "ReplayAfterExport",
                extra={**run, "manifest.$": "$.poll.answer.manifest"},
                result="$.reduce",
                retry_failed=True,
            ),
            "ReplayAfterExport": _step(
                "replay",
                "Drained",
                extra={"since.$": "$.export.since"},
                result="$.replay",
                selector={"drained.$": "$.Payload.drained", "answer.$": "$.Payload"},
                retry_failed=True,
            ),
            "Drained": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.replay.drained", "BooleanEquals": True, "Next": "ResumeConsumer"}
                ],
                "Default": "ReplayAfterExport",
            },
            "ResumeConsumer": _step("resume", None, result=None, catch=False),
            "ResumeAfterFailure": _step("resume", "Failed", result=None, catch=False),
            "Failed": {
                "Type": "Fail",
                "Error": "RecountFailed",
                "Cause": "See the execution's history; the consumer was resumed.",
            },
        },
    }


class Recount(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        data: Data,
        statistics: Statistics,
        runtime: Runtime,
        environment: Mapping[str, str],
        max_concurrency: int = MAX_CONCURRENCY,
    ) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=data.key,
            bucket_key_enabled=True,
            server_access_logs_bucket=data.access_logs,
            server_access_logs_prefix="recount/",
            lifecycle_rules=[
                s3.LifecycleRule(id="recounts", prefix=PREFIX, expiration=Duration.days(KEEP_DAYS)),
                s3.LifecycleRule(
                    id="abandoned-multipart-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)
                ),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        queues = [statistics.queue, statistics.dead_letter_queue]
        mapping = statistics.event_source
        self.function: lambda_.Function = runtime.function(
            self,
            "Recount",
            name="recount",
            description="motcua recount: the statistics' counters rebuilt from an export of the table",
            environment={
                **environment,
                "MOTCUA_TABLE_ARN": data.table.table_arn,
                "MOTCUA_RECOUNT_BUCKET": self.bucket.bucket_name,
                "MOTCUA_RECOUNT_PREFIX": PREFIX,
                "MOTCUA_RECOUNT_KMS_KEY": data.key.key_arn,
                "MOTCUA_STATS_QUEUES": Fn.join(",", [q.queue_url for q in queues]),
                "MOTCUA_STATS_MAPPING": mapping.event_source_mapping_id,
            },
            timeout=TIMEOUT,
            memory_size=MEMORY_MB,
        )
        role = self.function  # what it may do, grant by grant
        # The export: from point-in-time recovery into the recount prefix, encrypted with the key.
        iam.Grant.add_to_principal(
            grantee=role, actions=["dynamodb:ExportTableToPointInTime"], resource_arns=[data.table.table_arn]
        )
        iam.Grant.add_to_principal(
            grantee=role,
            actions=["dynamodb:DescribeExport"],
            resource_arns=[f"{data.table.table_arn}/export/*"],
        )
        iam.Grant.add_to_principal(
            grantee=role,
            actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:PutObjectAcl"],
            resource_arns=[self.bucket.arn_for_objects(f"{PREFIX}*")],
        )
        data.key.grant_encrypt_decrypt(role)
        # The counters: written whole, old ones deleted; the replayed records' markers.
        data.grant_writes_in(role, partitions=(f"{STATS_PREFIX}*", f"{STATS_RECORD_PREFIX}*"))
        data.grant_deletes_in(role, f"{STATS_PREFIX}*")
        for queue in queues:
            queue.grant_consume_messages(role)
        iam.Grant.add_to_principal(
            grantee=role,
            actions=["lambda:UpdateEventSourceMapping"],
            resource_arns=[mapping.event_source_mapping_arn],
        )

        self.logs = logs.LogGroup(self, "Logs", retention=LOG_RETENTION)
        self.state_machine_name = name = f"{stack.stack_name}-recount"
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=name,
            comment="Recount of the statistics' counters (docs/statistics.md)",
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(
                json.dumps(definition(max_concurrency=max_concurrency))
            ),
            definition_substitutions={FUNCTION: self.function.function_arn, BUCKET: self.bucket.bucket_name},
            logs=sfn.LogOptions(destination=self.logs, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=True,
            timeout=Duration.hours(12),
        )
        machine = self.state_machine
        self.function.grant_invoke(machine)
        # The distributed map: the manifest read, the results written, under the recount prefix.
        iam.Grant.add_to_principal(
            grantee=machine,
            actions=[
                "s3:GetObject",
                "s3:PutObject",
                "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts",
            ],
            resource_arns=[self.bucket.arn_for_objects(f"{PREFIX}*")],
        )
        data.key.grant_encrypt_decrypt(machine)
        # ... and its children: executions of this very machine (named, so that no cycle arises).
        own = stack.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        runs = stack.format_arn(
            service="states",
            resource="execution",
            resource_name=f"{name}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        iam.Grant.add_to_principal(grantee=machine, actions=["states:StartExecution"], resource_arns=[own])
        iam.Grant.add_to_principal(
            grantee=machine,
            actions=["states:DescribeExecution", "states:StopExecution"],
            resource_arns=[runs],
        )
