"""Frontend: the portal (frontend/ as infra/site.py builds it) in a private bucket, served by CloudFront
through origin access control, with security headers; `/v1/*` goes on to the API on the same origin.

The API origin is named by the REST API's id and the stage's path, not by the stage resource, so the
distribution does not wait on the API's function (which needs the distribution's address).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra import site
from motcua.presentation import security

if TYPE_CHECKING:
    from pathlib import Path

    from aws_cdk import aws_apigateway as apigw

    from infra.constructs.origin import OriginSecret

API_PATH = "/v1/*"

# A procedure's page is a folder of the built site (infra/site.py): S3 has `<folder>index.html`, and
# CloudFront (default_root_object aside) asks for the key as written. The same test in both functions:
# an address under the procedure pages that the build did not make is the page-not-found, with a 404.
# Not the distribution's error responses: those would turn the API's own 403 and 404 into the page.
_PAGES_JS = """var PAGES = %s;
var UNDER = /^\\/(thu-tuc|en\\/procedures)\\//;
function folder(uri) {
  var f = uri.replace(/index\\.html$/, "");
  return f.charAt(f.length - 1) === "/" ? f : f + "/";
}
function missing(uri) {
  return uri === "%s" || (UNDER.test(uri) && PAGES[folder(uri)] !== 1);
}
"""
REQUEST_JS = """function handler(event) {
  var request = event.request;
  if (UNDER.test(request.uri)) request.uri = missing(request.uri) ? "%s" : folder(request.uri) + "index.html";
  return request;
}
"""
RESPONSE_JS = """function handler(event) {
  var response = event.response;
  if (missing(event.request.uri)) {
    response.statusCode = 404;
    response.statusDescription = "Not Found";
  }
  return response;
}
"""


def page_functions(source: Path) -> tuple[str, str]:
    """The code of the viewer-request and viewer-response functions for the site built in `source`."""
    manifest = json.loads((source / "asset-manifest.json").read_text(encoding="utf-8"))
    pages = {path: 1 for by_language in manifest["pages"].values() for path in by_language.values()}
    shared = _PAGES_JS % (json.dumps(pages, sort_keys=True), site.NOT_FOUND)
    return shared + REQUEST_JS % site.NOT_FOUND, shared + RESPONSE_JS


def content_security_policy(attachments: s3.IBucket) -> str:
    """The portal's policy (motcua.presentation.security), its uploads going to the province's own
    attachments bucket only: by the endpoint boto3 presigns (`<bucket>.s3.amazonaws.com`) and the regional
    one. Never any other bucket (`*.s3…`)."""
    return security.content_security_policy(
        [f"https://{attachments.bucket_domain_name}", f"https://{attachments.bucket_regional_domain_name}"]
    )


class Frontend(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        source: Path,
        api: apigw.IRestApi,
        api_stage: str,
        log_bucket: s3.IBucket,
        attachments: s3.IBucket,
        origin: OriginSecret,
        web_acl_arn: str,
    ) -> None:
        super().__init__(scope, id)
        self.bucket = s3.Bucket(
            self,
            "Site",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED,
            server_access_logs_bucket=log_bucket,
            server_access_logs_prefix="site/",
            removal_policy=RemovalPolicy.RETAIN,
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="motcua portal: security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(attachments), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                xss_protection=cloudfront.ResponseHeadersXSSProtection(
                    protection=True, mode_block=True, override=True
                ),
            ),
        )
        api_origin = origins.HttpOrigin(
            f"{api.rest_api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}",
            origin_path=f"/{api_stage}",
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            # The API's web ACL blocks whatever lacks it: the execute-api endpoint answers only us.
            custom_headers={origin.header: origin.value},
        )
        request_code, response_code = page_functions(source)
        pages = [
            cloudfront.FunctionAssociation(
                event_type=event,
                function=cloudfront.Function(
                    self,
                    name,
                    # Named after the stack (the province's stage), within CloudFront's 64 characters:
                    # the generated name cuts the stage's name off.
                    function_name=f"{Stack.of(self).stack_name}-{name}"[-64:],
                    code=cloudfront.FunctionCode.from_inline(code),
                    runtime=cloudfront.FunctionRuntime.JS_2_0,
                    comment=f"motcua portal: procedure pages, {comment}",
                ),
            )
            for name, event, code, comment in (
                ("PagesRequest", cloudfront.FunctionEventType.VIEWER_REQUEST, request_code, "their files"),
                ("PagesResponse", cloudfront.FunctionEventType.VIEWER_RESPONSE, response_code, "404"),
            )
        ]
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="motcua portal and API",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                compress=True,
                function_associations=pages,
            ),
            additional_behaviors={
                # Nothing of the API is cached here (the app sets Cache-Control); with caching off,
                # the all-viewer-headers policy forwards Authorization and Accept-Language.
                API_PATH: cloudfront.BehaviorOptions(
                    origin=api_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy=headers,
                )
            },
            # The edge stack's web ACL (us-east-1, infra/constructs/edge.py), before any behaviour.
            web_acl_id=web_acl_arn,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            # Edge locations in Asia, Vietnam's included, without paying for all of them.
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,
            enable_logging=True,
            log_bucket=log_bucket,
            log_file_prefix="cloudfront/",
        )
        # The built site (infra/site.py) in two parts, each with the Cache-Control CloudFront passes on
        # (the same site.cache_control() the local server sends). The hashed files first, kept across
        # deploys (a page cached before the deploy still finds its own); then the pages, which replace
        # the old ones and name the new files.
        built = s3deploy.Source.asset(str(source))
        assets = f"{site.ASSETS}/*"
        self.assets = s3deploy.BucketDeployment(
            self,
            "Assets",
            sources=[built],
            destination_bucket=self.bucket,
            exclude=["*"],
            include=[assets],
            cache_control=[s3deploy.CacheControl.from_string(site.IMMUTABLE)],
            prune=False,
            memory_limit=256,
        )
        self.deployment = s3deploy.BucketDeployment(
            self,
            "Portal",
            sources=[built],
            destination_bucket=self.bucket,
            exclude=[assets],  # neither uploaded nor pruned here
            cache_control=[s3deploy.CacheControl.from_string(site.REVALIDATE)],
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=256,
        )
        self.deployment.node.add_dependency(self.assets)

    @property
    def url(self) -> str:
        """Where citizens open the portal (and where the API is, under /v1)."""
        return f"https://{self.distribution.distribution_domain_name}"
