"""Monitoring: the dashboard shows the province's numbers and every alarm reaches the operations topic."""

from __future__ import annotations

import json

from tests.infra.support import Synthesized


def _dashboard_body(synthesized: Synthesized) -> str:
    _, dashboard = synthesized.one("AWS::CloudWatch::Dashboard")
    body = dashboard["Properties"]["DashboardBody"]
    return body if isinstance(body, str) else json.dumps(body)


def test_the_dashboard_shows_filings_decisions_on_time_rate_errors_throttles_dead_letters_and_flows(
    synthesized: Synthesized,
) -> None:
    body = _dashboard_body(synthesized)

    for title in (
        "Dossiers filed",
        "Decisions by action",
        "On-time rate",
        "Errors",
        "Throttles",
        "Dead letters",
        "Flows failed",
        "Notifications sent and failed",
        "Notification pipe failures",
    ):
        assert title in body, title
    for metric in (
        "DossierFiled",
        "Decision",
        "DossierFinished",
        "ApproximateNumberOfMessagesVisible",
        "NotificationSent",
        "NotificationFailed",
    ):
        assert metric in body, metric
    # The stage's own namespace: two provinces in one account do not mix their numbers.
    assert f"motcua/{synthesized.province.id}" in body


def test_alarms_watch_dead_letters_flows_and_functions_and_tell_operations(synthesized: Synthesized) -> None:
    topic, _ = synthesized.one("AWS::SNS::Topic")
    alarms = synthesized.of_type("AWS::CloudWatch::Alarm").values()
    watched = {(a["Properties"].get("Namespace"), a["Properties"].get("MetricName")) for a in alarms}

    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible") in watched
    assert ("AWS/States", "ExecutionsFailed") in watched
    assert ("AWS/Lambda", "Errors") in watched
    assert ("AWS/Lambda", "Throttles") in watched
    assert ("AWS/ApiGateway", "5XXError") in watched
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic}]
    dead_letter_alarms = [
        a for a in alarms if a["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
    ]
    # routing's, the schedule's, notify's and the statistics' (and the reconciliation schedule's)
    reconciles = synthesized.stage.platform.node.try_find_child("Reconciliation") is not None
    assert len(dead_letter_alarms) == 4 + reconciles
    notify = synthesized.stage.platform.node.find_child("Notifications")
    dimensions = [a["Properties"].get("Dimensions") for a in dead_letter_alarms]
    assert [
        {
            "Name": "QueueName",
            "Value": {"Fn::GetAtt": [synthesized.logical_id(notify.dead_letter_queue), "QueueName"]},
        }
    ] in dimensions
    # The notify function's errors, and the pipe that feeds it: a silent pipe means no citizen is told.
    function = synthesized.logical_id(notify.function)
    assert any(
        a["Properties"].get("MetricName") == "Errors"
        and a["Properties"]["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function}}]
        for a in alarms
    )
    for pipe in synthesized.of_type("AWS::Pipes::Pipe"):  # the notification pipe, the statistics'
        assert any(
            a["Properties"].get("Namespace") == "AWS/EventBridge/Pipes"
            and a["Properties"]["MetricName"] == "ExecutionFailed"
            and a["Properties"]["Dimensions"] == [{"Name": "PipeName", "Value": {"Ref": pipe}}]
            for a in alarms
        )


def test_the_operations_topic_is_encrypted_and_tls_only(synthesized: Synthesized) -> None:
    _, topic = synthesized.one("AWS::SNS::Topic")
    _, policy = synthesized.one("AWS::SNS::TopicPolicy")

    assert "KmsMasterKeyId" in topic["Properties"]
    assert '"aws:SecureTransport": "false"' in json.dumps(policy["Properties"]["PolicyDocument"])
