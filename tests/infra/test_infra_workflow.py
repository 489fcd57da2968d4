"""Workflow: the state machines AWS runs are the ones the local stack runs, and nothing is lost."""

from __future__ import annotations

import json
from typing import Any

from infra.constructs.workflow import machine_id
from motcua import asl
from motcua.resources import ROUTING_QUEUE
from tests.infra.support import Synthesized, flatten


def _workflow(synthesized: Synthesized) -> Any:
    return synthesized.stage.platform.node.find_child("Workflow")


def test_each_procedure_with_a_flow_has_the_definition_the_local_stack_runs(synthesized: Synthesized) -> None:
    flows = [p for p in synthesized.province.province.procedures if p.flow is not None]
    queue = synthesized.logical_id(_workflow(synthesized).queue)
    machines = synthesized.of_type("AWS::StepFunctions::StateMachine")

    assert len(machines) == len(flows) + 1 >= 2  # and the recount's (test_infra_recount.py)
    for procedure in flows:
        machine = machines[
            synthesized.logical_id(_workflow(synthesized).node.find_child(machine_id(procedure.code)))
        ]
        props = machine["Properties"]
        # The same document, with the queue left as a substitution CloudFormation fills in.
        assert json.loads(props["DefinitionString"]) == asl.definition(procedure)
        assert asl.QUEUE_URL in props["DefinitionString"]
        assert props["DefinitionSubstitutions"] == {asl.QUEUE_SUBSTITUTION: {"Ref": queue}}
        assert props["StateMachineType"] == "STANDARD"
        assert "StateMachineName" not in props


def test_every_execution_is_logged_and_traced_without_its_task_tokens(synthesized: Synthesized) -> None:
    log_groups = synthesized.of_type("AWS::Logs::LogGroup")

    for machine in synthesized.of_type("AWS::StepFunctions::StateMachine").values():
        logging = machine["Properties"]["LoggingConfiguration"]
        assert logging["Level"] == "ALL"
        # Inputs and outputs carry task tokens (whoever reads one can answer the step): not logged.
        assert logging["IncludeExecutionData"] is False
        target = logging["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]
        assert target["Fn::GetAtt"][0] in log_groups
        assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}


def test_state_machines_may_write_to_the_routing_queue(synthesized: Synthesized) -> None:
    queue = synthesized.logical_id(_workflow(synthesized).queue)

    for flow in _workflow(synthesized).state_machines.values():  # the flows' (not the recount's)
        machine = synthesized.resources[synthesized.logical_id(flow)]
        role = machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]
        assert ("sqs:SendMessage", {"Fn::GetAtt": [queue, "Arn"]}) in synthesized.allowed(role)


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
    routing_id = synthesized.logical_id(wf.function)
    (mapping,) = [
        m
        for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": routing_id}
    ]
    routing = synthesized.resources[routing_id]["Properties"]

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
        allowed = synthesized.allowed(synthesized.role_of(function))
        machines = json.loads(flatten(props["Environment"]["Variables"]["MOTCUA_STATE_MACHINES"]))
        assert machines == {code: f"<{synthesized.logical_id(m)}>" for code, m in wf.state_machines.items()}
        for code, machine in wf.state_machines.items():
            arn = {"Ref": synthesized.logical_id(machine)}
            for action in ("states:StartExecution", "states:SendTaskSuccess", "states:SendTaskFailure"):
                assert (action, arn) in allowed, (function.node.path, action, code)
