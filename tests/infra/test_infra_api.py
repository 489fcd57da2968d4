"""API: every route of the app's OpenAPI document behind API Gateway, guarded as the document says."""

from __future__ import annotations

import json
from typing import Any

import pytest
from app import app

from chalicelib.openapi import document
from infra.constructs.api import LIVE_ALIAS, STAGE
from infra.routes import routes
from motcua.config.province import ApiLimits
from tests.infra.support import PROVINCES, Synthesized

OPERATIONS = {
    (method.upper(), path): operation
    for path, operations in document(app)["paths"].items()
    for method, operation in operations.items()
}


def _methods(synthesized: Synthesized) -> dict[tuple[str, str], dict[str, Any]]:
    """(HTTP method, full path) -> the Method's properties, the path rebuilt from the resource tree."""
    resources = synthesized.of_type("AWS::ApiGateway::Resource")

    def path_of(resource: dict[str, Any]) -> str:
        if "Fn::GetAtt" in resource:  # the root resource
            return ""
        props = resources[resource["Ref"]]["Properties"]
        return path_of(props["ParentId"]) + "/" + props["PathPart"]

    return {
        (r["Properties"]["HttpMethod"], path_of(r["Properties"]["ResourceId"])): r["Properties"]
        for r in synthesized.of_type("AWS::ApiGateway::Method").values()
    }


def test_every_operation_of_the_document_is_a_method_and_nothing_else_is(synthesized: Synthesized) -> None:
    assert set(_methods(synthesized)) == set(OPERATIONS)


def test_every_non_public_route_needs_a_token_of_either_user_pool(synthesized: Synthesized) -> None:
    authorizer_id, authorizer = synthesized.one("AWS::ApiGateway::Authorizer")
    pools = sorted(synthesized.of_type("AWS::Cognito::UserPool"))

    assert authorizer["Properties"]["Type"] == "COGNITO_USER_POOLS"
    assert authorizer["Properties"]["IdentitySource"] == "method.request.header.Authorization"
    assert sorted(arn["Fn::GetAtt"][0] for arn in authorizer["Properties"]["ProviderARNs"]) == pools
    for key, method in _methods(synthesized).items():
        if OPERATIONS[key]["x-motcua-access"] == "public":
            assert method["AuthorizationType"] == "NONE", key
        else:
            assert method["AuthorizationType"] == "COGNITO_USER_POOLS", key
            assert method["AuthorizerId"] == {"Ref": authorizer_id}, key


def test_requests_are_validated_before_the_function_runs(synthesized: Synthesized) -> None:
    validator_id, validator = synthesized.one("AWS::ApiGateway::RequestValidator")
    methods = _methods(synthesized)

    assert validator["Properties"]["ValidateRequestBody"] is True
    assert validator["Properties"]["ValidateRequestParameters"] is True
    assert all(m["RequestValidatorId"] == {"Ref": validator_id} for m in methods.values())
    # A filing without an Idempotency-Key never reaches Lambda; a body must be a JSON object.
    filing = methods[("POST", "/v1/dossiers")]
    assert filing["RequestParameters"]["method.request.header.Idempotency-Key"] is True
    assert "application/json" in filing["RequestModels"]
    assert methods[("GET", "/v1/tracking/{code}")]["RequestParameters"] == {"method.request.path.code": True}


def test_the_stage_is_throttled_as_the_province_file_says_traced_and_logged(synthesized: Synthesized) -> None:
    _, stage = synthesized.one("AWS::ApiGateway::Stage")
    props = stage["Properties"]
    settings = props["MethodSettings"][0]
    log_groups = synthesized.of_type("AWS::Logs::LogGroup")
    limits = synthesized.province.province.api

    assert props["StageName"] == STAGE
    assert settings["ThrottlingRateLimit"] == limits.rate_limit
    assert settings["ThrottlingBurstLimit"] == limits.burst_limit
    assert settings["LoggingLevel"] == "ERROR" and settings["DataTraceEnabled"] is False
    assert props["TracingEnabled"] is True
    destination = json.dumps(props["AccessLogSetting"]["DestinationArn"])
    assert any(f'"Ref": "{name}"' in destination for name in log_groups)
    assert json.loads(props["AccessLogSetting"]["Format"])["requestId"] == "$context.requestId"


def test_a_web_acl_with_the_common_rules_and_a_rate_limit_guards_the_stage(synthesized: Synthesized) -> None:
    acl_id, acl = synthesized.one("AWS::WAFv2::WebACL")
    _, association = synthesized.one("AWS::WAFv2::WebACLAssociation")
    stage_id, _ = synthesized.one("AWS::ApiGateway::Stage")
    rules = {rule["Name"]: rule["Statement"] for rule in acl["Properties"]["Rules"]}

    assert acl["Properties"]["Scope"] == "REGIONAL"
    assert any(
        s.get("ManagedRuleGroupStatement", {}).get("Name") == "AWSManagedRulesCommonRuleSet"
        for s in rules.values()
    )
    assert rules["rate-per-ip"]["RateBasedStatement"] == {
        "Limit": synthesized.province.province.api.ip_limit,
        "AggregateKeyType": "IP",
    }
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert stage_id in json.dumps(association["Properties"]["ResourceArn"])


@pytest.mark.parametrize("status", ["401", "403", "429"])
def test_gateway_errors_have_the_contracts_shape(synthesized: Synthesized, status: str) -> None:
    responses = [
        r["Properties"]
        for r in synthesized.of_type("AWS::ApiGateway::GatewayResponse").values()
        if r["Properties"].get("StatusCode") == status
    ]

    assert responses
    for response in responses:
        body = json.loads(response["ResponseTemplates"]["application/json"])
        assert set(body["error"]) == {"code", "message", "fields"}
        # The gateway's own answers, like the app's, are never sniffed into another type.
        assert response["ResponseParameters"]["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'"


def test_the_chalice_app_is_the_function_behind_every_method(synthesized: Synthesized) -> None:
    api = synthesized.stage.platform.node.find_child("Api")
    function = synthesized.logical_id(api.function)
    props = synthesized.resources[function]["Properties"]
    permissions = synthesized.of_type("AWS::Lambda::Permission")

    alias = synthesized.logical_id(api.live)
    assert props["Handler"] == "app.app"
    for method in _methods(synthesized).values():
        assert method["Integration"]["Type"] == "AWS_PROXY"
        assert alias in json.dumps(method["Integration"]["Uri"])
    # One permission, for this API only (the function's policy has a size limit), on the alias it calls.
    assert [p["Properties"]["FunctionName"] for p in permissions.values()] == [{"Ref": alias}]
    rest_api, _ = synthesized.one("AWS::ApiGateway::RestApi")
    assert rest_api in json.dumps(next(iter(permissions.values()))["Properties"]["SourceArn"])


def test_the_api_answers_from_a_snapshot_of_its_initialized_function(synthesized: Synthesized) -> None:
    # SnapStart applies to published versions only: the gateway must call an alias of one, never $LATEST
    api = synthesized.stage.platform.node.find_child("Api")
    function = synthesized.logical_id(api.function)
    assert synthesized.resources[function]["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    alias_id, alias = synthesized.one("AWS::Lambda::Alias")
    version_id, version = synthesized.one("AWS::Lambda::Version")
    assert alias["Properties"]["Name"] == LIVE_ALIAS
    assert alias["Properties"]["FunctionName"] == {"Ref": function}
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    assert version["Properties"]["FunctionName"] == {"Ref": function}
    # An old version's snapshot is billed while it exists: the next deploy deletes it.
    assert version["DeletionPolicy"] == "Delete"
    for method in _methods(synthesized).values():
        assert alias_id in json.dumps(method["Integration"]["Uri"])
    # The other functions are driven by queues and schedules: nobody waits on their cold start.
    snapshotted = [
        name
        for name, f in synthesized.of_type("AWS::Lambda::Function").items()
        if "SnapStart" in f["Properties"]
    ]
    assert snapshotted == [function]


def test_each_province_sets_its_own_limits() -> None:
    # lachong-demo is a small province with a lower ceiling: the stage reads the file, not a constant.
    limits = {province_id: PROVINCES[province_id].province.api for province_id in ("demo", "lachong-demo")}

    assert limits["demo"] == ApiLimits()
    assert limits["lachong-demo"].rate_limit != limits["demo"].rate_limit
    assert limits["lachong-demo"].burst_limit != limits["demo"].burst_limit
    assert limits["lachong-demo"].ip_limit != limits["demo"].ip_limit


def test_pdfs_pass_through_the_gateway_as_bytes(synthesized: Synthesized) -> None:
    _, rest_api = synthesized.one("AWS::ApiGateway::RestApi")

    assert "application/pdf" in rest_api["Properties"]["BinaryMediaTypes"]


def test_a_json_body_must_be_an_object_and_a_pdf_body_skips_the_body_rules(synthesized: Synthesized) -> None:
    """A body that is a document (a PDF to verify) is neither a JSON object nor text for WAF's body rules
    (cross-site scripting, file inclusion), which would misread its bytes: those routes skip the rule group;
    every other request goes through it."""
    methods = _methods(synthesized)
    binary = [r for r in routes() if r.has_body and not r.json_body]
    _, acl = synthesized.one("AWS::WAFv2::WebACL")
    (common,) = [r for r in acl["Properties"]["Rules"] if r["Name"] == "aws-common-rule-set"]
    scope_down = common["Statement"]["ManagedRuleGroupStatement"].get("ScopeDownStatement")

    for route in routes():
        models = methods[(route.method, route.path)].get("RequestModels")
        assert (models is not None and "application/json" in models) == route.json_body, route
    if not binary:
        assert scope_down is None
        return
    excluded = json.dumps(scope_down["NotStatement"])
    for route in binary:
        assert f'"SearchString": "{route.path}"' in excluded, route
        assert f'"SearchString": "{route.method}"' in excluded, route


def test_no_text_body_reaches_the_api_with_a_part_waf_did_not_read(synthesized: Synthesized) -> None:
    # WAF reads a body up to its inspection limit; the managed body rules let the rest pass unread.
    _, acl = synthesized.one("AWS::WAFv2::WebACL")
    props = acl["Properties"]
    rules = {rule["Name"]: rule for rule in props["Rules"]}
    binary = [r for r in routes() if r.has_body and not r.json_body]

    assert props["AssociationConfig"] == {
        "RequestBody": {"API_GATEWAY": {"DefaultSizeInspectionLimit": "KB_64"}}
    }
    rule = rules["body-longer-than-inspected"]
    assert rule["Action"] == {"Block": {}}
    statement = rule["Statement"]
    size = (statement["AndStatement"]["Statements"][0] if binary else statement)["SizeConstraintStatement"]
    assert size["FieldToMatch"] == {"Body": {"OversizeHandling": "MATCH"}}
    assert (size["ComparisonOperator"], size["Size"]) == ("GT", 64 * 1024)
    # Documents to verify (raw PDF bytes, up to the app's limit) are not text and stay allowed.
    if binary:
        excluded = json.dumps(statement["AndStatement"]["Statements"][1]["NotStatement"])
        for route in binary:
            assert f'"SearchString": "{route.path}"' in excluded, route
    # No rule of ours reads a body and lets what it could not read pass.
    assert '"OversizeHandling": "CONTINUE"' not in json.dumps(props["Rules"])
