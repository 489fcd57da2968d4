"""The state machine (Amazon States Language) of a procedure's flow: one definition, on AWS and locally.

Each stage is a Parallel state with one branch per agency step, so that a rejection in one branch
stops the others (Step Functions cancels them) and every stage looks the same. A step sends the
routing queue a message with its task token and waits (`sqs:sendMessage.waitForTaskToken`) until an
officer decides; its output says what came of it. Every wait has a TimeoutSeconds and every timeout
is handled: a step that runs out of time is escalated and waits once more, then the flow stops and
hands the dossier back to the receiving agency. Nothing waits forever; no dossier is lost.

The routing queue's URL is written `${RoutingQueueUrl}`: the CDK app passes it as a definition
substitution, the local stack replaces it the same way before creating the machine.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from motcua.domain.flows import hard_timeout_seconds

if TYPE_CHECKING:
    from motcua.domain.catalog import Procedure
    from motcua.domain.flows import Flow

QUEUE_URL = "${RoutingQueueUrl}"
QUEUE_SUBSTITUTION = "RoutingQueueUrl"
# How long a dossier may wait for the papers a step asked for before the flow stops (calendar days).
CITIZEN_ANSWER_DAYS = 60

# Errors a step raises to end the whole flow, caught on every stage.
REJECTED = "Rejected"
STALLED = "Stalled"
ABANDONED = "Abandoned"

# What routing receives (MessageBody.kind).
STEP = "step"
STEP_OVERDUE = "step_overdue"
AWAIT_CITIZEN = "await_citizen"
FLOW_DONE = "flow_done"
FLOW_REJECTED = "flow_rejected"
FLOW_STALLED = "flow_stalled"
FLOW_ABANDONED = "flow_abandoned"
FLOW_FAILED = "flow_failed"

_SEND_RETRY = [
    {
        "ErrorEquals": ["States.TaskFailed", "SQS.SdkClientException", "SQS.AmazonSQSException"],
        "IntervalSeconds": 2,
        "MaxAttempts": 6,
        "BackoffRate": 2.0,
    }
]


def state_machine_name(prefix: str, procedure_code: str) -> str:
    """A name Step Functions accepts ([A-Za-z0-9-_], at most 80), one per procedure with a flow."""
    return f"{prefix}-flow-{re.sub(r'[^A-Za-z0-9]', '-', procedure_code)}"[:80]


def execution_name(dossier_code: str, attempt: int = 0) -> str:
    """One execution per dossier and attempt: starting it twice with this name is a no-op."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", dossier_code)
    return (name if attempt == 0 else f"{name}-r{attempt}")[:80]


def completed_key(stage: int, step: int) -> str:
    """How a step already decided is named in the input of a flow started again (`completed`)."""
    return f"s{stage}_{step}"


def definition(procedure: Procedure, *, seconds_per_day: float = 86_400) -> dict[str, Any]:
    """The ASL definition of `procedure`'s flow (`seconds_per_day` shrinks every wait, for rehearsals)."""
    if procedure.flow is None:
        raise ValueError(f"procedure {procedure.code} has no flow")
    return _flow(procedure.code, procedure.flow, seconds_per_day)


def _flow(procedure_code: str, flow: Flow, day: float) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i, stage in enumerate(flow.stages, start=1):
        after = f"Stage{i + 1}" if i < len(flow.stages) else "FlowDone"
        states[f"Stage{i}"] = {
            "Type": "Parallel",
            "Comment": f"Stage {i}: " + ", ".join(step.agency for step in stage.steps),
            "Branches": [_step_branch(i, j, step.days, day) for j, step in enumerate(stage.steps, start=1)],
            "ResultPath": None,
            "Catch": [
                {"ErrorEquals": [REJECTED], "ResultPath": "$.failure", "Next": "FlowRejected"},
                {"ErrorEquals": [STALLED], "ResultPath": "$.failure", "Next": "FlowStalled"},
                {"ErrorEquals": [ABANDONED], "ResultPath": "$.failure", "Next": "FlowAbandoned"},
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "FlowFailed"},
            ],
            "Next": after,
        }
    states["FlowDone"] = _notify(FLOW_DONE, "Done")
    states["FlowRejected"] = _notify(FLOW_REJECTED, "Rejected", failure=True)
    states["FlowAbandoned"] = _notify(FLOW_ABANDONED, "Abandoned", failure=True)
    states["FlowStalled"] = _notify(FLOW_STALLED, "Stalled", failure=True)
    states["FlowFailed"] = _notify(FLOW_FAILED, "Failed", failure=True)
    states["Done"] = {"Type": "Succeed"}
    states["Rejected"] = {"Type": "Succeed", "Comment": "An agency rejected: a decision, not an error."}
    states["Abandoned"] = {"Type": "Succeed", "Comment": "The papers asked for never came."}
    states["Stalled"] = {"Type": "Fail", "Error": STALLED, "Cause": "A step ran out of time twice."}
    states["Failed"] = {"Type": "Fail", "Error": "FlowFailed", "Cause": "Unexpected error; see history."}
    return {
        "Comment": f"Inter-agency flow of procedure {procedure_code} (một cửa liên thông)",
        "StartAt": "Stage1",
        "TimeoutSeconds": sum(hard_timeout_seconds(s.days, seconds_per_day=day) * 2 for s in flow.stages)
        + round(CITIZEN_ANSWER_DAYS * day),
        "States": states,
    }


def _step_branch(stage: int, step: int, days: int, day: float) -> dict[str, Any]:
    name = f"Stage{stage}Step{step}"
    wait = hard_timeout_seconds(days, seconds_per_day=day)
    return {
        "StartAt": f"{name}Done",
        "States": {
            # A flow started again (after a stall, or a local restart) skips the steps already decided.
            f"{name}Done": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Variable": f"$.completed.{completed_key(stage, step)}",
                        "IsPresent": True,
                        "Next": f"{name}Approved",
                    }
                ],
                "Default": name,
            },
            name: _wait(STEP, stage, step, wait, then=f"{name}Outcome", timeout=f"{name}Overdue"),
            f"{name}Overdue": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": QUEUE_URL, "MessageBody": _body(STEP_OVERDUE, stage, step)},
                "ResultPath": None,
                "Retry": _SEND_RETRY,
                "Next": f"{name}Escalated",
            },
            f"{name}Escalated": _wait(
                STEP, stage, step, wait, then=f"{name}Outcome", timeout=f"{name}Stalled"
            ),
            f"{name}Outcome": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.outcome.outcome", "StringEquals": "papers", "Next": f"{name}AwaitCitizen"}
                ],
                "Default": f"{name}Approved",
            },
            f"{name}AwaitCitizen": _wait(
                AWAIT_CITIZEN,
                stage,
                step,
                max(1, round(CITIZEN_ANSWER_DAYS * day)),
                then=name,
                timeout=f"{name}Abandoned",
            ),
            f"{name}Approved": {"Type": "Succeed"},
            f"{name}Stalled": {"Type": "Fail", "Error": STALLED, "Cause": f"stage {stage} step {step}"},
            f"{name}Abandoned": {"Type": "Fail", "Error": ABANDONED, "Cause": f"stage {stage} step {step}"},
        },
    }


def _wait(kind: str, stage: int, step: int, seconds: int, *, then: str, timeout: str) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {
            "QueueUrl": QUEUE_URL,
            "MessageBody": _body(kind, stage, step) | {"token.$": "$$.Task.Token"},
        },
        "TimeoutSeconds": seconds,
        "ResultPath": "$.outcome",
        "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": timeout}],
        "Next": then,
    }


def _body(kind: str, stage: int | None = None, step: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": kind,
        "dossier_code.$": "$.dossier_code",
        "execution.$": "$$.Execution.Id",
    }
    if stage is not None:
        body |= {"stage": stage, "step": step}
    return body


def _notify(kind: str, then: str, *, failure: bool = False) -> dict[str, Any]:
    body = _body(kind)
    if failure:
        body["failure.$"] = "$.failure"
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": QUEUE_URL, "MessageBody": body},
        "ResultPath": None,
        "Retry": _SEND_RETRY,
        "Next": then,
    }


def substitute(document: dict[str, Any], substitutions: dict[str, str]) -> str:
    """The definition as JSON with `${Name}` replaced, as CloudFormation's DefinitionSubstitutions does."""
    import json

    text = json.dumps(document, ensure_ascii=False)
    for name, value in substitutions.items():
        text = text.replace("${" + name + "}", value)
    return text
