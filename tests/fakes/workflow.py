"""An in-memory flow engine (Workflow) that runs a flow as motcua.asl's state machine does.

Map to the definition (`motcua.asl.definition`):
- `start` is StartExecution named `execution_name(dossier, attempt)`: a name used once is never run
  again (ExecutionAlreadyExists, swallowed by the adapter). The input's `completed` is the branches'
  `StageIStepJDone` Choice: those steps go straight to `Approved`; a stage all completed passes at once.
- Stage I is the Parallel state: one `step` message (a new token) per branch still to run, in step
  order; the stage ends when every branch is `Approved`, then Stage I+1 starts, and after the last
  the `FlowDone` state sends `flow_done`.
- `succeed` on a step's token is `StageIStepJOutcome`: `{"outcome": "papers"}` goes to `AwaitCitizen`
  (an `await_citizen` message, a new token), any other outcome to `Approved`. `succeed` on an
  `await_citizen` token goes back to the step's first wait (a new `step` message, escalation forgotten).
- `fail` is SendTaskFailure: the branch fails, the Parallel's Catch picks the end by the error's name
  (Rejected, Stalled, Abandoned, anything else: Failed), sends `flow_<end>` with `failure` =
  {"Error", "Cause"} and ends the execution (SUCCEEDED after rejected/abandoned, FAILED otherwise);
  every other token of the execution is no longer waited for, as Step Functions cancels the branches.
- `time_out` is a wait's TimeoutSeconds: a step's first wait sends `step_overdue` then waits again
  (`StageIStepJEscalated`, a new `step` message); the escalated wait ends the flow as Stalled (Cause
  "stage I step J"); an `await_citizen` wait ends it as Abandoned.

Where it differs:
- Messages go on one FIFO list exactly once, synchronously; SQS delivers at least once, in any order,
  and parallel branches send theirs in no fixed order. Append a copy to `messages` to test a repeat.
- An answer to a step without an `outcome` key: on Step Functions the Choice reads a missing path,
  a States.Runtime error that no Catch takes, and the execution fails without a message. The fake
  refuses that answer with UnmodelledAnswer instead, since the platform never sends it.
- The execution's own TimeoutSeconds (TIMED_OUT, no message) and the send retries are not modelled;
  an empty Cause is sent as "", where Step Functions may leave the key out.
"""

from __future__ import annotations

import itertools
import json
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from motcua import asl
from motcua.domain.ports import Workflow
from motcua.services.coordinator import FlowMessage

if TYPE_CHECKING:
    from collections.abc import Callable

    from motcua.config.province import Province
    from motcua.domain.flows import Flow

RUNNING, SUCCEEDED, FAILED, ABORTED = "RUNNING", "SUCCEEDED", "FAILED", "ABORTED"
# Which end each error of a branch reaches (the stage's Catch, in order), and how the execution ends.
_ENDS = {
    asl.REJECTED: (asl.FLOW_REJECTED, SUCCEEDED),
    asl.STALLED: (asl.FLOW_STALLED, FAILED),
    asl.ABANDONED: (asl.FLOW_ABANDONED, SUCCEEDED),
}
_OTHERWISE = (asl.FLOW_FAILED, FAILED)


class UnmodelledAnswer(ValueError):
    """An answer whose effect on Step Functions the fake does not reproduce (see the module docstring)."""


@dataclass(frozen=True, slots=True)
class Waiting:
    """A task token the flow waits for: a step (first wait or escalated) or the citizen's papers."""

    token: str
    kind: str  # "step" | "await_citizen"
    dossier_code: str
    stage: int
    step: int
    escalated: bool
    execution: str


@dataclass(slots=True)
class _Execution:
    arn: str
    dossier_code: str
    flow: Flow
    completed: frozenset[tuple[int, int]]
    status: str = RUNNING
    stage: int = 0
    running: set[int] = field(default_factory=set)  # the current stage's branches not yet Approved


class InMemoryWorkflow:
    """Implements Workflow: one execution per dossier and attempt, talking through `messages`."""

    def __init__(
        self,
        province: Province,
        *,
        prefix: str | None = None,
        region: str = "ap-southeast-1",
        account: str = "123456789012",
    ) -> None:
        self.province = province
        self.prefix = prefix or f"motcua-{province.id}"
        self.region = region
        self.account = account
        # The routing queue: message bodies as the state machine sends them.
        self.messages: deque[dict[str, Any]] = deque()
        self.delivered: list[dict[str, Any]] = []  # every message drained, in order
        self._executions: dict[str, _Execution] = {}  # by ARN
        self._waits: dict[str, Waiting] = {}
        self._tokens = itertools.count(1)

    # --- Workflow -------------------------------------------------------------------------------

    def start(
        self,
        procedure_code: str,
        dossier_code: str,
        *,
        completed: tuple[tuple[int, int], ...] = (),
        attempt: int = 0,
    ) -> None:
        procedure = self.province.procedures_by_code.get(procedure_code)
        if procedure is None or procedure.flow is None:
            raise LookupError(f"no state machine is deployed for procedure {procedure_code}")
        arn = self.execution_arn(procedure_code, dossier_code, attempt)
        if arn in self._executions:
            return  # ExecutionAlreadyExists: the attempt runs once
        execution = _Execution(arn, dossier_code, procedure.flow, frozenset(completed))
        self._executions[arn] = execution
        self._enter(execution, 1)

    def succeed(self, token: str, output: dict[str, Any]) -> bool:
        wait = self._waits.get(token)
        if wait is None:
            return False
        json.dumps(output)  # what SendTaskSuccess accepts: JSON
        if wait.kind == asl.STEP and "outcome" not in output:
            raise UnmodelledAnswer(f"a step's answer without an outcome fails the execution: {output}")
        del self._waits[token]
        execution = self._executions[wait.execution]
        if wait.kind == asl.AWAIT_CITIZEN:
            self._wait(execution, asl.STEP, wait.stage, wait.step)
        elif output["outcome"] == "papers":
            self._wait(execution, asl.AWAIT_CITIZEN, wait.stage, wait.step)
        else:
            execution.running.discard(wait.step)
            if not execution.running:
                self._enter(execution, wait.stage + 1)
        return True

    def fail(self, token: str, error: str, cause: str) -> bool:
        wait = self._waits.get(token)
        if wait is None:
            return False
        self._end(self._executions[wait.execution], error, cause[:32_000])
        return True

    # --- test hooks -----------------------------------------------------------------------------

    def drain(self, handle: Callable[[FlowMessage], object], *, limit: int = 10_000) -> int:
        """Hand every queued message to `handle` (routing's `handle`), in order, until none is left;
        what `handle` causes is delivered too. A message whose handling raises stays at the head of
        the queue, as SQS would deliver it again. Returns how many were delivered."""
        delivered = 0
        while self.messages:
            if delivered >= limit:
                raise RuntimeError(f"the flows sent more than {limit} messages: a loop?")
            # Through JSON, as the routing Lambda reads an SQS record's body.
            handle(FlowMessage.model_validate_json(json.dumps(self.messages[0])))
            self.delivered.append(self.messages.popleft())
            delivered += 1
        return delivered

    def time_out(self, token: str) -> bool:
        """The wait for `token` runs out of time, as its TimeoutSeconds would; False if not waited for."""
        wait = self._waits.pop(token, None)
        if wait is None:
            return False
        execution = self._executions[wait.execution]
        where = f"stage {wait.stage} step {wait.step}"
        if wait.kind == asl.AWAIT_CITIZEN:
            self._end(execution, asl.ABANDONED, where)
        elif wait.escalated:
            self._end(execution, asl.STALLED, where)
        else:
            self._send(execution, asl.STEP_OVERDUE, stage=wait.stage, step=wait.step)
            self._wait(execution, asl.STEP, wait.stage, wait.step, escalated=True)
        return True

    def stop(self, dossier_code: str, attempt: int = 0) -> None:
        """StopExecution (the execution is lost): no message, no token waited for any more."""
        execution = self._find(dossier_code, attempt)
        self._forget(execution)
        execution.status = ABORTED

    def status(self, dossier_code: str, attempt: int = 0) -> str:
        """RUNNING, SUCCEEDED, FAILED or ABORTED, as DescribeExecution says."""
        return self._find(dossier_code, attempt).status

    def waiting(self, dossier_code: str | None = None) -> list[Waiting]:
        """The tokens waited for, of one dossier or of all, oldest first."""
        return [w for w in self._waits.values() if dossier_code in (None, w.dossier_code)]

    def execution_arn(self, procedure_code: str, dossier_code: str, attempt: int = 0) -> str:
        machine = asl.state_machine_name(self.prefix, procedure_code)
        name = asl.execution_name(dossier_code, attempt)
        return f"arn:aws:states:{self.region}:{self.account}:execution:{machine}:{name}"

    # --- the state machine ----------------------------------------------------------------------

    def _enter(self, execution: _Execution, stage: int) -> None:
        """Stage `stage` (1-based) starts; a stage whose steps were all decided passes at once."""
        stages = execution.flow.stages
        while stage <= len(stages):
            steps = {
                j for j in range(1, len(stages[stage - 1].steps) + 1) if (stage, j) not in execution.completed
            }
            if steps:
                execution.stage, execution.running = stage, steps
                for j in sorted(steps):
                    self._wait(execution, asl.STEP, stage, j)
                return
            stage += 1
        self._send(execution, asl.FLOW_DONE)
        execution.status = SUCCEEDED

    def _wait(
        self, execution: _Execution, kind: str, stage: int, step: int, *, escalated: bool = False
    ) -> None:
        token = f"fake-token-{next(self._tokens)}"
        self._waits[token] = Waiting(
            token, kind, execution.dossier_code, stage, step, escalated, execution.arn
        )
        self._send(execution, kind, stage=stage, step=step, token=token)

    def _end(self, execution: _Execution, error: str, cause: str) -> None:
        kind, status = _ENDS.get(error, _OTHERWISE)
        self._forget(execution)
        self._send(execution, kind, failure={"Error": error, "Cause": cause})
        execution.status = status

    def _forget(self, execution: _Execution) -> None:
        for token in [t for t, w in self._waits.items() if w.execution == execution.arn]:
            del self._waits[token]
        execution.running = set()

    def _send(self, execution: _Execution, kind: str, **fields: Any) -> None:
        self.messages.append(
            {"kind": kind, "dossier_code": execution.dossier_code, "execution": execution.arn} | fields
        )

    def _find(self, dossier_code: str, attempt: int) -> _Execution:
        name = asl.execution_name(dossier_code, attempt)
        for arn, execution in self._executions.items():
            if arn.endswith(f":{name}") and execution.dossier_code == dossier_code:
                return execution
        raise LookupError(f"no execution {name}")


def _conforms(province: Province) -> Workflow:
    return InMemoryWorkflow(province)
