"""Every cdk-nag (AwsSolutions) finding the platform accepts, each with the reason it is accepted.

Nothing else in infra/ acknowledges a rule. cdk-nag 3 reads CDK's own acknowledgments
(`Validations.of(construct).acknowledge(...)`); an acknowledgment covers the construct it is made on
and what lies below it, and names one finding (`AwsSolutions-IAM5[Resource::...]`), never a whole rule.

`Resource::*` is never acknowledged blindly: a role's policy may use it only for actions that AWS
does not scope to a resource (X-Ray, CloudWatch Logs' delivery APIs, DynamoDB's ListStreams), and the
notify function for SMS (sns:Publish to a phone number); anything else fails synthesis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import Acknowledgment, Stack, Token, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr

from infra.constructs.notifications import SMS_ACTIONS
from infra.constructs.recount import PREFIX as RECOUNT_PREFIX

if TYPE_CHECKING:
    from collections.abc import Iterable

    from constructs import IConstruct

    from infra.constructs.api import Api
    from infra.constructs.data import Data
    from infra.constructs.frontend import Frontend
    from infra.constructs.identity import Identity
    from infra.constructs.notifications import Notifications
    from infra.constructs.origin import OriginSecret
    from infra.constructs.payments import PaymentGateway
    from infra.constructs.reconciliation import DailyReconciliation
    from infra.constructs.recount import Recount
    from infra.constructs.schedules import Schedules
    from infra.constructs.signing import Signing
    from infra.constructs.statistics import Statistics
    from infra.constructs.workflow import Workflow

# Actions IAM cannot limit to a resource, which is why their statements say Resource "*".
UNSCOPED_ACTIONS = {
    # X-Ray tracing of functions and state machines
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    # Step Functions' log delivery to CloudWatch Logs (vended logs)
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    # Finding a table's streams (the notification pipe's source): a list over the account
    "dynamodb:ListStreams",
}
UNSCOPED_REASON = (
    "Only for actions IAM cannot scope to a resource: X-Ray trace segments and sampling, CloudWatch "
    "Logs' log-delivery APIs that Step Functions logging needs, DynamoDB's ListStreams (checked in "
    "infra/nag.py)."
)
SMS_REASON = (
    "SMS: SNS publishes to a phone number, which has no ARN, so sns:Publish cannot name a resource; "
    "an explicit Deny of sns:Publish on arn:<partition>:sns:*:*:* beside the allow keeps every topic "
    "and platform endpoint out of it (checked in tests/infra/test_infra_notifications.py). The "
    "account's SMS spend limit caps what it can send (docs/operations.md, 2.7). Otherwise only "
    "X-Ray's unscopable actions (checked in infra/nag.py)."
)

COGNITO_SMS_REASON = (
    "The user pools' SMS role: Cognito texts sign-up and password-reset codes to a phone number, which "
    "has no ARN, so sns:Publish cannot name a resource; an explicit Deny on arn:<partition>:sns:*:*:* "
    "keeps every topic out, and only Cognito, with the stack's external id, may assume it."
)

KMS_VARIANTS = (
    "The data key's grant: the wildcard covers the variants of one action (GenerateDataKey, "
    "GenerateDataKeyWithoutPlaintext; ReEncryptFrom, ReEncryptTo) on the province's single "
    "customer-managed key, not other keys."
)
PUBLIC_ROUTE = (
    "Public by the API's contract (DESIGN.md): the procedure catalog and agencies, tracking by dossier "
    "code (no personal data), health, the OpenAPI document, verification of a signed result (anyone "
    "holding the PDF may check it), and sign-up / sign-in / refresh, which exist to obtain a token. "
    "The app checks every other route's token as well as the authorizer."
)


def acknowledge(
    stack: Stack,
    *,
    data: Data,
    identity: Identity,
    api: Api,
    workflow: Workflow,
    schedules: Schedules,
    notifications: Notifications,
    statistics: Statistics,
    recount: Recount,
    signing: Signing,
    frontend: Frontend,
    origin: OriginSecret,
    payments: PaymentGateway | None = None,
    reconciliation: DailyReconciliation | None = None,
) -> None:
    notify = notifications.function.role
    pki = signing.function.role
    stats = statistics.function.role
    _data_access(
        stack, data, [api.function.role, workflow.function.role, schedules.sweep.role, notify, pki, stats]
    )
    _unscoped_only(
        [api.function.role, workflow.function.role, schedules.sweep.role, notifications.pipe_role, pki]
        + [stats, statistics.pipe_role]
        + [machine.role for machine in workflow.state_machines.values()]
    )
    _unscoped_only([notify], also=frozenset(SMS_ACTIONS), reason=SMS_REASON)
    _unscoped_only([identity.sms_role], also=frozenset(SMS_ACTIONS), reason=COGNITO_SMS_REASON)
    _ack(
        _arn_owner(api.function.role),
        f"AwsSolutions-IAM5[Resource::{_arn(stack, data.attachments)}/{data.bucket_spec.upload_prefix}*]",
        "Presigned uploads, their check after upload and their re-tagging when filed: every object "
        "under the upload prefix (one per upload slot, named by the citizen and an id) of the "
        "attachments bucket, nothing else.",
    )
    _ack(
        _arn_owner(api.function.role),
        f"AwsSolutions-IAM5[Resource::{_arn(stack, data.attachments)}/{data.bucket_spec.filed_prefix}*]",
        "Filed papers: the copy of each checked upload made at filing, and their download, under the "
        "filed prefix (one per paper, named by the citizen, the upload and its content) of the attachments "
        "bucket, nothing else.",
    )
    for role, what in ((api.function.role, "signs and stores"), (notify, "attaches to the citizen's email")):
        _ack(
            _arn_owner(role),
            f"AwsSolutions-IAM5[Resource::{_arn(stack, data.attachments)}/{data.bucket_spec.result_prefix}*]",
            f"The signed results it {what}: every object under the result prefix (one per result, "
            "named by its dossier code) of the attachments bucket, nothing else.",
        )

    pki_function = _arn(stack, signing.function)
    _ack(
        _arn_owner(api.function.role),
        f"AwsSolutions-IAM5[Resource::{pki_function}:*]",
        "The API may invoke the PKI function (and its versions, as CDK's grant writes it) to have a "
        "missing or expiring certificate issued; the function takes no input, so the API cannot choose "
        "what is issued, and it never holds the CA key.",
    )
    framework = signing.provider.node.find_child("framework-onEvent")
    issuer_reason = (
        "CDK's custom-resource provider framework, run by CloudFormation at deploy time to call the PKI "
        "function and answer CloudFormation: its role and managed logging policy are CDK's own, and it "
        "may invoke that one function (and its versions) only."
    )
    _ack(
        framework,
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AWSLambdaBasicExecutionRole]",
        issuer_reason,
    )
    _ack(framework, f"AwsSolutions-IAM5[Resource::{pki_function}:*]", issuer_reason)

    for method in api.public_methods:
        _ack(method, "AwsSolutions-APIG4", PUBLIC_ROUTE)
        _ack(method, "AwsSolutions-COG4", PUBLIC_ROUTE)
    cloud_watch_role = api.rest_api.node.try_find_child("CloudWatchRole")
    if cloud_watch_role is not None:
        _ack(
            cloud_watch_role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-level role for execution logs (APIG6): AWS's managed policy is the one "
            "documented for it and grants CloudWatch Logs writes only.",
        )

    for pool in identity.all_pools:
        _ack(
            pool,
            "AwsSolutions-COG1",
            "The password policy follows NIST SP 800-63B (rev. 4): a minimum length (10) and no "
            "composition rules, which make passwords harder to remember and no harder to guess; staff "
            "add an authenticator app (MFA required).",
        )
    citizens = identity.pools["citizens"]
    _ack(
        citizens,
        "AwsSolutions-COG2",
        "Citizens sign themselves up from a phone; requiring an authenticator app would shut out many "
        "of them. MFA (TOTP) is offered, not required; staff, who change dossiers, must use it.",
    )
    _ack(
        citizens,
        "AwsSolutions-COG8",
        "The Plus plan's threat protection is priced per monthly active user: for a province's "
        "population that is a standing cost the staff pool (on Plus) does not have. Citizens' accounts "
        "can only see and file their own dossiers.",
    )

    _ack(
        schedules.dead_letter_queue,
        "AwsSolutions-SQS3",
        "It is itself a dead-letter queue: the daily schedule's, for sweeps the scheduler could not deliver.",
    )
    _ack(
        schedules.role,
        f"AwsSolutions-IAM5[Resource::{_arn(stack, schedules.sweep)}:*]",
        "The scheduler may invoke the sweep function and its qualified ARNs (versions, aliases) "
        "of that one function, as CDK's grant writes it.",
    )

    distribution = frontend.distribution
    _ack(
        distribution,
        "AwsSolutions-CFR1",
        "No geographic restriction: Vietnamese abroad, foreign investors and foreign workers file "
        "dossiers too (work permits, business registration).",
    )
    _ack(
        distribution,
        "AwsSolutions-CFR4",
        "The distribution uses CloudFront's default *.cloudfront.net certificate, whose TLS policy "
        "CloudFront sets; a province serving its own domain attaches an ACM certificate and TLSv1.2_2021.",
    )
    for secret in origin.secrets:
        _ack(
            secret,
            "AwsSolutions-SMG4",
            "The origin secret is read by CloudFormation alone, at deploy time, into the distribution's "
            "origin header and the API web ACL's rule; a rotation Lambda changing it in Secrets Manager "
            "would change neither and block every API request. It is rotated by a new generation and a "
            "deploy, the web ACL accepting the previous one meanwhile (docs/operations.md, 6.5).",
        )
    if reconciliation is not None:
        _reconciliation(stack, data, reconciliation)
    if payments is not None:
        _ack(
            payments.secret,
            "AwsSolutions-SMG4",
            "The payment gateway's terminal code and hash secret are issued by the gateway, not "
            "generated: they change when the gateway issues new ones, and the operators put them in "
            'the secret (docs/payments.md, "On AWS"); a rotation Lambda could not obtain them.',
        )
    _recount(stack, data, recount)
    _bucket_deployment(stack)
    _aws_custom_resource(stack)


def _data_access(stack: Stack, data: Data, roles: Iterable[iam.IRole | None]) -> None:
    for role in roles:
        owner = _arn_owner(role)
        _ack(
            owner,
            f"AwsSolutions-IAM5[Resource::{_arn(stack, data.table)}/index/*]",
            "Queries on the dossiers table's own indexes (GSI1-3: a citizen's dossiers, inboxes, "
            "deadlines); the wildcard is over that table's index names only.",
        )
        _ack(owner, "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]", KMS_VARIANTS)
        _ack(owner, "AwsSolutions-IAM5[Action::kms:ReEncrypt*]", KMS_VARIANTS)


def _recount(stack: Stack, data: Data, recount: Recount) -> None:
    """The recount's function and state machine (infra/constructs/recount.py)."""
    function, machine = _arn_owner(recount.function.role), _arn_owner(recount.state_machine.role)
    _unscoped_only([function, machine])
    prefix = f"AwsSolutions-IAM5[Resource::{_arn(stack, recount.bucket)}/{RECOUNT_PREFIX}*]"
    for role, what in (
        (
            function,
            "writes the table's export there, reads its data files, writes and reads each file's sums",
        ),
        (machine, "reads the export's manifest and writes the distributed map's results"),
    ):
        _ack(
            role,
            prefix,
            f"The recount {what}: objects under the recount prefix of the recount bucket "
            "(named by the run and by DynamoDB's export id), nothing else.",
        )
        _ack(role, "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]", KMS_VARIANTS)
        _ack(role, "AwsSolutions-IAM5[Action::kms:ReEncrypt*]", KMS_VARIANTS)
    _ack(
        function,
        f"AwsSolutions-IAM5[Resource::{_arn(stack, data.table)}/export/*]",
        "DescribeExport of the dossiers table's own exports (each named by an id DynamoDB chooses when "
        "the recount starts it); no other table's.",
    )
    _ack(
        machine,
        f"AwsSolutions-IAM5[Resource::{_arn(stack, recount.function)}:*]",
        "The state machine invokes the recount function (and its qualified ARNs, as CDK's grant "
        "writes it), that one function only.",
    )
    _ack(
        machine,
        f"AwsSolutions-IAM5[Resource::arn:{_known(stack.partition, 'AWS::Partition')}:states:"
        f"{_known(stack.region, 'AWS::Region')}:{_known(stack.account, 'AWS::AccountId')}:"
        f"execution:{recount.state_machine_name}:*]",
        "The distributed map's child executions, which are executions of this very state machine "
        "(named by Step Functions at run time): described and stopped by it, no other machine's.",
    )


def _unscoped_only(
    roles: Iterable[iam.IRole | None], *, also: frozenset[str] = frozenset(), reason: str = UNSCOPED_REASON
) -> None:
    """Acknowledge `Resource::*` on a role only if every such statement is an unscopable action
    (or one of `also`, which `reason` then explains)."""
    for role in roles:
        owner = _arn_owner(role)
        stack = Stack.of(owner)
        for policy in owner.node.find_all():
            if not isinstance(policy, iam.CfnPolicy):
                continue
            document: dict[str, Any] = stack.resolve(policy.policy_document)
            for statement in document.get("Statement", []):
                resources = _list(statement.get("Resource"))
                if statement.get("Effect") != "Allow" or "*" not in resources:
                    continue
                scoped = sorted(set(_list(statement.get("Action"))) - UNSCOPED_ACTIONS - also)
                if scoped:
                    raise ValueError(f"{owner.node.path}: {scoped} granted on Resource '*'; scope them")
        _ack(owner, "AwsSolutions-IAM5[Resource::*]", reason)


def _bucket_deployment(stack: Stack) -> None:
    """CDK's BucketDeployment handler (one per stack), which copies the portal at deploy time."""
    for child in stack.node.children:
        if not child.node.id.startswith("Custom::CDKBucketDeployment"):
            continue
        reason = (
            "CDK's BucketDeployment handler, run by CloudFormation at deploy time to copy the portal's "
            "files from CDK's asset bucket into the site bucket and invalidate CloudFront: its role, "
            "policies and runtime are CDK's own, limited to those two buckets and the distribution."
        )
        role = child.node.find_child("ServiceRole")
        _ack(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            reason,
        )
        for finding in (
            "Action::s3:GetBucket*",
            "Action::s3:GetObject*",
            "Action::s3:List*",
            "Action::s3:Abort*",
            "Action::s3:DeleteObject*",
            "Resource::*",
            f"Resource::{_asset_bucket(stack)}/*",
        ):
            _ack(role, f"AwsSolutions-IAM5[{finding}]", reason)
        for site in _site_buckets(stack):
            _ack(role, f"AwsSolutions-IAM5[Resource::{site}/*]", reason)
        _ack(child, "AwsSolutions-L1", reason)


def _known(value: str, pseudo: str) -> str:
    """A pseudo parameter as cdk-nag writes it: the literal once known, else `<AWS::…>`."""
    return f"<{pseudo}>" if Token.is_unresolved(value) else value


def _asset_bucket(stack: Stack) -> str:
    """CDK's asset bucket as cdk-nag writes it: the account and region literal once known."""
    partition = _known(stack.partition, "AWS::Partition")
    account, region = _known(stack.account, "AWS::AccountId"), _known(stack.region, "AWS::Region")
    return f"arn:{partition}:s3:::cdk-hnb659fds-assets-{account}-{region}"


def _aws_custom_resource(stack: Stack) -> None:
    """CDK's AwsCustomResource handler (one per stack): it sets the attachments bucket's CORS at deploy
    time (infra/constructs/data.py says why), allowed s3:PutBucketCORS on that bucket only."""
    for child in stack.node.children:
        if child.node.id == "AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", ""):
            _ack(
                child.node.find_child("ServiceRole"),
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                "CDK's AwsCustomResource handler, run by CloudFormation at deploy time to set the "
                "attachments bucket's CORS rule: its role's managed policy is CDK's own logging policy; "
                "its one other permission is s3:PutBucketCORS on that bucket.",
            )


def _site_buckets(stack: Stack) -> list[str]:
    from aws_cdk import aws_s3 as s3

    return [
        _arn(stack, bucket)
        for bucket in stack.node.find_all()
        if isinstance(bucket, s3.Bucket) and bucket.node.id == "Site"
    ]


def _ack(construct: IConstruct, finding: str, reason: str) -> None:
    Validations.of(construct).acknowledge(Acknowledgment(id=finding, reason=reason))


def _arn(stack: Stack, construct: IConstruct) -> str:
    """How cdk-nag writes a resource's ARN in a finding: `<LogicalId.Arn>`."""
    cfn = construct.node.default_child
    return f"<{stack.resolve(cfn.logical_id)}.Arn>"  # type: ignore[union-attr]


def _arn_owner(role: iam.IRole | None) -> iam.IRole:
    if role is None:
        raise ValueError("a function without a role")
    return role


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _reconciliation(stack: Stack, data: Data, reconciliation: DailyReconciliation) -> None:
    """The daily reconciliation's function and schedule (infra/constructs/reconciliation.py)."""
    role = _arn_owner(reconciliation.function.role)
    _data_access(stack, data, [role])
    _unscoped_only([role])
    if reconciliation.file_prefix is not None:
        _ack(
            role,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::{reconciliation.file_prefix}*]",
            "The gateway's daily reconciliation files: the objects under the prefix the province file "
            "names (one per day), read only.",
        )
    _ack(
        reconciliation.dead_letter_queue,
        "AwsSolutions-SQS3",
        "It is itself a dead-letter queue: the reconciliation schedule's, for runs it could not deliver.",
    )
    _ack(
        reconciliation.role,
        f"AwsSolutions-IAM5[Resource::{_arn(stack, reconciliation.function)}:*]",
        "The scheduler may invoke the reconciliation function and its qualified ARNs (versions, "
        "aliases) of that one function, as CDK's grant writes it.",
    )
