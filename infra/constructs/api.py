"""API: the Chalice app on Lambda behind API Gateway (REST), with a Cognito authorizer, request
validation, stage throttling (the province file's `api` limits), access logs and a WAF web ACL.

Why a RestApi with one method per route, and not a SpecRestApi built from the OpenAPI document:
the portal reaches the API through CloudFront (`/v1/*`, the same origin as the portal, so no CORS),
and the function needs the portal's address (MOTCUA_PORTAL_URL). A SpecRestApi's body names the
function, so the distribution (which names the API) would depend on the function and the function on
the distribution: a cycle. A RestApi resource names nothing; its methods name the function. The
methods are still the OpenAPI document's operations (infra/routes.py reads it), and so is who may call
each one: every operation that is not public gets the Cognito authorizer of both user pools. (API
Gateway also imports OpenAPI 3.0 only; the app's document is 3.1.)

PDFs pass both ways: results are served as application/pdf and POST /v1/verify takes one as its
body. API Gateway hands such bodies to Lambda base64-encoded, and turns the function's base64 back
into bytes, only for the API's binary media types and (for responses) a request whose Accept header
names one first (API Gateway reads only the first).

Errors that API Gateway answers itself (authorizer, validation, throttling, WAF, unknown route) have
the contract's shape, `{"error": {"code", "message", "fields"}}`, so a client reads them like the
app's own; their message is in Vietnamese and English together, as API Gateway cannot read
Accept-Language.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.constructs.runtime import LOG_RETENTION
from infra.routes import JSON

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from aws_cdk import aws_cognito as cognito

    from infra.constructs.origin import OriginSecret
    from infra.constructs.runtime import Runtime
    from infra.routes import Route
    from motcua.config.province import ApiLimits

# The stage's path segment; CloudFront's `/v1/*` behaviour forwards to /<STAGE>/v1/*.
STAGE = "api"
# The alias API Gateway invokes: the latest published version, which SnapStart restores from a snapshot.
LIVE_ALIAS = "live"
# Bodies API Gateway passes as bytes (base64 to and from Lambda) rather than as text.
BINARY_MEDIA_TYPES = ("application/pdf",)
API_TIMEOUT = Duration.seconds(29)  # API Gateway's integration limit
# How much of a body WAF reads (AssociationConfig; API Gateway's default is 16 KB, the most 64 KB).
# The managed rules' body rules see this much; a JSON body longer than it is blocked by our own rule
# (OversizeHandling MATCH) instead of passing with its tail unread. Filings are well under it; the
# app caps bodies at 256 KiB, and documents to verify (PDF bytes) skip the body rules altogether.
BODY_INSPECTION = "KB_64"
BODY_INSPECTION_BYTES = 64 * 1024

_ERRORS: dict[apigw.ResponseType, tuple[str, str, str, str]] = {
    apigw.ResponseType.UNAUTHORIZED: (
        "401",
        "unauthenticated",
        "Cần đăng nhập.",
        "Sign-in is required.",
    ),
    apigw.ResponseType.ACCESS_DENIED: ("403", "forbidden", "Không có quyền.", "Not allowed."),
    apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN: (
        "404",
        "not_found",
        "Không tìm thấy.",
        "Not found.",
    ),
    apigw.ResponseType.BAD_REQUEST_PARAMETERS: (
        "400",
        "bad_request",
        "Thiếu tham số bắt buộc của yêu cầu.",
        "A required request parameter is missing.",
    ),
    apigw.ResponseType.BAD_REQUEST_BODY: (
        "400",
        "body_not_object",
        "Nội dung yêu cầu phải là một đối tượng JSON.",
        "The request body must be a JSON object.",
    ),
    apigw.ResponseType.REQUEST_TOO_LARGE: (
        "413",
        "payload_too_large",
        "Nội dung yêu cầu quá lớn.",
        "The request body is too large.",
    ),
    apigw.ResponseType.THROTTLED: (
        "429",
        "too_many_requests",
        "Quá nhiều yêu cầu, vui lòng thử lại sau.",
        "Too many requests; please try again later.",
    ),
    apigw.ResponseType.WAF_FILTERED: ("403", "forbidden", "Yêu cầu bị chặn.", "The request was blocked."),
    apigw.ResponseType.DEFAULT_4_XX: ("", "bad_request", "Yêu cầu không hợp lệ.", "The request is invalid."),
    apigw.ResponseType.DEFAULT_5_XX: (
        "",
        "internal_error",
        "Hệ thống đang gặp sự cố, vui lòng thử lại sau.",
        "Something went wrong on our side; please try again later.",
    ),
}

_ACCESS_LOG = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integration.latency",
    "user": "$context.authorizer.claims.sub",
    "authorizerError": "$context.authorizer.error",
    "integrationError": "$context.integration.error",
    "wafStatus": "$context.waf.status",
    "error": "$context.error.responseType",
}


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        runtime: Runtime,
        environment: Mapping[str, str],
        routes: Sequence[Route],
        user_pools: Sequence[cognito.IUserPool],
        limits: ApiLimits,
        origin: OriginSecret,
        rules: Callable[[int], Sequence[wafv2.CfnWebACL.RuleProperty]] | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.limits = limits
        self.origin = origin
        # More rules for the web ACL, after its own, given their first priority (the IPN's sources).
        self.more_rules = rules
        self.function: lambda_.Function = runtime.function(
            self,
            "Handler",
            name="api",
            handler="app.app",  # Chalice's app object is the Lambda handler
            description="motcua REST API (Chalice)",
            environment=environment,
            timeout=API_TIMEOUT,
            memory_size=1024,
            # What a citizen waits for on a cold start is the restore of a snapshot taken after the
            # app's imports and its container were built, not those (docs/cost.md, "Cold start").
            snap_start=True,
        )
        # API Gateway calls the alias: $LATEST never starts from the snapshot. A deploy that changes
        # the function publishes a new version (its hash changes) and moves the alias to it.
        self.live = lambda_.Alias(self, "Live", alias_name=LIVE_ALIAS, version=self.function.current_version)
        self.access_logs = logs.LogGroup(self, "AccessLogs", retention=LOG_RETENTION)
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=f"{Stack.of(self).stack_name}-api",
            description="motcua REST API (/v1)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            binary_media_types=list(BINARY_MEDIA_TYPES),
            # The account's CloudWatch role, which execution logging needs.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE,
                throttling_rate_limit=limits.rate_limit,
                throttling_burst_limit=limits.burst_limit,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.custom(json.dumps(_ACCESS_LOG)),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # request bodies carry citizens' personal data
                metrics_enabled=True,
                tracing_enabled=True,
            ),
        )
        for response_type, (status, code, vi, en) in _ERRORS.items():
            body = {"error": {"code": code, "message": f"{vi} / {en}", "fields": []}}
            self.rest_api.add_gateway_response(
                f"Error{response_type.response_type}",
                type=response_type,
                status_code=status or None,
                templates={"application/json": json.dumps(body, ensure_ascii=False)},
                response_headers={"Cache-Control": "'no-store'", "X-Content-Type-Options": "'nosniff'"},
            )
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "Authorizer",
            cognito_user_pools=list(user_pools),
            identity_source=apigw.IdentitySource.header("Authorization"),
            results_cache_ttl=Duration.minutes(5),
        )
        self.validator = self.rest_api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True
        )
        json_object = self.rest_api.add_model(
            "JsonObject",
            content_type="application/json",
            description="A JSON object; the app checks its fields.",
            schema=apigw.JsonSchema(schema=apigw.JsonSchemaVersion.DRAFT4, type=apigw.JsonSchemaType.OBJECT),
        )
        # One permission for the whole API, not one per method: a function's policy has a size limit.
        integration = apigw.LambdaIntegration(self.live, proxy=True, scope_permission_to_method=False)
        self.methods: dict[tuple[str, str], apigw.Method] = {}
        self.public_methods: list[apigw.Method] = []
        for route in routes:
            resource = self.rest_api.root.resource_for_path(route.path)
            method = self.methods[(route.method, route.path)] = resource.add_method(
                route.method,
                integration,
                operation_name=route.operation_id,
                authorization_type=apigw.AuthorizationType.NONE
                if route.public
                else apigw.AuthorizationType.COGNITO,
                authorizer=None if route.public else self.authorizer,
                request_parameters=dict(route.parameters) or None,
                request_validator=self.validator,
                # A JSON body must be an object; a binary one (a PDF) is the app's to check.
                request_models={JSON: json_object} if route.json_body else None,
            )
            if route.public:
                self.public_methods.append(method)
        # Documents posted whole (a PDF to verify) are bytes that the common rule set's body rules
        # (cross-site scripting, file inclusion) misread; those routes skip the rule group.
        self.binary_body_routes = [route for route in routes if route.has_body and not route.json_body]
        self.web_acl = self._web_acl()
        wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            resource_arn=self.rest_api.deployment_stage.stage_arn,
            web_acl_arn=self.web_acl.attr_arn,
        )

    def _web_acl(self) -> wafv2.CfnWebACL:
        def visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
            )

        # Every request comes through CloudFront, which adds the origin secret; one without it called
        # the execute-api endpoint directly, around the distribution, and is blocked before anything else.
        through_cloudfront = wafv2.CfnWebACL.RuleProperty(
            name="not-through-cloudfront",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=_carries(self.origin))
            ),
            visibility_config=visibility("not-through-cloudfront"),
        )
        common = wafv2.CfnWebACL.RuleProperty(
            name="aws-common-rule-set",
            priority=1,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS",
                    name="AWSManagedRulesCommonRuleSet",
                    # Filings are JSON bodies above its 8 KB limit; "body-longer-than-inspected" and
                    # the app (256 KiB) bound them instead.
                    rule_action_overrides=[
                        wafv2.CfnWebACL.RuleActionOverrideProperty(
                            name="SizeRestrictions_BODY",
                            action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={}),
                        )
                    ],
                    scope_down_statement=_except(self.binary_body_routes),
                )
            ),
            visibility_config=visibility("aws-common-rule-set"),
        )
        rate = wafv2.CfnWebACL.RuleProperty(
            name="rate-per-ip",
            priority=2,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=self.limits.ip_limit, aggregate_key_type="IP"
                )
            ),
            visibility_config=visibility("rate-per-ip"),
        )
        # The managed rules read a body only as far as BODY_INSPECTION and let the rest through
        # (their oversize handling is AWS's, CONTINUE): a payload padded past it would go unread.
        # A text body longer than WAF reads is blocked here; a document (a PDF to verify) is bytes the
        # body rules skip anyway, and the app reads it as a PDF, never as text or HTML.
        oversize = wafv2.CfnWebACL.StatementProperty(
            size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                    body=wafv2.CfnWebACL.BodyProperty(oversize_handling="MATCH")
                ),
                comparison_operator="GT",
                size=BODY_INSPECTION_BYTES,
                text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
            )
        )
        not_binary = _except(self.binary_body_routes)
        body_too_long = wafv2.CfnWebACL.RuleProperty(
            name="body-longer-than-inspected",
            priority=3,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=oversize
            if not_binary is None
            else wafv2.CfnWebACL.StatementProperty(
                and_statement=wafv2.CfnWebACL.AndStatementProperty(statements=[oversize, not_binary])
            ),
            visibility_config=visibility("body-longer-than-inspected"),
        )
        return wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[
                through_cloudfront,
                common,
                rate,
                body_too_long,
                *(self.more_rules(4) if self.more_rules else ()),
            ],
            association_config=wafv2.CfnWebACL.AssociationConfigProperty(
                request_body={
                    "API_GATEWAY": wafv2.CfnWebACL.RequestBodyAssociatedResourceTypeConfigProperty(
                        default_size_inspection_limit=BODY_INSPECTION
                    )
                }
            ),
            visibility_config=visibility("motcua-api"),
        )


def _carries(origin: OriginSecret) -> wafv2.CfnWebACL.StatementProperty:
    """A statement true for a request whose origin header is one of the secret's accepted values."""
    matches = [
        wafv2.CfnWebACL.StatementProperty(
            byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                    single_header={"Name": origin.header.lower()}
                ),
                positional_constraint="EXACTLY",
                search_string=value,
                text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
            )
        )
        for value in origin.accepted
    ]
    if len(matches) == 1:
        return matches[0]
    return wafv2.CfnWebACL.StatementProperty(
        or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=matches)
    )


def _except(routes: Sequence[Route]) -> wafv2.CfnWebACL.StatementProperty | None:
    """A statement true for every request but those to `routes` (by method and path), if any."""
    if not routes:
        return None

    def matches(route: Route) -> wafv2.CfnWebACL.StatementProperty:
        if "{" in route.path:
            raise ValueError(f"{route.method} {route.path}: a binary body on a templated path; match it")

        def byte_match(
            field: wafv2.CfnWebACL.FieldToMatchProperty, value: str, where: str
        ) -> wafv2.CfnWebACL.StatementProperty:
            return wafv2.CfnWebACL.StatementProperty(
                byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                    field_to_match=field,
                    positional_constraint=where,
                    search_string=value,
                    text_transformations=[
                        wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                    ],
                )
            )

        # The path WAF sees starts with the stage (/api/v1/verify): match its end.
        return wafv2.CfnWebACL.StatementProperty(
            and_statement=wafv2.CfnWebACL.AndStatementProperty(
                statements=[
                    byte_match(wafv2.CfnWebACL.FieldToMatchProperty(method={}), route.method, "EXACTLY"),
                    byte_match(wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}), route.path, "ENDS_WITH"),
                ]
            )
        )

    statements = [matches(route) for route in routes]
    any_of = (
        statements[0]
        if len(statements) == 1
        else wafv2.CfnWebACL.StatementProperty(
            or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=statements)
        )
    )
    return wafv2.CfnWebACL.StatementProperty(
        not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=any_of)
    )
