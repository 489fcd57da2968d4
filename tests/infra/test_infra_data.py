"""Data: the table and the attachments bucket keep citizens' records safe, built from the shared specs."""

from __future__ import annotations

from aws_cdk.assertions import Match

from motcua.resources import BUCKET, TABLE
from tests.infra.support import Synthesized


def test_the_table_has_the_keys_and_indexes_the_adapter_queries(synthesized: Synthesized) -> None:
    _, table = synthesized.one("AWS::DynamoDB::Table")
    props = table["Properties"]

    assert props["KeySchema"] == [
        {"AttributeName": TABLE.partition_key, "KeyType": "HASH"},
        {"AttributeName": TABLE.sort_key, "KeyType": "RANGE"},
    ]
    indexes = {index["IndexName"]: index for index in props["GlobalSecondaryIndexes"]}
    assert set(indexes) == {spec.name for spec in TABLE.indexes} == {"GSI1", "GSI2", "GSI3"}
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
    cors = _attachments(synthesized)["Properties"]["CorsConfiguration"]["CorsRules"]
    distribution, _ = synthesized.one("AWS::CloudFront::Distribution")

    assert cors == [
        {
            "AllowedOrigins": [
                {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}]]}
            ],
            "AllowedMethods": list(BUCKET.cors_methods),
            "AllowedHeaders": list(BUCKET.cors_headers),
            "MaxAge": BUCKET.cors_max_age,
        }
    ]


def test_uploads_never_filed_expire_and_nothing_else_does(synthesized: Synthesized) -> None:
    # Filed papers stay under the upload prefix (services/uploads.py upload_key): only the tag tells an
    # abandoned upload from a dossier's paper, so the one rule that expires current objects needs both.
    rules = _attachments(synthesized)["Properties"]["LifecycleConfiguration"]["Rules"]
    expiring = [rule for rule in rules if "ExpirationInDays" in rule or "ExpirationDate" in rule]
    key, value = BUCKET.pending_tag

    assert expiring == [
        {
            "Id": "abandoned-uploads",
            "Status": "Enabled",
            "Prefix": BUCKET.upload_prefix,
            "TagFilters": [{"Key": key, "Value": value}],
            "ExpirationInDays": BUCKET.abandoned_upload_days,
        }
    ]
    assert value != BUCKET.filed_value
    assert any(rule.get("AbortIncompleteMultipartUpload") == {"DaysAfterInitiation": 1} for rule in rules)


def test_the_table_streams_new_items_to_the_notification_pipe(synthesized: Synthesized) -> None:
    table_id, table = synthesized.one("AWS::DynamoDB::Table")
    _, pipe = synthesized.one("AWS::Pipes::Pipe")

    assert TABLE.stream_view == "NEW_IMAGE"
    assert table["Properties"]["StreamSpecification"] == {"StreamViewType": TABLE.stream_view}
    assert pipe["Properties"]["Source"] == {"Fn::GetAtt": [table_id, "StreamArn"]}


def _attachments_id(synthesized: Synthesized) -> str:
    return synthesized.logical_id(synthesized.stage.platform.node.find_child("Data").attachments)


def _attachments(synthesized: Synthesized) -> dict:  # type: ignore[type-arg]
    return synthesized.resources[_attachments_id(synthesized)]
