"""Workflow: one Step Functions (Standard) state machine per procedure with a flow, the routing queue
they write to (with its dead-letter queue), and the routing function that turns messages into tasks.

Each machine's definition is `motcua.asl.definition(procedure)`, the very document the local
stack runs, with the routing queue's URL given as the `RoutingQueueUrl` definition substitution.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from aws_cdk import Duration, Stack
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.queues import consumer_timeout, queue_with_dead_letters
from infra.constructs.runtime import LOG_RETENTION
from motcua import asl

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_lambda as lambda_

    from infra.constructs.runtime import Runtime
    from motcua.domain.catalog import Procedure
    from motcua.resources import QueueSpec

BATCH_SIZE = 10


def machine_id(procedure_code: str) -> str:
    """The construct id of a procedure's state machine (`Flow2001610` for 2.001610)."""
    return "Flow" + re.sub(r"[^A-Za-z0-9]", "", procedure_code)


class Workflow(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        queue: QueueSpec,
        procedures: Sequence[Procedure],
        runtime: Runtime,
        environment: Mapping[str, str],
    ) -> None:
        super().__init__(scope, id)
        self.queue, self.dead_letter_queue = queue_with_dead_letters(self, "Routing", queue)
        self.logs = logs.LogGroup(self, "FlowLogs", retention=LOG_RETENTION)
        self.state_machines: dict[str, sfn.StateMachine] = {}
        for procedure in procedures:
            if procedure.flow is None:
                continue
            machine = sfn.StateMachine(
                self,
                machine_id(procedure.code),
                comment=f"Flow of procedure {procedure.code}",
                state_machine_type=sfn.StateMachineType.STANDARD,
                definition_body=sfn.DefinitionBody.from_string(
                    json.dumps(asl.definition(procedure), ensure_ascii=False)
                ),
                definition_substitutions={asl.QUEUE_SUBSTITUTION: self.queue.queue_url},
                # Every event, but not its input and output: those carry task tokens (anyone who
                # reads one could answer the step) and citizens' data. docs/operations.md (9.1)
                # says how to turn them on for a while to debug.
                logs=sfn.LogOptions(
                    destination=self.logs, level=sfn.LogLevel.ALL, include_execution_data=False
                ),
                tracing_enabled=True,
            )
            self.queue.grant_send_messages(machine)
            self.state_machines[procedure.code] = machine

        self.function: lambda_.Function = runtime.function(
            self,
            "Routing",
            name="routing",
            description="motcua routing: flow messages become agencies' tasks",
            environment={**environment, **self.environment()},
            timeout=consumer_timeout(queue),
        )
        self.function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=BATCH_SIZE,
                max_batching_window=Duration.seconds(1),
                report_batch_item_failures=True,
            )
        )
        self.grant_flows(self.function)

    def environment(self) -> dict[str, str]:
        """MOTCUA_STATE_MACHINES: procedure code -> ARN of its state machine, as JSON."""
        arns = {code: machine.state_machine_arn for code, machine in self.state_machines.items()}
        return {"MOTCUA_STATE_MACHINES": Stack.of(self).to_json_string(arns)}

    def grant_flows(self, grantee: iam.IGrantable) -> None:
        """Start a dossier's flow and answer its steps' task tokens, on every flow's machine."""
        for machine in self.state_machines.values():
            machine.grant_start_execution(grantee)
            machine.grant_task_response(grantee)
