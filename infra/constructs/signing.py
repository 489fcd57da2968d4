"""Signing: the KMS keys that sign results, one per competent agency and one for the province's CA.

A result (kết quả giải quyết thủ tục hành chính) carries the digital signature of the agency that
decides it (Decree 45/2020). Each agency that receives a procedure in the province file signs with its
own asymmetric key (motcua.resources.SIGNING: RSA 3072, sign and verify); the province's certification
authority's key ("CA") signs the agencies' certificates. The private halves never leave KMS.

Two functions, two kinds of key. The API, which faces the internet, signs results with the agencies'
keys only. The CA key belongs to the PKI function (functions/pki), which alone may sign with it and
write the table's PKI partition, where the trust roots of /v1/verify live. It issues the certificates
when CloudFormation calls it (a custom resource, whose properties change with any key or agency name,
so each such deploy issues what is new), and when the API asks (a certificate about to expire, or one
missing): it takes no input, so a caller cannot choose what it issues.

The keys are kept when the stack goes (RETAIN). Asymmetric keys do not rotate automatically: a key is
replaced by a new one, its generation (CDK context GENERATIONS_CONTEXT, per province and code) one
higher; the old one is left behind, and the deploy that makes it issues the agency a new certificate
(ensure_certificates). docs/operations.md (6.1) goes step by step.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from aws_cdk import CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.constructs.runtime import LOG_RETENTION

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_lambda as lambda_

    from infra.constructs.runtime import Runtime
    from motcua.config.province import Province
    from motcua.resources import SigningSpec

SIGNING_ACTIONS = ("kms:Sign", "kms:GetPublicKey", "kms:DescribeKey")
# What issuing needs of an agency's key: its public half, to put in its certificate.
PUBLIC_KEY_ACTIONS = ("kms:GetPublicKey", "kms:DescribeKey")
# {"<province id>": {"<agency code or CA>": <generation>}}: which keys were replaced, and how often.
GENERATIONS_CONTEXT = "motcua:signing-generations"


def key_id(code: str, generation: int = 1) -> str:
    """The construct id of a signing key: `Key0000001H99` for 000.00.01.H99, `KeyCA`; from the second
    generation on, `Key0000001H99G2` (a new id is a new key)."""
    suffix = f"G{generation}" if generation > 1 else ""
    return "Key" + re.sub(r"[^A-Za-z0-9]", "", code) + suffix


def generations(context: object, province_id: str) -> dict[str, int]:
    """The province's entry of the GENERATIONS_CONTEXT context value (none: every key is the first)."""
    if context is None:
        return {}
    if isinstance(context, str):  # `cdk deploy -c` passes a string
        context = json.loads(context)
    if not isinstance(context, dict):
        raise ValueError(f"{GENERATIONS_CONTEXT} must map province ids to {{code: generation}}")
    found = context.get(province_id, {})
    if not isinstance(found, dict) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in found.values()
    ):
        raise ValueError(f"{GENERATIONS_CONTEXT}[{province_id!r}] must map codes to generations (1, 2, …)")
    return {str(code): int(n) for code, n in found.items()}


def competent_agencies(province: Province) -> list[str]:
    """The codes of the agencies that decide (and so sign) a procedure: every procedure's `agency`."""
    return sorted({procedure.agency for procedure in province.procedures})


class Signing(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: SigningSpec,
        province: Province,
        runtime: Runtime,
        environment: Mapping[str, str],
        generations: Mapping[str, int] | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.spec = spec
        signers = {
            code: f"{province.agencies_by_code[code].name.en} ({code})"
            for code in competent_agencies(province)
        }
        signers[spec.ca] = f"certification authority of {province.name.en}"
        self.generations = {code: 1 for code in signers} | dict(generations or {})
        unknown = sorted(set(self.generations) - set(signers))
        if unknown:
            raise ValueError(f"signing key generations for codes that sign nothing: {', '.join(unknown)}")
        self.keys: dict[str, kms.Key] = {
            code: kms.Key(
                self,
                key_id(code, self.generations[code]),
                description=f"motcua signing key: {who}, generation {self.generations[code]}",
                key_spec=kms.KeySpec[spec.key_spec],
                key_usage=kms.KeyUsage[spec.key_usage],
                removal_policy=RemovalPolicy.RETAIN,
            )
            for code, who in signers.items()
        }
        self.ca_key = self.keys[spec.ca]
        self.agency_keys = {code: key for code, key in self.keys.items() if code != spec.ca}

        self.function: lambda_.Function = runtime.function(
            self,
            "Pki",
            name="pki",
            description="motcua certification authority: issues the agencies' certificates with the CA key",
            environment={**environment, "MOTCUA_SIGNING_KEYS": self._keys_json(self.keys)},
            timeout=Duration.minutes(1),
        )
        self.ca_key.grant(self.function, *SIGNING_ACTIONS)
        for key in self.agency_keys.values():
            key.grant(self.function, *PUBLIC_KEY_ACTIONS)
        # CDK's provider framework answers CloudFormation for the function (and on its failure too).
        provider = cr.Provider(
            self,
            "Issuer",
            on_event_handler=self.function,
            log_group=logs.LogGroup(self, "IssuerLogs", retention=LOG_RETENTION),
        )
        # Its properties are what the certificates depend on: a new key or a renamed agency changes
        # them, and CloudFormation calls the function again.
        self.certificates = CustomResource(
            self,
            "Certificates",
            service_token=provider.service_token,
            resource_type="Custom::MotcuaCertificates",
            properties={
                "SigningKeys": self._keys_json(self.keys),
                "Province": province.name.vi,
                "Agencies": {code: province.agencies_by_code[code].name.vi for code in self.agency_keys},
            },
        )
        self.provider = provider

    def _keys_json(self, keys: Mapping[str, kms.Key]) -> str:
        return Stack.of(self).to_json_string({code: key.key_arn for code, key in keys.items()})

    def environment(self) -> dict[str, str]:
        """What a signer needs: MOTCUA_SIGNING_KEYS, agency code -> ARN of its signing key, as JSON
        (not the CA's: the signer never issues), and MOTCUA_PKI_FUNCTION, which does."""
        return {
            "MOTCUA_SIGNING_KEYS": self._keys_json(self.agency_keys),
            "MOTCUA_PKI_FUNCTION": self.function.function_name,
        }

    def grant_signing(self, grantee: iam.IGrantable) -> None:
        """Sign with, and read the public half of, the agencies' keys and no other (never the CA's);
        ask the PKI function to issue a certificate."""
        for key in self.agency_keys.values():
            key.grant(grantee, *SIGNING_ACTIONS)
        self.function.grant_invoke(grantee)
