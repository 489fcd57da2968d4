"""The daily reconciliation on AWS (docs/payments.md, "Reconciliation"): a schedule early each morning
in Vietnam's time invokes its own function, which may read the orders, the gateway's file and write
the day's report, and nothing else of the table."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import App, Stack

from infra.constructs.reconciliation import file_objects
from tests.infra.support import Synthesized, as_list, flatten


def test_the_reconciliation_runs_each_morning_for_the_day_before(synthesized: Synthesized) -> None:
    found = synthesized.stage.platform.node.try_find_child("Reconciliation")
    if (
        synthesized.province.province.payments is None
        or not synthesized.province.province.payments.reconciliation
    ):
        assert found is None
        return
    function_arn = {"Fn::GetAtt": [synthesized.logical_id(found.function), "Arn"]}
    schedules = synthesized.of_type("AWS::Scheduler::Schedule").values()
    (props,) = [s["Properties"] for s in schedules if s["Properties"]["Target"]["Arn"] == function_arn]

    assert props["ScheduleExpression"] == "cron(0 5 * * ? *)"
    assert props["ScheduleExpressionTimezone"] == "Asia/Ho_Chi_Minh"
    assert props["Target"]["DeadLetterConfig"]["Arn"] == {
        "Fn::GetAtt": [synthesized.logical_id(found.dead_letter_queue), "Arn"]
    }
    assert props["Target"]["RetryPolicy"]["MaximumRetryAttempts"] >= 1


def test_the_reconciliation_writes_only_its_reports_and_reads_only_orders_in_batches(
    synthesized: Synthesized,
) -> None:
    found = synthesized.stage.platform.node.try_find_child("Reconciliation")
    if found is None:
        return
    statements = synthesized.statements(synthesized.role_of(found.function))
    allowed = [s for s in statements if s["Effect"] == "Allow"]

    def conditions(action: str) -> list[str]:
        return [flatten_all(s.get("Condition", {})) for s in allowed if action in as_list(s["Action"])]

    writes, batches = conditions("dynamodb:PutItem"), conditions("dynamodb:BatchGetItem")
    assert writes and all("RECON#*" in w and "D#" not in w and "PAY#" not in w for w in writes)
    assert batches and all("PAY#*" in b for b in batches)
    actions = {a for s in allowed for a in as_list(s["Action"])}
    assert "dynamodb:Scan" not in actions
    assert "secretsmanager:GetSecretValue" not in actions


def test_an_s3_file_is_read_under_its_prefix_only() -> None:
    stack = Stack(App(), "Alone")
    where = stack.resolve(file_objects("s3://province-vnpay/reconciliation/{date}.csv"))
    assert flatten(where) == "arn:<AWS::Partition>:s3:::province-vnpay/reconciliation/*"
    assert file_objects("https://gateway.example/files/{yyyymmdd}.csv") is None


def flatten_all(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
