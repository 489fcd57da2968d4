"""Workflow: the state machines AWS runs are the ones the local stack runs, and nothing is lost."""

from __future__ import annotations

import json
from typing import Any

from infra.constructs.workflow import machine_id
from motcua import workflow
from motcua.resources import ROUTING_QUEUE
from tests.infra.support import Synthesized


def _workflow(synthesized: Synthesized) -> Any:
    return synthesized.stage.platform.node.find_child("Workflow")


def test_each_procedure_with_a_flow_has_the_definition_the_local_stack_runs(synthesized: Synthesized) -> None:
    flows = [p for p in synthesized.province.province.procedures if p.flow is not None]
    queue = synthesized.logical_id(_workflow(synthesized).queue)
    machines = synthesized.of_type("AWS::StepFunctions::StateMachine")

    assert len(machines) == len(flows) >= 1
    for procedure in flows:
        machine = machines[
            synthesized.logical_id(_workflow(synthesized).node.find_child(machine_id(procedure.code)))
        ]
        props = machine["Properties"]
        # The same document, with the queue left as a substitution CloudFormation fills in.
        assert json.loads(props["DefinitionString"]) == workflow.definition(procedure)
        assert workflow.QUEUE_URL in props["DefinitionString"]
        assert props["DefinitionSubstitutions"] == {workflow.QUEUE_SUBSTITUTION: {"Ref": queue}}
        assert props["StateMachineType"] == "STANDARD"
        assert "StateMachineName" not in props


def test_every_execution_is_logged_in_full_and_traced(synthesized: Synthesized) -> None:
    log_groups = synthesized.of_type("AWS::Logs::LogGroup")

    for machine in synthesized.of_type("AWS::StepFunctions::StateMachine").values():
        logging = machine["Properties"]["LoggingConfiguration"]
        assert logging["Level"] == "ALL"
        assert logging["IncludeExecutionData"] is True
        target = logging["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]
        assert target["Fn::GetAtt"][0] in log_groups
        assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}


def test_state_machines_may_write_to_the_routing_queue(synthesized: Synthesized) -> None:
    queue = synthesized.logical_id(_workflow(synthesized).queue)

    for machine in synthesized.of_type("AWS::StepFunctions::StateMachine").values():
        role = machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]
        assert ("sqs:SendMessage", {"Fn::GetAtt": [queue, "Arn"]}) in _allowed(synthesized, role)


def test_the_routing_queue_is_encrypted_and_sends_poison_messages_to_its_dlq(
    synthesized: Synthesized,
) -> None:
    wf = _workflow(synthesized)
    queue = synthesized.resources[synthesized.logical_id(wf.queue)]["Properties"]
    dlq_id = synthesized.logical_id(wf.dead_letter_queue)
    dlq = synthesized.resources[dlq_id]["Properties"]

    assert queue["SqsManagedSseEnabled"] is True and dlq["SqsManagedSseEnabled"] is True
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": ROUTING_QUEUE.max_receives,
    }
    assert queue["VisibilityTimeout"] == ROUTING_QUEUE.visibility_timeout
    assert dlq["MessageRetentionPeriod"] == ROUTING_QUEUE.dlq_retention_days * 86_400


def test_routing_reports_partial_batch_failures(synthesized: Synthesized) -> None:
    wf = _workflow(synthesized)
    _, mapping = synthesized.one("AWS::Lambda::EventSourceMapping")
    routing = synthesized.resources[synthesized.logical_id(wf.function)]["Properties"]

    assert mapping["Properties"]["EventSourceArn"] == {
        "Fn::GetAtt": [synthesized.logical_id(wf.queue), "Arn"]
    }
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert routing["Handler"] == "app.handler"
    assert routing["Timeout"] <= ROUTING_QUEUE.visibility_timeout


def test_the_api_and_routing_start_flows_and_answer_their_steps(synthesized: Synthesized) -> None:
    platform = synthesized.stage.platform
    wf = _workflow(synthesized)
    functions = [platform.node.find_child("Api").function, wf.function]

    for function in functions:
        props = synthesized.resources[synthesized.logical_id(function)]["Properties"]
        role = props["Role"]["Fn::GetAtt"][0]
        allowed = _allowed(synthesized, role)
        machines = json.loads(_flatten(props["Environment"]["Variables"]["MOTCUA_STATE_MACHINES"]))
        assert machines == {code: f"<{synthesized.logical_id(m)}>" for code, m in wf.state_machines.items()}
        for code, machine in wf.state_machines.items():
            arn = {"Ref": synthesized.logical_id(machine)}
            for action in ("states:StartExecution", "states:SendTaskSuccess", "states:SendTaskFailure"):
                assert (action, arn) in allowed, (function.node.path, action, code)


def _flatten(value: Any) -> str:
    """A CloudFormation string with each Ref written <LogicalId>."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_flatten(part) for part in parts)
    return f"<{value['Ref']}>"


def _allowed(synthesized: Synthesized, role: str) -> list[tuple[str, Any]]:
    """(action, resource) pairs the role's policies allow."""
    pairs = []
    for policy in synthesized.of_type("AWS::IAM::Policy").values():
        if {"Ref": role} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            pairs += [(action, resource) for action in actions for resource in resources]
    return pairs
