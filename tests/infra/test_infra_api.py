"""API: every route of the app's OpenAPI document behind API Gateway, guarded as the document says."""

from __future__ import annotations

import json
from typing import Any

import pytest
from app import app

from chalicelib.openapi import document
from infra.constructs.api import STAGE
from tests.infra.support import Synthesized

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


def test_the_stage_is_throttled_traced_and_logged(synthesized: Synthesized) -> None:
    _, stage = synthesized.one("AWS::ApiGateway::Stage")
    props = stage["Properties"]
    settings = props["MethodSettings"][0]
    log_groups = synthesized.of_type("AWS::Logs::LogGroup")

    assert props["StageName"] == STAGE
    assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] > 0
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
    assert any("RateBasedStatement" in s for s in rules.values())
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


def test_the_chalice_app_is_the_function_behind_every_method(synthesized: Synthesized) -> None:
    api = synthesized.stage.platform.node.find_child("Api")
    function = synthesized.logical_id(api.function)
    props = synthesized.resources[function]["Properties"]
    permissions = synthesized.of_type("AWS::Lambda::Permission")

    assert props["Handler"] == "app.app"
    for method in _methods(synthesized).values():
        assert method["Integration"]["Type"] == "AWS_PROXY"
        assert function in json.dumps(method["Integration"]["Uri"])
    # One permission, for this API only (the function's policy has a size limit).
    assert [p["Properties"]["FunctionName"] for p in permissions.values()] == [
        {"Fn::GetAtt": [function, "Arn"]}
    ]
    rest_api, _ = synthesized.one("AWS::ApiGateway::RestApi")
    assert rest_api in json.dumps(next(iter(permissions.values()))["Properties"]["SourceArn"])
