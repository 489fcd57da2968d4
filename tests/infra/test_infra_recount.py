"""The recount's state machine and function (infra/constructs/recount.py): the definition AWS runs
(export, wait loop, distributed map over the export's manifest, reduce, replay), its retries, and the
least privilege of both roles."""

from __future__ import annotations

import json
from typing import Any

from recount.app import STEPS

from infra.constructs.recount import BUCKET, FUNCTION, LAMBDA_ERRORS, MAX_CONCURRENCY, PREFIX, definition
from motcua.resources import STATS_PREFIX, STATS_RECORD_PREFIX
from tests.infra.support import Synthesized, as_list, flatten


def _recount(synthesized: Synthesized) -> Any:
    return synthesized.stage.platform.node.find_child("Recount")


def _machine(synthesized: Synthesized) -> dict[str, Any]:
    machine = _recount(synthesized).state_machine
    return dict(synthesized.resources[synthesized.logical_id(machine)]["Properties"])


def test_the_machine_exports_waits_sums_each_data_file_writes_and_replays(synthesized: Synthesized) -> None:
    props = _machine(synthesized)
    document = json.loads(props["DefinitionString"])
    states = document["States"]

    assert document == definition()
    assert props["DefinitionSubstitutions"] == {
        FUNCTION: {"Fn::GetAtt": [synthesized.logical_id(_recount(synthesized).function), "Arn"]},
        BUCKET: {"Ref": synthesized.logical_id(_recount(synthesized).bucket)},
    }
    # The path of a run, state by state.
    path, state = [], document["StartAt"]
    while state:
        path.append(state)
        here = states[state]
        if here["Type"] == "Choice":
            ahead = [c["Next"] for c in here["Choices"]]
            state = ahead[0]
        else:
            state = here.get("Next")
    assert path == [
        "PauseConsumer",
        "LetTheConsumerFinish",
        "ExportTable",
        "WaitForExport",
        "DescribeExport",
        "ExportDone",
        "SumDataFiles",
        "WriteCounters",
        "ReplayAfterExport",
        "Drained",
        "ResumeConsumer",
    ]
    assert states["ExportDone"]["Default"] == "WaitForExport"  # the wait loop
    assert states["Drained"]["Default"] == "ReplayAfterExport"  # the replay goes on until drained
    payloads = {name: s["Parameters"]["Payload"]["step"] for name, s in states.items() if s["Type"] == "Task"}
    assert payloads == {
        "PauseConsumer": "pause",
        "ExportTable": "start",
        "DescribeExport": "poll",
        "WriteCounters": "reduce",
        "ReplayAfterExport": "replay",
        "ResumeConsumer": "resume",
        "ResumeAfterFailure": "resume",
    }
    assert {*payloads.values(), "sum"} == set(STEPS)  # each one a step the function has
    # T: the second before the export step began, the same when its call is retried
    assert states["ExportTable"]["Parameters"]["Payload"]["at.$"] == "$$.State.EnteredTime"


def test_the_distributed_map_reads_the_manifest_and_writes_its_results_under_the_prefix(
    synthesized: Synthesized,
) -> None:
    summing = json.loads(_machine(synthesized)["DefinitionString"])["States"]["SumDataFiles"]

    assert summing["ItemProcessor"]["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    assert summing["ItemReader"] == {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSONL"},
        "Parameters": {"Bucket": f"${{{BUCKET}}}", "Key.$": "$.poll.answer.manifest"},
    }
    assert summing["ItemSelector"]["data_file.$"] == "$$.Map.Item.Value.dataFileS3Key"
    (child,) = summing["ItemProcessor"]["States"].values()
    assert child["Parameters"]["Payload"]["step"] == "sum"
    assert summing["MaxConcurrency"] == MAX_CONCURRENCY
    assert summing["ToleratedFailurePercentage"] == 0
    assert summing["ResultWriter"]["Resource"] == "arn:aws:states:::s3:putObject"
    assert summing["ResultWriter"]["Parameters"]["Prefix"].startswith(PREFIX)


def test_every_call_retries_lambdas_transient_errors_and_a_failure_resumes_the_consumer(
    synthesized: Synthesized,
) -> None:
    document = json.loads(_machine(synthesized)["DefinitionString"])
    states = document["States"]
    tasks = {name: s for name, s in states.items() if s["Type"] == "Task"}
    tasks["SumDataFile"] = states["SumDataFiles"]["ItemProcessor"]["States"]["SumDataFile"]

    for name, task in tasks.items():
        assert task["Retry"][0]["ErrorEquals"] == LAMBDA_ERRORS, name
    # The steps that can run again unharmed are retried on a failure too.
    for name in ("SumDataFile", "WriteCounters", "ReplayAfterExport"):
        assert "States.TaskFailed" in [e for r in tasks[name]["Retry"] for e in r["ErrorEquals"]], name
    caught = {name for name, s in states.items() if s.get("Catch")}
    assert caught == {"ExportTable", "DescribeExport", "SumDataFiles", "WriteCounters", "ReplayAfterExport"}
    assert all(s["Catch"][0]["Next"] == "ResumeAfterFailure" for n, s in states.items() if n in caught)
    assert states["ExportFailed"]["Next"] == "ResumeAfterFailure"
    assert states["ResumeAfterFailure"]["Next"] == "Failed"


def test_the_function_may_export_the_table_and_write_the_counters_and_nothing_else(
    synthesized: Synthesized,
) -> None:
    recount = _recount(synthesized)
    role = synthesized.role_of(recount.function)
    table, _ = synthesized.one("AWS::DynamoDB::Table")
    bucket = synthesized.logical_id(recount.bucket)
    actions = {action: flatten(resource) for action, resource in synthesized.allowed(role)}

    assert actions["dynamodb:ExportTableToPointInTime"] == f"<{table}.Arn>"
    assert actions["dynamodb:DescribeExport"] == f"<{table}.Arn>/export/*"
    for action in ("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"):
        assert actions[action] == f"<{bucket}.Arn>/{PREFIX}*", action
    assert not {"dynamodb:Scan", "dynamodb:GetItem", "dynamodb:Query", "s3:DeleteObject"} & set(actions)
    assert not [
        a for a in actions if a.startswith(("lambda:", "states:")) and a != "lambda:UpdateEventSourceMapping"
    ]
    statements = synthesized.statements(role)
    (writes,) = [s for s in statements if "dynamodb:PutItem" in as_list(s["Action"])]
    assert writes["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{STATS_PREFIX}*", f"{STATS_RECORD_PREFIX}*"]}
    }
    (deletes,) = [s for s in statements if "dynamodb:DeleteItem" in as_list(s["Action"])]
    assert deletes["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{STATS_PREFIX}*"]}}
    # It pauses and resumes the stats consumer's mapping, and that one only.
    mapping = synthesized.stage.platform.node.find_child("Statistics")
    (mapping_id,) = [
        name
        for name, m in synthesized.of_type("AWS::Lambda::EventSourceMapping").items()
        if m["Properties"]["FunctionName"] == {"Ref": synthesized.logical_id(mapping.function)}
    ]
    assert "lambda:UpdateEventSourceMapping" in actions
    assert mapping_id in actions["lambda:UpdateEventSourceMapping"]
    environment = synthesized.resources[synthesized.logical_id(recount.function)]["Properties"]["Environment"]
    assert environment["Variables"]["MOTCUA_STATS_MAPPING"] == {"Ref": mapping_id}


def test_the_machine_invokes_the_function_and_starts_only_its_own_children(synthesized: Synthesized) -> None:
    recount = _recount(synthesized)
    role = _machine(synthesized)["RoleArn"]["Fn::GetAtt"][0]
    function = synthesized.logical_id(recount.function)
    allowed = [(action, flatten(resource)) for action, resource in synthesized.allowed(role)]

    invoked = {resource for action, resource in allowed if action == "lambda:InvokeFunction"}
    assert invoked == {f"<{function}.Arn>", f"<{function}.Arn>:*"}
    started = {resource for action, resource in allowed if action == "states:StartExecution"}
    assert len(started) == 1 and started.pop().endswith(f":stateMachine:{recount.state_machine_name}")
    for action, resource in allowed:
        if action.startswith("s3:"):
            assert resource == f"<{synthesized.logical_id(recount.bucket)}.Arn>/{PREFIX}*", action


def test_the_table_keeps_point_in_time_recovery_and_the_exports_expire(synthesized: Synthesized) -> None:
    _, table = synthesized.one("AWS::DynamoDB::Table")
    bucket = synthesized.resources[synthesized.logical_id(_recount(synthesized).bucket)]["Properties"]

    assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    (encryption,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["recounts"]["Prefix"] == PREFIX and rules["recounts"]["ExpirationInDays"] <= 7
