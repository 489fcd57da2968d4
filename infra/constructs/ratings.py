"""The rating links' key: a KMS HMAC key that signs the link of the final email/SMS (docs/ratings.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from constructs import Construct

if TYPE_CHECKING:
    from aws_cdk import aws_iam as iam

# GenerateMac both signs a link and, compared in constant time, checks one (motcua.adapters.macs).
MAC_ACTIONS = ("kms:GenerateMac",)


class RatingLinks(Construct):
    """An HMAC_256 key (GENERATE_VERIFY_MAC): the secret never leaves KMS; rotation is not offered for
    HMAC keys, so a new key (a new construct id) retires the old links, which expire in 30 days anyway."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.key = kms.Key(
            self,
            "Key",
            description="motcua rating links: HMAC of the link in the final email and SMS",
            key_spec=kms.KeySpec.HMAC_256,
            key_usage=kms.KeyUsage.GENERATE_VERIFY_MAC,
            removal_policy=RemovalPolicy.DESTROY,
        )

    def environment(self) -> dict[str, str]:
        return {"MOTCUA_RATING_KEY": self.key.key_arn}

    def grant_links(self, *grantees: iam.IGrantable) -> None:
        """Make and check links: the API (the rating page) and the notifier (the final message)."""
        for grantee in grantees:
            self.key.grant(grantee, *MAC_ACTIONS)
