"""Data: the dossiers table (and its stream) and the attachments bucket, encrypted with the province's
own KMS key.

Both are built from the specs the local stack uses (motcua.resources.TABLE, BUCKET), and both are kept
when the stack goes (RETAIN, deletion protection): they hold citizens' records. The bucket holds the
citizens' uploads (`uploads/`), the papers filed from them (`filed/`) and the signed results
(`results/`); each grant names one prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import custom_resources as cr
from constructs import Construct

from motcua.resources import PAYMENT_PREFIX, STATS_PREFIX

if TYPE_CHECKING:
    from collections.abc import Sequence

    from motcua.config.province import DraftPolicy, Retention
    from motcua.resources import BucketSpec, TableSpec

# What the DynamoDB adapters do on AWS (layers/motcua/adapters/): reads by key and index, and
# conditional writes (transactions of Put / Update / ConditionCheck). No Scan, no batch writes.
READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:Query")
# Writes name the partitions they may touch (dynamodb:LeadingKeys): each function its own.
WRITE_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem")
# Presigned uploads (tagged pending), their check after upload, and filing's re-tagging.
UPLOAD_ACTIONS = ("s3:PutObject", "s3:GetObject", "s3:PutObjectTagging", "s3:GetObjectTagging")
FILED_ACTIONS = ("s3:GetObject", "s3:PutObject")
# Previous versions of an attachment (a slot posted twice) are kept this long, then removed.
NONCURRENT_VERSION_DAYS = 30
ACCESS_LOG_DAYS = 365


class Data(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        table: TableSpec,
        bucket: BucketSpec,
        retention: Retention,
        drafts: DraftPolicy,
    ) -> None:
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
            # Read by the notification pipe (constructs/notifications.py), filtered there.
            stream=dynamodb.StreamViewType[table.stream_view],
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
            # Every presigned upload is tagged pending and expires as abandoned. Filing copies each
            # checked upload to filed/<owner>/<id>/<sha-256> (no slot can write there, so a second post
            # to a slot never reaches a filed paper; docs/security.md): the prefix alone says what a
            # paper is. Papers filed before the copies stayed at their upload key, re-tagged filed:
            # their rule is kept. Also cleaned: unfinished multipart uploads, and replaced versions.
            # Retention (the province's `retention`, docs/privacy.md): filed papers and signed results
            # expire when their period ends, as the table's TTL removes the dossiers they belong to.
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abandoned-uploads",
                    prefix=bucket.upload_prefix,
                    tag_filters=dict([bucket.pending_tag]),
                    expiration=Duration.days(retention.abandoned_uploads_days),
                ),
                s3.LifecycleRule(
                    id="filed-papers",
                    prefix=bucket.filed_prefix,
                    expiration=Duration.days(retention.papers_days),
                ),
                s3.LifecycleRule(
                    id="papers-filed-at-upload-keys",
                    prefix=bucket.upload_prefix,
                    tag_filters={bucket.pending_tag[0]: bucket.filed_value},
                    expiration=Duration.days(retention.papers_days),
                ),
                # Uploads a draft holds (re-tagged draft at its save, adapters/s3.py `hold`): posted at
                # most abandoned_uploads_days before the draft's first save, they outlive the draft.
                s3.LifecycleRule(
                    id="draft-uploads",
                    prefix=bucket.upload_prefix,
                    tag_filters={bucket.pending_tag[0]: bucket.draft_value},
                    expiration=Duration.days(drafts.keep_days + retention.abandoned_uploads_days),
                ),
                s3.LifecycleRule(
                    id="results",
                    prefix=bucket.result_prefix,
                    expiration=Duration.days(retention.results_days),
                ),
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
        """CORS for the portal's presigned POSTs (and the downloads it links to), set at deploy time.

        Not a property of the bucket: the portal's Content-Security-Policy names this bucket
        (constructs/frontend.py), and its CORS names the portal's distribution; one of the two must be
        set once both exist, or CloudFormation sees a cycle. The call is made again whenever the
        rule or the portal's address changes.
        """
        spec = self.bucket_spec
        rule = {
            "AllowedOrigins": [origin],
            "AllowedMethods": list(spec.cors_methods),
            "AllowedHeaders": list(spec.cors_headers),
            "MaxAgeSeconds": spec.cors_max_age,
        }
        call = cr.AwsSdkCall(
            service="S3",
            action="putBucketCors",
            parameters={"Bucket": self.attachments.bucket_name, "CORSConfiguration": {"CORSRules": [rule]}},
            physical_resource_id=cr.PhysicalResourceId.of(f"{self.node.path}/AttachmentsCors"),
        )
        self.cors = cr.AwsCustomResource(
            self,
            "AttachmentsCors",
            on_create=call,
            on_update=call,
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["s3:PutBucketCORS"], resources=[self.attachments.bucket_arn])]
            ),
            install_latest_aws_sdk=False,
            log_group=logs.LogGroup(self, "AttachmentsCorsLogs", retention=logs.RetentionDays.SIX_MONTHS),
        )

    def grant_reads(self, grantee: iam.IGrantable) -> None:
        """Read the table and its indexes (GetItem, Query), and decrypt with its key."""
        self.table.grant(grantee, *READ_ACTIONS)
        self.key.grant_decrypt(grantee)

    def grant_counter_reads(self, grantee: iam.IGrantable) -> None:
        """BatchGetItem of the statistics' counter items (`STATS#…`) and of nothing else: a report reads
        its months' items in one call (docs/statistics.md)."""
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["dynamodb:BatchGetItem"],
            resource_arns=[self.table.table_arn],
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{STATS_PREFIX}*"]}},
        )

    def grant_writes_in(self, grantee: iam.IGrantable, *, partitions: Sequence[str]) -> None:
        """Write items whose partition key matches one of `partitions` (IAM string patterns: `D#*`,
        `PKI`) and no other (`dynamodb:LeadingKeys`, which every item of a transaction must pass).
        What lies in another function's partitions (the trust roots in PKI above all) is out of reach."""
        if not partitions:
            raise ValueError("a writer with no partition: grant reads only")
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(WRITE_ACTIONS),
            resource_arns=[self.table.table_arn],
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": list(partitions)}},
        )
        self.key.grant_encrypt_decrypt(grantee)

    def grant_deletes_in(self, grantee: iam.IGrantable, *partitions: str) -> None:
        """Delete items of these partitions (or, with `*`, partitions of one prefix: a citizen's drafts
        `DRAFT#*`, a centre's queue `Q#*`) and no other (`dynamodb:LeadingKeys`): Powertools' idempotency
        removes its in-progress record when the action fails, so a retry may run it; drafts go when
        deleted or filed; a called queue ticket leaves the waiting line."""
        operator = (
            "ForAllValues:StringLike" if any("*" in p for p in partitions) else "ForAllValues:StringEquals"
        )
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["dynamodb:DeleteItem"],
            resource_arns=[self.table.table_arn],
            conditions={operator: {"dynamodb:LeadingKeys": list(partitions)}},
        )

    def grant_attachments(self, grantee: iam.IGrantable) -> None:
        """Presign uploads into and read back the upload prefix (a presigned POST that sets a tag needs
        s3:PutObjectTagging too); copy filed papers to (CopyObject: PutObject, tags replaced by none) and
        read them from the filed prefix; use the bucket's key."""
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(UPLOAD_ACTIONS),
            resource_arns=[self.attachments.arn_for_objects(f"{self.bucket_spec.upload_prefix}*")],
        )
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(FILED_ACTIONS),
            resource_arns=[self.attachments.arn_for_objects(f"{self.bucket_spec.filed_prefix}*")],
        )
        self.key.grant_encrypt_decrypt(grantee)

    def grant_results(self, grantee: iam.IGrantable, *, write: bool) -> None:
        """Read (and with `write`, store) the signed results under the result prefix only."""
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["s3:GetObject", "s3:PutObject"] if write else ["s3:GetObject"],
            resource_arns=[self.attachments.arn_for_objects(f"{self.bucket_spec.result_prefix}*")],
        )
        if write:
            self.key.grant_encrypt_decrypt(grantee)
        else:
            self.key.grant_decrypt(grantee)

    def grant_stream_read(self, grantee: iam.IGrantable) -> None:
        """Read the table's stream (and decrypt it with the table's key): the notification pipe."""
        self.table.grant_stream_read(grantee)

    def grant_order_reads(self, grantee: iam.IGrantable) -> None:
        """BatchGetItem of the payment orders (`PAY#…`) and of nothing else: the reconciliation reads
        the orders its gateway's list names together (docs/payments.md, "Reconciliation")."""
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["dynamodb:BatchGetItem"],
            resource_arns=[self.table.table_arn],
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{PAYMENT_PREFIX}*"]}},
        )
