"""Data: the dossiers table and the attachments bucket, encrypted with the province's own KMS key.

Both are built from the specs the local stack uses (motcua.resources.TABLE, BUCKET), and both are kept
when the stack goes (RETAIN, deletion protection): they hold citizens' records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

if TYPE_CHECKING:
    from motcua.resources import BucketSpec, TableSpec

# What the DynamoDB adapter does on AWS (layers/motcua/adapters/dynamodb.py): reads by key and index,
# conditional transactions of Put / Update / ConditionCheck. No Scan, no Delete, no batch writes.
DOSSIER_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:ConditionCheckItem",
)
# Previous versions of an attachment (a slot posted twice) are kept this long, then removed.
NONCURRENT_VERSION_DAYS = 30
ACCESS_LOG_DAYS = 365


class Data(Construct):
    def __init__(self, scope: Construct, id: str, *, table: TableSpec, bucket: BucketSpec) -> None:
        super().__init__(scope, id)
        self.bucket_spec = bucket
        self.key = kms.Key(
            self,
            "Key",
            description="motcua: dossiers table and attachments",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=table.partition_key, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=table.sort_key, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=True,
            time_to_live_attribute=table.ttl_attribute,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for index in table.indexes:
            self.table.add_global_secondary_index(
                index_name=index.name,
                partition_key=dynamodb.Attribute(
                    name=index.partition_key, type=dynamodb.AttributeType.STRING
                ),
                sort_key=dynamodb.Attribute(name=index.sort_key, type=dynamodb.AttributeType.STRING),
                projection_type=dynamodb.ProjectionType.ALL,
            )

        # Server access logs of both buckets and CloudFront's standard logs (which need ACLs).
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(ACCESS_LOG_DAYS))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.attachments = s3.Bucket(
            self,
            "Attachments",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="attachments/",
            # Uploads that never became a dossier's papers are NOT expired here: filed papers keep the
            # key they were uploaded under (uploads/<owner>/<id>), so a rule on the prefix would delete
            # them too. What S3 can tell apart on its own is cleaned: unfinished multipart uploads and
            # versions replaced by a second post to the same slot.
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abandoned-multipart-uploads",
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
                s3.LifecycleRule(
                    id="replaced-versions",
                    noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_DAYS),
                ),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )

    def allow_uploads_from(self, origin: str) -> None:
        """CORS for the portal's presigned POSTs (and the downloads it links to)."""
        spec = self.bucket_spec
        self.attachments.add_cors_rule(
            allowed_origins=[origin],
            allowed_methods=[s3.HttpMethods(method) for method in spec.cors_methods],
            allowed_headers=list(spec.cors_headers),
            max_age=spec.cors_max_age,
        )

    def grant_dossiers(self, grantee: iam.IGrantable) -> None:
        """Read and write dossiers, tasks and events: the table, its indexes and its key."""
        self.table.grant(grantee, *DOSSIER_ACTIONS)
        self.key.grant_encrypt_decrypt(grantee)

    def grant_attachments(self, grantee: iam.IGrantable) -> None:
        """Presign uploads into, and read back, the upload prefix only (and use the bucket's key)."""
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["s3:PutObject", "s3:GetObject"],
            resource_arns=[self.attachments.arn_for_objects(f"{self.bucket_spec.upload_prefix}*")],
        )
        self.key.grant_encrypt_decrypt(grantee)
