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


def test_lifecycle_cleans_abandoned_parts_but_never_expires_a_citizens_papers(
    synthesized: Synthesized,
) -> None:
    # Filed papers stay under the upload prefix (services/uploads.py upload_key), so no rule may expire
    # current objects there: a 7-day expiry on uploads/ would delete every dossier's papers.
    rules = _attachments(synthesized)["Properties"]["LifecycleConfiguration"]["Rules"]

    assert any(rule.get("AbortIncompleteMultipartUpload") == {"DaysAfterInitiation": 1} for rule in rules)
    for rule in rules:
        assert "ExpirationInDays" not in rule and "ExpirationDate" not in rule, rule


def _attachments_id(synthesized: Synthesized) -> str:
    return synthesized.logical_id(synthesized.stage.platform.node.find_child("Data").attachments)


def _attachments(synthesized: Synthesized) -> dict:  # type: ignore[type-arg]
    return synthesized.resources[_attachments_id(synthesized)]
