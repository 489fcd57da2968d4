"""Data: the table and the attachments bucket keep citizens' records safe, built from the shared specs."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase as fnmatch
from typing import Any

from aws_cdk.assertions import Match

from motcua.resources import (
    BUCKET,
    NOTIFY_ONCE_PARTITION,
    PKI_PARTITION,
    TABLE,
)
from tests.infra.support import Synthesized, as_list, flatten


def test_the_table_has_the_keys_and_indexes_the_adapter_queries(synthesized: Synthesized) -> None:
    _, table = synthesized.one("AWS::DynamoDB::Table")
    props = table["Properties"]

    assert props["KeySchema"] == [
        {"AttributeName": TABLE.partition_key, "KeyType": "HASH"},
        {"AttributeName": TABLE.sort_key, "KeyType": "RANGE"},
    ]
    indexes = {index["IndexName"]: index for index in props["GlobalSecondaryIndexes"]}
    assert set(indexes) == {spec.name for spec in TABLE.indexes} == {"GSI1", "GSI2", "GSI3", "GSI4"}
    for spec in TABLE.indexes:
        assert indexes[spec.name]["KeySchema"] == [
            {"AttributeName": spec.partition_key, "KeyType": "HASH"},
            {"AttributeName": spec.sort_key, "KeyType": "RANGE"},
        ]
        assert indexes[spec.name]["Projection"] == {"ProjectionType": "ALL"}
    assert props["TimeToLiveSpecification"] == {"AttributeName": TABLE.ttl_attribute, "Enabled": True}
    assert props["BillingMode"] == "PAY_PER_REQUEST"


def test_the_table_survives_mistakes(synthesized: Synthesized) -> None:
    name, table = synthesized.one("AWS::DynamoDB::Table")

    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    assert "TableName" not in table["Properties"]  # CDK names it; functions read MOTCUA_TABLE_NAME


def test_table_and_attachments_are_encrypted_with_the_provinces_own_rotating_key(
    synthesized: Synthesized,
) -> None:
    data_key = synthesized.logical_id(synthesized.stage.platform.node.find_child("Data").key)
    key = synthesized.resources[data_key]["Properties"]
    assert key["EnableKeyRotation"] is True

    _, table = synthesized.one("AWS::DynamoDB::Table")
    assert table["Properties"]["SSESpecification"] == {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": {"Fn::GetAtt": [data_key, "Arn"]},
    }
    attachments = _attachments(synthesized)["Properties"]
    rule = attachments["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": [data_key, "Arn"]},
    }


def test_the_attachments_bucket_is_private_versioned_logged_and_tls_only(synthesized: Synthesized) -> None:
    bucket = _attachments(synthesized)
    props = bucket["Properties"]

    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "DestinationBucketName" in props["LoggingConfiguration"]
    assert bucket["DeletionPolicy"] == "Retain"
    synthesized.assertions.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": _attachments_id(synthesized)},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )


def test_the_portal_may_post_uploads_to_the_bucket_and_nothing_else_may(synthesized: Synthesized) -> None:
    # Set at deploy time (the portal's CSP names the bucket, the bucket's CORS the portal: a cycle
    # if both were properties), on create and on every update.
    bucket = synthesized.logical_id(synthesized.stage.platform.node.find_child("Data").attachments)
    distribution, _ = synthesized.one("AWS::CloudFront::Distribution")
    _, cors = synthesized.one("Custom::AWS")

    assert "CorsConfiguration" not in _attachments(synthesized)["Properties"]
    for when in ("Create", "Update"):
        call = json.loads(flatten(cors["Properties"][when]))
        assert (call["service"], call["action"]) == ("S3", "putBucketCors")
        assert call["parameters"] == {
            "Bucket": f"<{bucket}>",
            "CORSConfiguration": {
                "CORSRules": [
                    {
                        "AllowedOrigins": [f"https://<{distribution}.DomainName>"],
                        "AllowedMethods": list(BUCKET.cors_methods),
                        "AllowedHeaders": list(BUCKET.cors_headers),
                        "MaxAgeSeconds": BUCKET.cors_max_age,
                    }
                ]
            },
        }


def test_uploads_never_filed_expire_and_filed_papers_and_results_when_their_retention_ends(
    synthesized: Synthesized,
) -> None:
    # Filed papers are copies under their own prefix (services/uploads.py filed_key), which no upload
    # slot writes; papers filed before the copies stayed under the upload prefix, told by their tag.
    rules = _attachments(synthesized)["Properties"]["LifecycleConfiguration"]["Rules"]
    expiring = [rule for rule in rules if "ExpirationInDays" in rule or "ExpirationDate" in rule]
    key, value = BUCKET.pending_tag
    kept = synthesized.province.province.retention

    assert expiring == [
        {
            "Id": "abandoned-uploads",
            "Status": "Enabled",
            "Prefix": BUCKET.upload_prefix,
            "TagFilters": [{"Key": key, "Value": value}],
            "ExpirationInDays": kept.abandoned_uploads_days,
        },
        {
            "Id": "filed-papers",
            "Status": "Enabled",
            "Prefix": BUCKET.filed_prefix,
            "ExpirationInDays": kept.papers_days,
        },
        {
            "Id": "papers-filed-at-upload-keys",
            "Status": "Enabled",
            "Prefix": BUCKET.upload_prefix,
            "TagFilters": [{"Key": key, "Value": BUCKET.filed_value}],
            "ExpirationInDays": kept.papers_days,
        },
        {
            "Id": "draft-uploads",
            "Status": "Enabled",
            "Prefix": BUCKET.upload_prefix,
            "TagFilters": [{"Key": key, "Value": BUCKET.draft_value}],
            # Never before the draft: the upload was posted at most abandoned_uploads_days before the
            # draft that holds it was first saved (docs/drafts.md).
            "ExpirationInDays": synthesized.province.province.drafts.keep_days + kept.abandoned_uploads_days,
        },
        {
            "Id": "results",
            "Status": "Enabled",
            "Prefix": BUCKET.result_prefix,
            "ExpirationInDays": kept.results_days,
        },
    ]
    assert value != BUCKET.filed_value
    assert not BUCKET.filed_prefix.startswith(BUCKET.upload_prefix)
    assert not BUCKET.upload_prefix.startswith(BUCKET.filed_prefix)
    assert any(rule.get("AbortIncompleteMultipartUpload") == {"DaysAfterInitiation": 1} for rule in rules)


def test_the_table_streams_its_changes_to_the_notification_and_statistics_pipes(
    synthesized: Synthesized,
) -> None:
    table_id, table = synthesized.one("AWS::DynamoDB::Table")
    pipes = synthesized.of_type("AWS::Pipes::Pipe").values()

    assert TABLE.stream_view == "NEW_AND_OLD_IMAGES"
    assert table["Properties"]["StreamSpecification"] == {"StreamViewType": TABLE.stream_view}
    assert len(pipes) == 2
    for pipe in pipes:
        assert pipe["Properties"]["Source"] == {"Fn::GetAtt": [table_id, "StreamArn"]}


def _attachments_id(synthesized: Synthesized) -> str:
    return synthesized.logical_id(synthesized.stage.platform.node.find_child("Data").attachments)


def _attachments(synthesized: Synthesized) -> dict:  # type: ignore[type-arg]
    return synthesized.resources[_attachments_id(synthesized)]


# --- who writes where ---------------------------------------------------------------------------------

_WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"}


def _functions(synthesized: Synthesized) -> dict[str, Any]:
    platform = synthesized.stage.platform.node
    return {
        "api": platform.find_child("Api").function,
        "routing": platform.find_child("Workflow").function,
        "sweep": platform.find_child("Schedules").sweep,
        "notify": platform.find_child("Notifications").function,
        "pki": platform.find_child("Signing").function,
    }


def _table_writes(synthesized: Synthesized, function: Any) -> list[dict[str, Any]]:
    """The role's statements that allow a write action (or a wildcard over them) on the table."""
    table, _ = synthesized.one("AWS::DynamoDB::Table")
    return [
        statement
        for statement in synthesized.statements(synthesized.role_of(function))
        if statement["Effect"] == "Allow"
        and any(fnmatch(write, action) for action in as_list(statement["Action"]) for write in _WRITES)
        and any(table in json.dumps(resource) for resource in as_list(statement["Resource"]))
    ]


def _partitions(statement: dict[str, Any]) -> list[str]:
    """The partition keys (IAM patterns) a statement's LeadingKeys condition allows; none: all of them."""
    for operator, keys in statement.get("Condition", {}).items():
        if operator.startswith("ForAllValues:") and "dynamodb:LeadingKeys" in keys:
            return list(as_list(keys["dynamodb:LeadingKeys"]))
    return ["*"]


def test_each_function_writes_only_its_own_partitions_of_the_table(synthesized: Synthesized) -> None:
    # moto does not enforce IAM: this is where the partitions each function may write are checked.
    expected = {
        # dossiers, the agencies' code counters, filing's idempotency, citizens' drafts, the centres'
        # queue tickets and the appointments: a slot's places, the bookings, the one-a-day guards; feedback;
        # a dossier's rating and its tallies
        "api": [
            "D#*",
            "SEQ#*",
            "IDEM#*",
            "DRAFT#*",
            "Q#*",
            "APPT#*",
            "BOOKING#*",
            "BOOKED#*",
            "FB#*",
            "RATING#*",
            "RATINGS#*",
        ],
        "routing": ["D#*"],
        "sweep": ["D#*", "BOOKING#*", "APPT#*"],  # and the no-shows
        "notify": [NOTIFY_ONCE_PARTITION, "SENT#*"],  # once-only records (deletes there only); what it sent
        "pki": [PKI_PARTITION],  # the certificates and the trust roots
    }
    # Items removed: a citizen's drafts (deleted by them, or in the filing's transaction), called queue
    # tickets leaving the waiting line, the notifier's in-progress records.
    deletes = {"api": ["DRAFT#*", "Q#*"], "notify": [NOTIFY_ONCE_PARTITION]}

    for name, function in _functions(synthesized).items():
        writes = _table_writes(synthesized, function)
        assert writes, name
        for statement in writes:
            deleting = as_list(statement["Action"]) == ["dynamodb:DeleteItem"]
            assert _partitions(statement) == (deletes if deleting else expected)[name], (name, statement)


def test_no_function_but_the_pki_one_can_write_the_trust_roots(synthesized: Synthesized) -> None:
    # The CA certificates /v1/verify trusts live in partition PKI (motcua.adapters.certificates).
    can_write = {
        name
        for name, function in _functions(synthesized).items()
        for statement in _table_writes(synthesized, function)
        if any(fnmatch(PKI_PARTITION, pattern) for pattern in _partitions(statement))
    }

    assert can_write == {"pki"}
