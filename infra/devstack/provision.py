"""Creates the platform's resources on a local endpoint (moto) from the specs the CDK app uses."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from motcua import asl as workflow
from motcua.domain import passwords
from motcua.resources import (
    BUCKET,
    CITIZEN_POOL,
    NOTIFY_QUEUE,
    ROUTING_QUEUE,
    SIGNING,
    STAFF_POOL,
    STATS_QUEUE,
    TABLE,
    QueueSpec,
    UserPoolSpec,
)

if TYPE_CHECKING:
    from motcua.config.province import Province

# Any role will do for moto; on AWS the CDK app makes one per state machine.
LOCAL_ROLE = "arn:aws:iam::123456789012:role/motcua-local-flows"


@dataclass(frozen=True)
class Outputs:
    """What the functions need to find the resources: their environment."""

    table_name: str
    bucket_name: str
    citizen_pool_id: str
    citizen_client_id: str
    staff_pool_id: str
    staff_client_id: str
    routing_queue_url: str = ""
    state_machines: dict[str, str] = field(default_factory=dict)
    # The notification pipe's two ends: the table's stream and the queue the notifier reads.
    table_stream_arn: str = ""
    notify_queue_url: str = ""
    # The statistics pipe's queue, read by the stats worker (docs/statistics.md).
    stats_queue_url: str = ""
    # "CA" and every competent agency -> the KMS key that signs for it (MOTCUA_SIGNING_KEYS).
    signing_keys: dict[str, str] = field(default_factory=dict)
    # The payment gateway's terminal code and hash secret (docs/payments.md), when the province pays online.
    payment_secret: str = ""
    # The KMS HMAC key of the rating links (MOTCUA_RATING_KEY, docs/ratings.md).
    rating_key: str = ""

    def environment(self) -> dict[str, str]:
        return {
            f"MOTCUA_{name.upper()}": value if isinstance(value, str) else json.dumps(value)
            for name, value in asdict(self).items()
        }


def provision(
    *,
    clients: Any,
    province: Province,
    prefix: str,
    region: str,
    cors_origins: list[str],
    signing: bool = True,
) -> Outputs:
    """Create (or find) every resource; running it twice changes nothing. `clients(name)` gives a client.

    `signing=False` leaves out the signing keys and certificates (a second or more of RSA key
    generation): for tests that never sign a result.
    """
    table_name = f"{prefix}-dossiers"
    bucket_name = f"{prefix}-attachments"
    _table(clients("dynamodb"), table_name, province)
    _bucket(clients("s3"), bucket_name, region, cors_origins)
    citizen_pool, citizen_client = _pool(clients("cognito-idp"), f"{prefix}-citizens", CITIZEN_POOL)
    staff_pool, staff_client = _pool(clients("cognito-idp"), f"{prefix}-staff", STAFF_POOL)
    routing_queue = _queue(clients("sqs"), f"{prefix}-{ROUTING_QUEUE.key}", ROUTING_QUEUE)
    machines = _state_machines(clients("stepfunctions"), prefix, province, routing_queue)
    notify_queue = _queue(clients("sqs"), f"{prefix}-{NOTIFY_QUEUE.key}", NOTIFY_QUEUE)
    stats_queue = _queue(clients("sqs"), f"{prefix}-{STATS_QUEUE.key}", STATS_QUEUE)
    _sender(clients("ses"), province.sender_email)
    return Outputs(
        table_name,
        bucket_name,
        citizen_pool,
        citizen_client,
        staff_pool,
        staff_client,
        routing_queue,
        machines,
        table_stream_arn=_stream(clients("dynamodb"), table_name),
        notify_queue_url=notify_queue,
        stats_queue_url=stats_queue,
        signing_keys=_signing_keys(clients("kms"), clients("dynamodb"), table_name, province, prefix)
        if signing
        else {},
        payment_secret=_payment_secret(clients("secretsmanager"), prefix) if province.payments else "",
        rating_key=_rating_key(clients("kms"), prefix),
    )


def _payment_secret(secretsmanager: Any, prefix: str) -> str:
    """The sandbox merchant's terminal code and a hash secret of its own, kept as AWS keeps them (on AWS
    the province's operators put the gateway's real ones there, docs/payments.md)."""
    import secrets

    name = f"{prefix}/payments/vnpay"
    try:
        secretsmanager.describe_secret(SecretId=name)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        value = {"tmn_code": "MOTCUA01", "hash_secret": secrets.token_hex(16).upper()}
        secretsmanager.create_secret(Name=name, SecretString=json.dumps(value))
    return name


def _rating_key(kms: Any, prefix: str) -> str:
    """The HMAC key that signs the rating links, found again by its alias on the next start."""
    alias = f"alias/{prefix}/rating-links"
    found: dict[str, str] = {
        a["AliasName"]: a.get("TargetKeyId", "") for a in kms.list_aliases(Limit=100)["Aliases"]
    }
    if found.get(alias):
        return found[alias]
    key_id: str = kms.create_key(
        KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC", Description="motcua local: signs rating links"
    )["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return key_id


def _signing_keys(kms: Any, dynamodb: Any, table: str, province: Province, prefix: str) -> dict[str, str]:
    """A sign-only KMS key for the province's local CA and for each competent agency, found again by
    alias on the next start; then the certificates, issued by that CA as the stack is set up: by the
    CertificateAuthority the PKI function runs on AWS (there at each deploy, by a custom resource)."""
    from motcua.adapters.certificates import DynamoCertificateStore
    from motcua.signing.issuing import CertificateAuthority
    from motcua.signing.pki import PkiProfile

    aliases = {a["AliasName"]: a.get("TargetKeyId", "") for a in kms.list_aliases(Limit=100)["Aliases"]}
    keys: dict[str, str] = {}
    for owner in (SIGNING.ca, *sorted({procedure.agency for procedure in province.procedures})):
        alias = f"alias/{prefix}/signing/{owner.replace('.', '-')}"
        if not aliases.get(alias):
            key_id = kms.create_key(
                KeySpec=SIGNING.key_spec,
                KeyUsage=SIGNING.key_usage,
                Description=f"motcua local: signs for {owner}",
            )["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=alias, TargetKeyId=key_id)
            aliases[alias] = key_id
        keys[owner] = aliases[alias]
    profile = PkiProfile.from_settings(
        keys, province=province.name.vi, agency_names={a.code: a.name.vi for a in province.agencies}
    )
    CertificateAuthority(
        kms_client=kms, store=DynamoCertificateStore(dynamodb, table), profile=profile
    ).issue()
    return keys


def _sender(ses: Any, address: str) -> None:
    """The province's sender domain, verified (on AWS: the SES identity with its DKIM records)."""
    ses.verify_domain_identity(Domain=address.rpartition("@")[2])


def _stream(dynamodb: Any, name: str) -> str:
    """The table's stream (switched on for a table from an older data folder); its ARN."""
    table = dynamodb.describe_table(TableName=name)["Table"]
    if not table.get("StreamSpecification", {}).get("StreamEnabled"):
        table = dynamodb.update_table(
            TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": TABLE.stream_view}
        )["TableDescription"]
    arn: str = table["LatestStreamArn"]
    return arn


def _queue(sqs: Any, name: str, spec: QueueSpec) -> str:
    dlq = sqs.create_queue(
        QueueName=f"{name}-dlq",
        Attributes={"MessageRetentionPeriod": str(spec.dlq_retention_days * 86_400)},
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(spec.max_receives)})
    url: str = sqs.create_queue(
        QueueName=name,
        Attributes={"VisibilityTimeout": str(spec.visibility_timeout), "RedrivePolicy": redrive},
    )["QueueUrl"]
    return url


def _state_machines(sfn: Any, prefix: str, province: Province, queue_url: str) -> dict[str, str]:
    """One state machine per procedure with a flow, from the same ASL the CDK app deploys."""
    existing = {
        m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines(maxResults=1000)["stateMachines"]
    }
    arns: dict[str, str] = {}
    for procedure in province.procedures:
        if procedure.flow is None:
            continue
        name = workflow.state_machine_name(prefix, procedure.code)
        document = workflow.substitute(
            workflow.definition(procedure), {workflow.QUEUE_SUBSTITUTION: queue_url}
        )
        if name in existing:
            sfn.update_state_machine(stateMachineArn=existing[name], definition=document)
            arns[procedure.code] = existing[name]
        else:
            arns[procedure.code] = sfn.create_state_machine(
                name=name, definition=document, roleArn=LOCAL_ROLE, type="STANDARD"
            )["stateMachineArn"]
    return arns


def _table(dynamodb: Any, name: str, province: Province) -> None:
    attributes = {TABLE.partition_key, TABLE.sort_key}
    for index in TABLE.indexes:
        attributes |= {index.partition_key, index.sort_key}
    try:
        dynamodb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
            KeySchema=[
                {"AttributeName": TABLE.partition_key, "KeyType": "HASH"},
                {"AttributeName": TABLE.sort_key, "KeyType": "RANGE"},
            ],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": TABLE.stream_view},
            GlobalSecondaryIndexes=[
                {
                    "IndexName": index.name,
                    "KeySchema": [
                        {"AttributeName": index.partition_key, "KeyType": "HASH"},
                        {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index in TABLE.indexes
            ],
        )
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TABLE.ttl_attribute}
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise
        added = _add_missing_indexes(dynamodb, name)
        if "GSI3" in added:
            from motcua.adapters.dynamodb import DynamoDossierRepository

            # Items written before the index existed carry no keys for it: give them theirs.
            DynamoDossierRepository(dynamodb, name).backfill_deadlines()
        if "GSI4" in added:
            from motcua.adapters.statistics_index import backfill

            # The same for the statistics' drill-down (and the counters' per-procedure fields).
            backfill(dynamodb, name, province.working_calendar)


def _add_missing_indexes(dynamodb: Any, name: str) -> list[str]:
    """A table from an older data folder gets the indexes added since (one per call, as DynamoDB asks);
    the names of those it added."""
    table = dynamodb.describe_table(TableName=name)["Table"]
    present = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    added: list[str] = []
    for index in TABLE.indexes:
        if index.name in present:
            continue
        added.append(index.name)
        dynamodb.update_table(
            TableName=name,
            AttributeDefinitions=[
                {"AttributeName": index.partition_key, "AttributeType": "S"},
                {"AttributeName": index.sort_key, "AttributeType": "S"},
            ],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": index.name,
                        "KeySchema": [
                            {"AttributeName": index.partition_key, "KeyType": "HASH"},
                            {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                }
            ],
        )
    return added


def _bucket(s3: Any, name: str, region: str, cors_origins: list[str]) -> None:
    try:
        if region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    s3.put_bucket_cors(
        Bucket=name,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": cors_origins,
                    "AllowedMethods": list(BUCKET.cors_methods),
                    "AllowedHeaders": list(BUCKET.cors_headers),
                    "MaxAgeSeconds": BUCKET.cors_max_age,
                }
            ]
        },
    )


# The pools' password policy (NIST 800-63B): a length, no composition rules; as on AWS.
PASSWORD_POLICY = {
    "MinimumLength": passwords.MIN_LENGTH,
    "RequireUppercase": False,
    "RequireLowercase": False,
    "RequireNumbers": False,
    "RequireSymbols": False,
}


def _pool(cognito: Any, name: str, spec: UserPoolSpec) -> tuple[str, str]:
    existing = [p for p in cognito.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == name]
    if existing:
        pool_id = existing[0]["Id"]
    else:
        pool_id = cognito.create_user_pool(
            PoolName=name,
            Policies={"PasswordPolicy": PASSWORD_POLICY},
            UsernameAttributes=list(spec.username_attributes),
            AutoVerifiedAttributes=list(spec.auto_verified),
            AccountRecoverySetting={
                "RecoveryMechanisms": [
                    {"Priority": n, "Name": name} for n, name in enumerate(spec.recovery, start=1)
                ]
            },
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": not spec.self_sign_up},
            Schema=[
                {"Name": "name", "AttributeDataType": "String", "Mutable": True},
                *(
                    {"Name": attr, "AttributeDataType": "String", "Mutable": True}
                    for attr in spec.custom_attributes
                ),
            ],
        )["UserPool"]["Id"]
        for group in spec.groups:
            cognito.create_group(GroupName=group, UserPoolId=pool_id)
    if spec.mfa_required and cognito.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] != "ON":
        # As on AWS: a new officer sets up an authenticator app at the first sign-in (the demo's
        # accounts, whose passwords are set already, sign in without; moto asks them for no code).
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
        )
    settings = {
        "ClientName": f"{name}-portal",
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        "ReadAttributes": list(spec.token_attributes),
        "WriteAttributes": list(spec.self_writable),
    }
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    if clients:
        client_id: str = clients[0]["ClientId"]
        client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
        if set(client.get("ReadAttributes", [])) != set(spec.token_attributes) or set(
            client.get("WriteAttributes", [])
        ) != set(spec.self_writable):
            # A pool from an older data folder: its tokens carry what the spec says now.
            cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, **settings)
        return pool_id, client_id
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, GenerateSecret=False, **settings)[
        "UserPoolClient"
    ]["ClientId"]
    return pool_id, client_id


def create_staff(
    cognito: Any, *, pool_id: str, username: str, password: str, name: str, email: str, agency: str, role: str
) -> None:
    """An officer as an admin creates one: agency and role in the token, password already set."""
    try:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "name", "Value": name},
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "custom:agency_code", "Value": agency},
                {"Name": "custom:role", "Value": role},
            ],
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "UsernameExistsException":
            raise
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=role)


def create_citizen(
    cognito: Any,
    *,
    pool_id: str,
    email: str,
    password: str,
    name: str,
    phone: str,
    email_verified: bool = True,
    phone_verified: bool = True,
) -> None:
    """A confirmed citizen, as if they had signed up and confirmed their email (and, with a phone,
    its code too): messages go only to verified contacts."""
    attributes = [
        {"Name": "name", "Value": name},
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": str(email_verified).lower()},
    ]
    if phone:
        attributes += [
            {"Name": "phone_number", "Value": phone},
            {"Name": "phone_number_verified", "Value": str(phone_verified).lower()},
        ]
    try:
        cognito.admin_create_user(
            UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS", UserAttributes=attributes
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "UsernameExistsException":
            raise
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
