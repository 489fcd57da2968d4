"""Flows on AWS Step Functions: one state machine per procedure with a flow, one execution per dossier."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from motcua.asl import completed_key, execution_name

# The token was answered already, timed out, or its execution ended: nothing waits for it.
_GONE = {"TaskDoesNotExist", "TaskTimedOut", "InvalidToken"}


class StepFunctionsWorkflow:
    """Implements Workflow."""

    def __init__(self, client: Any, state_machines: dict[str, str]) -> None:
        self.client = client
        self.state_machines = state_machines  # procedure code -> state machine ARN

    def start(
        self,
        procedure_code: str,
        dossier_code: str,
        *,
        completed: tuple[tuple[int, int], ...] = (),
        attempt: int = 0,
    ) -> None:
        arn = self.state_machines.get(procedure_code)
        if arn is None:
            raise LookupError(f"no state machine is deployed for procedure {procedure_code}")
        try:
            self.client.start_execution(
                stateMachineArn=arn,
                name=execution_name(dossier_code, attempt),
                input=json.dumps(
                    {
                        "dossier_code": dossier_code,
                        "procedure_code": procedure_code,
                        "completed": {completed_key(stage, step): True for stage, step in completed},
                    }
                ),
            )
        except ClientError as error:
            # Same name, same input: Step Functions says it exists; the flow is already running.
            if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise

    def succeed(self, token: str, output: dict[str, Any]) -> bool:
        return self._answer(self.client.send_task_success, taskToken=token, output=json.dumps(output))

    def fail(self, token: str, error: str, cause: str) -> bool:
        return self._answer(self.client.send_task_failure, taskToken=token, error=error, cause=cause[:32_000])

    @staticmethod
    def _answer(call: Any, **kwargs: Any) -> bool:
        try:
            call(**kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] in _GONE:
                return False
            raise
        return True
