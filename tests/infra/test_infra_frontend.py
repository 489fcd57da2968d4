"""Frontend: the portal from a private bucket through CloudFront, the API on the same origin."""

from __future__ import annotations

import json
from typing import Any

from infra.constructs.api import STAGE
from tests.infra.support import Synthesized, flatten


def _distribution(synthesized: Synthesized) -> dict[str, Any]:
    _, distribution = synthesized.one("AWS::CloudFront::Distribution")
    return dict(distribution["Properties"]["DistributionConfig"])


def test_the_site_bucket_is_private_and_read_only_through_origin_access_control(
    synthesized: Synthesized,
) -> None:
    frontend = synthesized.stage.platform.node.find_child("Frontend")
    site_id = synthesized.logical_id(frontend.bucket)
    site = synthesized.resources[site_id]["Properties"]
    config = _distribution(synthesized)
    origin = next(o for o in config["Origins"] if "S3OriginConfig" in o)
    oac_id, oac = synthesized.one("AWS::CloudFront::OriginAccessControl")

    assert all(site["PublicAccessBlockConfiguration"].values())
    assert "WebsiteConfiguration" not in site
    assert origin["DomainName"] == {"Fn::GetAtt": [site_id, "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"
    assert "Logging" in config


def test_every_answer_carries_security_headers(synthesized: Synthesized) -> None:
    policy_id, policy = synthesized.one("AWS::CloudFront::ResponseHeadersPolicy")
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    config = _distribution(synthesized)

    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ContentTypeOptions"]["Override"] is True
    csp = json.dumps(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    # Previews (images, PDFs in a frame) come from the attachments bucket only.
    frame_src = csp.split("frame-src ")[1].split(";")[0]
    assert frame_src.count("DataAttachments") == 2 and "*" not in frame_src
    assert headers["ContentSecurityPolicy"]["Override"] is True
    assert headers["StrictTransportSecurity"]["IncludeSubdomains"] is True
    assert headers["StrictTransportSecurity"]["Override"] is True
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert all(b["ResponseHeadersPolicyId"] == {"Ref": policy_id} for b in behaviours)


def test_v1_goes_to_the_api_stage_uncached_with_the_callers_headers(synthesized: Synthesized) -> None:
    rest_api, _ = synthesized.one("AWS::ApiGateway::RestApi")
    config = _distribution(synthesized)
    (behaviour,) = config["CacheBehaviors"]
    origin = next(o for o in config["Origins"] if o["Id"] == behaviour["TargetOriginId"])

    assert behaviour["PathPattern"] == "/v1/*"
    assert behaviour["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    assert (
        behaviour["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    )  # AllViewerExceptHostHeader
    assert "POST" in behaviour["AllowedMethods"]
    assert {"Ref": rest_api} in origin["DomainName"]["Fn::Join"][1]
    assert origin["OriginPath"] == f"/{STAGE}"
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_the_portal_is_deployed_into_the_bucket(synthesized: Synthesized) -> None:
    frontend = synthesized.stage.platform.node.find_child("Frontend")
    deployments = synthesized.of_type("Custom::CDKBucketDeployment")  # the hashed files, then the pages

    assert len(deployments) == 2
    for deployment in deployments.values():
        assert deployment["Properties"]["DestinationBucketName"] == {
            "Ref": synthesized.logical_id(frontend.bucket)
        }


def test_the_portal_may_reach_its_own_attachments_bucket_and_no_other(synthesized: Synthesized) -> None:
    # A script injected into the portal must not be able to send what it reads to any S3 bucket.
    bucket = synthesized.logical_id(synthesized.stage.platform.node.find_child("Data").attachments)
    _, policy = synthesized.one("AWS::CloudFront::ResponseHeadersPolicy")
    csp = flatten(
        policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"][
            "ContentSecurityPolicy"
        ]
    )
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    own = ["'self'", f"https://<{bucket}.DomainName>", f"https://<{bucket}.RegionalDomainName>"]

    # Uploads go by XHR (connect-src) to the endpoint boto3 presigns, <bucket>.s3.amazonaws.com.
    assert directives["connect-src"] == own
    assert directives["form-action"] == own
    assert "*" not in csp


def test_the_deployed_asset_is_the_built_site_its_hashed_files_cached_a_year(
    synthesized: Synthesized,
) -> None:
    from infra import site

    deployments = synthesized.of_type("Custom::CDKBucketDeployment")
    (assets_id,) = [id for id, d in deployments.items() if "Include" in d["Properties"]]
    (pages_id,) = set(deployments) - {assets_id}
    assets, pages = deployments[assets_id]["Properties"], deployments[pages_id]["Properties"]

    # Both upload one asset: the site infra/site.py built for this province, not frontend/ as it is.
    (key,) = {json.dumps(assets["SourceObjectKeys"]), json.dumps(pages["SourceObjectKeys"])}
    asset_hash = json.loads(key)[0].removesuffix(".zip")
    (staged,) = synthesized.assembly.rglob(f"asset.{asset_hash}")
    built = json.loads((staged / "asset-manifest.json").read_text(encoding="utf-8"))
    assert (staged / built["entry"].lstrip("/")).is_file()
    assert built["entry"] in (staged / "index.html").read_text(encoding="utf-8")
    for pages_of in built["pages"].values():
        assert all((staged / path.strip("/") / "index.html").is_file() for path in pages_of.values())
    assert (staged / "sitemap.xml").is_file() and not (staged / "app.js").exists()
    # Hashed files: a year, never pruned (a page cached before a deploy still finds its own files)
    assert assets["SystemMetadata"] == {"cache-control": site.IMMUTABLE}
    assert assets["Include"] == ["assets/*"] and assets["Exclude"] == ["*"]
    assert assets["Prune"] is False
    # Pages: asked again on every visit, after the files they name are there, then CloudFront invalidated
    assert pages["SystemMetadata"] == {"cache-control": "no-cache"}
    assert pages["Exclude"] == ["assets/*"] and "Include" not in pages
    assert pages["DistributionPaths"] == ["/*"]
    depends = synthesized.resources[pages_id]["DependsOn"]
    assert assets_id in depends, depends


def _run(code: str, event: dict[str, Any]) -> dict[str, Any]:
    """A CloudFront function's handler run on `event` by Node (the functions' JavaScript 2.0 runtime
    is ECMAScript 5.1 and more: what they use runs the same in Node)."""
    import subprocess

    script = f"{code}\nprocess.stdout.write(JSON.stringify(handler({json.dumps(event)})));"
    ran = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, timeout=30)
    answer: dict[str, Any] = json.loads(ran.stdout)
    return answer


def test_a_procedure_page_is_its_folder_s_file_and_an_unknown_one_the_page_not_found_with_a_404(
    synthesized: Synthesized,
) -> None:
    from infra import site

    config = _distribution(synthesized)
    functions = synthesized.of_type("AWS::CloudFront::Function")
    by_event = {
        a["EventType"]: functions[a["FunctionARN"]["Fn::GetAtt"][0]]["Properties"]
        for a in config["DefaultCacheBehavior"]["FunctionAssociations"]
    }
    assert set(by_event) == {"viewer-request", "viewer-response"}
    assert "FunctionAssociations" not in config["CacheBehaviors"][0]  # the API's answers are its own
    request, response = (by_event[e]["FunctionCode"] for e in ("viewer-request", "viewer-response"))
    assert site.NOT_FOUND == "/404.html"

    def asked(uri: str) -> tuple[str, int]:
        served = _run(request, {"request": {"method": "GET", "uri": uri, "headers": {}}})["uri"]
        status = _run(response, {"request": {"uri": served}, "response": {"statusCode": 200, "headers": {}}})
        return served, status["statusCode"]

    assert asked("/thu-tuc/1.001193/") == ("/thu-tuc/1.001193/index.html", 200)
    assert asked("/en/procedures/1.001193") == ("/en/procedures/1.001193/index.html", 200)
    assert asked("/thu-tuc/9.999999/") == ("/404.html", 404)
    assert asked("/en/procedures/nope/") == ("/404.html", 404)
    assert asked("/assets/app-3F2A.js") == ("/assets/app-3F2A.js", 200)
    assert asked("/") == ("/", 200)
