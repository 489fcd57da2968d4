"""The payment gateway's secret and the IPN's web ACL rule (docs/payments.md, "On AWS").

The terminal code and hash secret are the gateway's, given to the province when it signs up: they are
never in the code or the template. The secret is created with an empty terminal code and a random
placeholder hash secret; the province's operators put the real ones in Secrets Manager, and until
they do the gateway refuses every order (an unknown terminal). The API function reads it (its
environment names it, MOTCUA_PAYMENT_SECRET), once per container.

The IPN route is public (the gateway calls it, signed); when the province file lists the gateway's
addresses (`payments.ipn_sources`) the API's web ACL blocks an IPN from anywhere else. The API is
reached through CloudFront, so the address is the viewer's as CloudFront appends it, last, to
X-Forwarded-For (a client can write the header's first entries, never its last).
"""

from __future__ import annotations

import ipaddress
import json
from typing import TYPE_CHECKING

from aws_cdk import RemovalPolicy
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aws_cdk import aws_lambda as lambda_

    from motcua.config.payments import PaymentSettings

SECRET_ENV = "MOTCUA_PAYMENT_SECRET"
IPN_PATH = "/payments/vnpay/ipn"  # WAF sees /<stage>/v1/payments/vnpay/ipn
IPN_RULE = "ipn-from-gateway-only"


class PaymentGateway(Construct):
    def __init__(self, scope: Construct, id: str, *, settings: PaymentSettings) -> None:
        super().__init__(scope, id)
        self.settings = settings
        self.secret = secretsmanager.Secret(
            self,
            "Secret",
            description=f"motcua: the {settings.gateway} terminal code and hash secret (operators fill it)",
            # A placeholder: an empty terminal code and a random hash secret, replaced by the operators.
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({"tmn_code": ""}),
                generate_string_key="hash_secret",
                password_length=32,
                exclude_punctuation=True,
                include_space=False,
            ),
            # The gateway's credentials outlive a stack torn down and built again.
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.ip_sets = self._ip_sets(settings.ipn_sources)

    def grant(self, function: lambda_.Function) -> None:
        """The function reads the secret (and nothing else of Secrets Manager), named in its environment."""
        self.secret.grant_read(function)
        function.add_environment(SECRET_ENV, self.secret.secret_arn)

    def _ip_sets(self, sources: Sequence[str]) -> list[wafv2.CfnIPSet]:
        by_version: dict[int, list[str]] = {}
        for source in sources:
            network = ipaddress.ip_network(source, strict=False)
            by_version.setdefault(network.version, []).append(str(network))
        return [
            wafv2.CfnIPSet(
                self,
                f"IpnSourcesV{version}",
                scope="REGIONAL",
                ip_address_version=f"IPV{version}",
                addresses=addresses,
                description="The payment gateway's addresses: the only callers of the IPN route",
            )
            for version, addresses in sorted(by_version.items())
        ]

    def web_acl_rules(self, priority: int) -> list[wafv2.CfnWebACL.RuleProperty]:
        """The rule keeping the IPN route to the gateway's addresses; none when the province lists none."""
        if not self.ip_sets:
            return []
        from_gateway = [
            wafv2.CfnWebACL.StatementProperty(
                ip_set_reference_statement=wafv2.CfnWebACL.IPSetReferenceStatementProperty(
                    arn=ip_set.attr_arn,
                    ip_set_forwarded_ip_config=wafv2.CfnWebACL.IPSetForwardedIPConfigurationProperty(
                        header_name="X-Forwarded-For", fallback_behavior="NO_MATCH", position="LAST"
                    ),
                )
            )
            for ip_set in self.ip_sets
        ]
        any_source = (
            from_gateway[0]
            if len(from_gateway) == 1
            else wafv2.CfnWebACL.StatementProperty(
                or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=from_gateway)
            )
        )
        to_ipn = wafv2.CfnWebACL.StatementProperty(
            byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                # Anywhere in the path, decoded and in lower case: no spelling of it slips by.
                positional_constraint="CONTAINS",
                search_string=IPN_PATH,
                text_transformations=[
                    wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="URL_DECODE"),
                    wafv2.CfnWebACL.TextTransformationProperty(priority=1, type="LOWERCASE"),
                ],
            )
        )
        return [
            wafv2.CfnWebACL.RuleProperty(
                name=IPN_RULE,
                priority=priority,
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    and_statement=wafv2.CfnWebACL.AndStatementProperty(
                        statements=[
                            to_ipn,
                            wafv2.CfnWebACL.StatementProperty(
                                not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=any_source)
                            ),
                        ]
                    )
                ),
                visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
                    cloud_watch_metrics_enabled=True, metric_name=IPN_RULE, sampled_requests_enabled=True
                ),
            )
        ]
