"""The statistics' pipe, queue and function: only dossier and task changes, and the function writes the
counters' partitions and nothing else."""

from __future__ import annotations

import json
from typing import Any

from infra.devstack.streams import matches
from motcua.resources import STATS_PATTERN, STATS_PREFIX, STATS_RECORD_PREFIX
from tests.infra.support import Synthesized


def _statistics(synthesized: Synthesized) -> Any:
    return synthesized.stage.platform.node.find_child("Statistics")


def test_the_pipe_takes_dossier_and_task_changes_from_the_stream_to_the_queue(
    synthesized: Synthesized,
) -> None:
    statistics = _statistics(synthesized)
    table_id, _ = synthesized.one("AWS::DynamoDB::Table")
    pipe = synthesized.resources[str(synthesized.stage.platform.resolve(statistics.pipe.logical_id))]
    props = pipe["Properties"]

    assert props["Source"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
    assert props["Target"] == {"Fn::GetAtt": [synthesized.logical_id(statistics.queue), "Arn"]}
    (only,) = props["SourceParameters"]["FilterCriteria"]["Filters"]
    assert json.loads(only["Pattern"]) == STATS_PATTERN
    # The fee at filing's item reaches the counters (fees paid online); an obligation's fee, an order do not.
    pattern = json.loads(only["Pattern"])

    def record(pk: str, sk: str) -> dict[str, Any]:
        return {"dynamodb": {"Keys": {"PK": {"S": pk}, "SK": {"S": sk}}}}

    kept = [k for k in (("D#X", "D"), ("D#X", "T#1"), ("D#X", "FEE#filing")) if matches(pattern, record(*k))]
    assert len(kept) == 3
    assert not any(
        matches(pattern, record(*k)) for k in (("D#X", "FEE#obabc123"), ("PAY#R", "PAY"), ("D#X", "A#1"))
    )
    assert props["RoleArn"] == {"Fn::GetAtt": [synthesized.logical_id(statistics.pipe_role), "Arn"]}


def test_the_function_reads_the_queue_and_writes_only_the_counters(synthesized: Synthesized) -> None:
    statistics = _statistics(synthesized)
    function = synthesized.logical_id(statistics.function)
    (mapping,) = [
        m["Properties"]
        for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": function}
    ]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [synthesized.logical_id(statistics.queue), "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]

    writes = [
        s
        for s in synthesized.statements(synthesized.role_of(statistics.function))
        if "dynamodb:PutItem" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    ]
    (write,) = writes
    assert write["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{STATS_PREFIX}*", f"{STATS_RECORD_PREFIX}*"]}
    }
