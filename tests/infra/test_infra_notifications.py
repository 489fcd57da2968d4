"""Notifications: what the citizen must hear about flows from the table's stream to email and SMS, and a
message that cannot be sent is kept, not lost."""

from __future__ import annotations

import json
from typing import Any

from infra.constructs.notifications import SMS_ACTIONS
from infra.nag import UNSCOPED_ACTIONS
from motcua.resources import NOTIFY_ONCE_PARTITION, NOTIFY_PATTERN, NOTIFY_QUEUE
from tests.infra.support import Synthesized, as_list


def _notifications(synthesized: Synthesized) -> Any:
    return synthesized.stage.platform.node.find_child("Notifications")


def test_the_pipe_takes_only_entries_to_notify_from_the_stream_to_the_queue(synthesized: Synthesized) -> None:
    notifications = _notifications(synthesized)
    table_id, _ = synthesized.one("AWS::DynamoDB::Table")
    pipe = synthesized.resources[str(synthesized.stage.platform.resolve(notifications.pipe.logical_id))]
    props = pipe["Properties"]
    source = props["SourceParameters"]

    assert props["Source"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
    assert props["Target"] == {"Fn::GetAtt": [synthesized.logical_id(notifications.queue), "Arn"]}
    # The very pattern the local stack's stream reader applies.
    (only,) = source["FilterCriteria"]["Filters"]
    assert json.loads(only["Pattern"]) == NOTIFY_PATTERN
    assert source["DynamoDBStreamParameters"]["StartingPosition"] == "TRIM_HORIZON"
    assert source["DynamoDBStreamParameters"]["BatchSize"] == 10


def test_the_pipe_has_a_role_of_its_own_that_reads_the_stream_and_sends_to_the_queue(
    synthesized: Synthesized,
) -> None:
    notifications = _notifications(synthesized)
    role = synthesized.logical_id(notifications.pipe_role)
    table_id, _ = synthesized.one("AWS::DynamoDB::Table")
    data_key = synthesized.logical_id(synthesized.stage.platform.node.find_child("Data").key)
    queue = synthesized.logical_id(notifications.queue)
    pipe = synthesized.resources[str(synthesized.stage.platform.resolve(notifications.pipe.logical_id))]
    allowed = synthesized.allowed(role)

    assert pipe["Properties"]["RoleArn"] == {"Fn::GetAtt": [role, "Arn"]}
    assert synthesized.resources[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0][
        "Principal"
    ] == {"Service": "pipes.amazonaws.com"}
    for action in ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"):
        assert (action, {"Fn::GetAtt": [table_id, "StreamArn"]}) in allowed
    assert ("kms:Decrypt", {"Fn::GetAtt": [data_key, "Arn"]}) in allowed
    assert ("sqs:SendMessage", {"Fn::GetAtt": [queue, "Arn"]}) in allowed
    # Only those three resources, and "*" only for what IAM cannot scope (ListStreams).
    resources = {json.dumps(resource, sort_keys=True) for _, resource in allowed} - {'"*"'}
    assert resources == {
        json.dumps(r, sort_keys=True)
        for r in (
            {"Fn::GetAtt": [table_id, "StreamArn"]},
            {"Fn::GetAtt": [data_key, "Arn"]},
            {"Fn::GetAtt": [queue, "Arn"]},
        )
    }
    assert {action for action, resource in allowed if resource == "*"} <= UNSCOPED_ACTIONS
    # CloudFormation creates the pipe after its policy: Pipes checks the role can read the source.
    policies = [
        name
        for name, policy in synthesized.of_type("AWS::IAM::Policy").items()
        if {"Ref": role} in policy["Properties"]["Roles"]
    ]
    assert set(policies) <= set(pipe["DependsOn"])


def test_the_notify_queue_is_encrypted_and_sends_poison_messages_to_its_dlq(synthesized: Synthesized) -> None:
    notifications = _notifications(synthesized)
    queue = synthesized.resources[synthesized.logical_id(notifications.queue)]["Properties"]
    dlq_id = synthesized.logical_id(notifications.dead_letter_queue)
    dlq = synthesized.resources[dlq_id]["Properties"]

    assert queue["SqsManagedSseEnabled"] is True and dlq["SqsManagedSseEnabled"] is True
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": NOTIFY_QUEUE.max_receives,
    }
    assert queue["VisibilityTimeout"] == NOTIFY_QUEUE.visibility_timeout
    assert dlq["MessageRetentionPeriod"] == NOTIFY_QUEUE.dlq_retention_days * 86_400


def test_the_notify_function_reads_the_queue_in_batches_reporting_each_failure(
    synthesized: Synthesized,
) -> None:
    notifications = _notifications(synthesized)
    function_id = synthesized.logical_id(notifications.function)
    props = synthesized.resources[function_id]["Properties"]
    (mapping,) = [
        m["Properties"]
        for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    variables = props["Environment"]["Variables"]

    assert props["Architectures"] == ["arm64"]
    assert props["Handler"] == "app.handler"
    assert props["Timeout"] <= NOTIFY_QUEUE.visibility_timeout
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [synthesized.logical_id(notifications.queue), "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == 10
    assert 0 < mapping["MaximumBatchingWindowInSeconds"] <= 5
    assert {"MOTCUA_TABLE_NAME", "MOTCUA_BUCKET_NAME", "MOTCUA_PORTAL_URL"} <= set(variables)


def test_email_goes_from_the_provinces_sender_domain_and_sms_through_sns(synthesized: Synthesized) -> None:
    notifications = _notifications(synthesized)
    identity_id, identity = synthesized.one("AWS::SES::EmailIdentity")
    domain = synthesized.province.province.sender_email.split("@")[1]
    role = synthesized.role_of(notifications.function)
    allowed = synthesized.allowed(role)
    on_identity = [action for action, resource in allowed if identity_id in json.dumps(resource)]

    assert identity["Properties"]["EmailIdentity"] == domain
    # Easy DKIM, the default: SES makes the keys; the domain publishes three CNAME records.
    assert identity["Properties"].get("DkimAttributes", {}).get("SigningEnabled", True) is True
    assert "DkimSigningAttributes" not in identity["Properties"]
    assert sorted(on_identity) == ["ses:SendEmail", "ses:SendRawEmail"]
    assert all((action, "*") in allowed for action in SMS_ACTIONS)
    assert {action for action, resource in allowed if resource == "*"} <= UNSCOPED_ACTIONS | set(SMS_ACTIONS)


def test_the_notify_function_deletes_only_its_own_idempotency_records(synthesized: Synthesized) -> None:
    role = synthesized.role_of(_notifications(synthesized).function)
    table_id, _ = synthesized.one("AWS::DynamoDB::Table")
    deletes = [s for s in synthesized.statements(role) if "dynamodb:DeleteItem" in as_list(s["Action"])]

    assert deletes == [
        {
            "Action": "dynamodb:DeleteItem",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [table_id, "Arn"]},
            "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [NOTIFY_ONCE_PARTITION]}},
        }
    ]


def test_the_notify_function_may_text_a_phone_but_publish_to_no_topic(synthesized: Synthesized) -> None:
    role = synthesized.role_of(_notifications(synthesized).function)
    denied = [s for s in synthesized.statements(role) if s["Effect"] == "Deny"]

    # SMS to a phone number has no ARN, so the allow is on "*" (and SNS allows nothing else) ...
    on_sns = [pair for pair in synthesized.allowed(role) if pair[0].startswith("sns:")]
    assert on_sns == [("sns:Publish", "*")]
    # ... and an explicit deny on every SNS ARN (topics, platform endpoints) beside it wins over it.
    assert denied == [
        {
            "Action": "sns:Publish",
            "Effect": "Deny",
            "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":sns:*:*:*"]]},
        }
    ]
