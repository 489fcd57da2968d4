"""Edge: the distribution's web ACL (scope CLOUDFRONT, which AWS keeps in us-east-1 only), in front
of the portal's files and the API alike.

It sees the viewer's own address, which the API's regional web ACL behind CloudFront does not (there
the source is a CloudFront server), so the per-IP rate rule that counts is this one. The API's body
rules stay in the regional web ACL, tuned for its routes (infra/constructs/api.py); here the common
rule set covers what is not the API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

if TYPE_CHECKING:
    from motcua.config.province import ApiLimits

# The API's paths, which the regional web ACL inspects with rules fitted to its bodies.
API_PREFIX = "/v1/"
# Every route that signs someone up or in, checks a code or sends one (sign-up, confirm, sign-in,
# challenges, MFA set-up, password reset and its confirmation, refresh): all public, all under it.
SIGN_IN_PREFIX = "/v1/auth/"
# Filing a dossier and asking for an upload slot: each writes to the table (and a slot lets a file
# into the bucket), so one address that files or uploads without end is stopped at the edge.
FILING_PATH = "/v1/dossiers"
UPLOADS_PATH = "/v1/uploads"
# The counter's routes that need no sign-in (docs/counter.md): the kiosk's screen and its tickets
# (GET /v1/centres/{id}/kiosk, POST /v1/centres/{id}/tickets), a ticket's page (GET
# /v1/centres/{id}/tickets/{day}/{ticket}) and an appointment's check-in (POST
# /v1/appointments/{code}/check-in). The board (polled, 304 when nothing changed) is not among them.
COUNTER_PATTERN = r"^/v1/(centres/[^/]+/(kiosk|tickets(/[^/]+/[^/]+)?)|appointments/[^/]+/check-in)$"


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


def _managed(
    name: str, priority: int, scope_down: wafv2.CfnWebACL.StatementProperty | None
) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=f"aws-{name}",
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=f"AWSManagedRules{name}", scope_down_statement=scope_down
            )
        ),
        visibility_config=_visibility(f"aws-{name}"),
    )


def _post_rate(name: str, priority: int, path: str, limit: int) -> wafv2.CfnWebACL.RuleProperty:
    """At most `limit` POSTs to exactly `path` from one IP address in any 5 minutes (WAF's window)."""
    none = [wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")]
    post_to_path = wafv2.CfnWebACL.StatementProperty(
        and_statement=wafv2.CfnWebACL.AndStatementProperty(
            statements=[
                wafv2.CfnWebACL.StatementProperty(
                    byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                        positional_constraint="EXACTLY",
                        search_string=path,
                        text_transformations=none,
                    )
                ),
                wafv2.CfnWebACL.StatementProperty(
                    byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(method={}),
                        positional_constraint="EXACTLY",
                        search_string="POST",
                        text_transformations=none,
                    )
                ),
            ]
        )
    )
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                limit=limit, aggregate_key_type="IP", scope_down_statement=post_to_path
            )
        ),
        visibility_config=_visibility(name),
    )


class EdgeWebAcl(Construct):
    def __init__(self, scope: Construct, id: str, *, limits: ApiLimits) -> None:
        super().__init__(scope, id)
        not_api = wafv2.CfnWebACL.StatementProperty(
            not_statement=wafv2.CfnWebACL.NotStatementProperty(
                statement=wafv2.CfnWebACL.StatementProperty(
                    byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                        positional_constraint="STARTS_WITH",
                        search_string=API_PREFIX,
                        text_transformations=[
                            wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                        ],
                    )
                )
            )
        )
        rate = wafv2.CfnWebACL.RuleProperty(
            name="rate-per-ip",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=limits.ip_limit, aggregate_key_type="IP"
                )
            ),
            visibility_config=_visibility("rate-per-ip"),
        )
        sign_in = wafv2.CfnWebACL.RuleProperty(
            name="sign-in-per-ip",
            priority=1,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=limits.sign_in_ip_limit,
                    aggregate_key_type="IP",
                    scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                        byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                            positional_constraint="STARTS_WITH",
                            search_string=SIGN_IN_PREFIX,
                            text_transformations=[
                                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                            ],
                        )
                    ),
                )
            ),
            visibility_config=_visibility("sign-in-per-ip"),
        )
        filing = _post_rate("filing-per-ip", 2, FILING_PATH, limits.filing_ip_limit)
        uploads = _post_rate("uploads-per-ip", 3, UPLOADS_PATH, limits.uploads_ip_limit)
        counter = wafv2.CfnWebACL.RuleProperty(
            name="counter-per-ip",
            priority=4,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=limits.counter_ip_limit,
                    aggregate_key_type="IP",
                    scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                        regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
                            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                            regex_string=COUNTER_PATTERN,
                            text_transformations=[
                                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                            ],
                        )
                    ),
                )
            ),
            visibility_config=_visibility("counter-per-ip"),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="CLOUDFRONT",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[
                rate,
                sign_in,
                filing,
                uploads,
                counter,
                # Log4j-style lookups and other known exploits, on every path, the API's too.
                _managed("KnownBadInputsRuleSet", 5, None),
                _managed("CommonRuleSet", 6, not_api),
            ],
            visibility_config=_visibility("motcua-edge"),
        )

    @property
    def arn(self) -> str:
        return self.web_acl.attr_arn
