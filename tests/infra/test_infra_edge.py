"""Edge: the distribution behind a CloudFront web ACL, kept by AWS in us-east-1, in the stage's second
stack."""

from __future__ import annotations

import re
from typing import Any

import pytest
from cdk_nag import AwsSolutionsChecks
from cfnlint.api import ManualArgs, lint_file

from infra.app import environment
from infra.constructs.edge import API_PREFIX, COUNTER_PATTERN, FILING_PATH, SIGN_IN_PREFIX, UPLOADS_PATH
from infra.routes import routes
from tests.infra.support import Synthesized


def _edge_acl(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    acls = {
        name: r
        for name, r in synthesized.edge_template["Resources"].items()
        if r["Type"] == "AWS::WAFv2::WebACL"
    }
    assert len(acls) == 1
    return next(iter(acls.items()))


def test_the_distribution_is_behind_the_edge_stacks_web_acl_in_us_east_1(synthesized: Synthesized) -> None:
    acl_id, acl = _edge_acl(synthesized)
    _, distribution = synthesized.one("AWS::CloudFront::Distribution")
    reference = distribution["Properties"]["DistributionConfig"]["WebACLId"]["Fn::GetStackOutput"]
    output = synthesized.edge_template["Outputs"][reference["OutputName"]]

    assert acl["Properties"]["Scope"] == "CLOUDFRONT"
    assert synthesized.stage.edge.region == reference["Region"] == "us-east-1"
    assert reference["StackName"] == synthesized.stage.edge.stack_name
    assert output["Value"] == {"Fn::GetAtt": [acl_id, "Arn"]}


def test_sign_in_sign_up_and_password_resets_have_a_lower_limit_per_viewer(synthesized: Synthesized) -> None:
    _, acl = _edge_acl(synthesized)
    rules = {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}
    limits = synthesized.province.province.api

    rule = rules["sign-in-per-ip"]
    statement = rule["Statement"]["RateBasedStatement"]
    scope = statement["ScopeDownStatement"]["ByteMatchStatement"]

    assert rule["Action"] == {"Block": {}}
    assert statement["Limit"] == limits.sign_in_ip_limit < limits.ip_limit
    assert (scope["FieldToMatch"], scope["PositionalConstraint"], scope["SearchString"]) == (
        {"UriPath": {}},
        "STARTS_WITH",
        SIGN_IN_PREFIX,
    )
    # Every public route that signs in or sends a code lies under it, the password reset's included.
    auth = [route.path for route in routes() if "auth" in route.path]
    assert "/v1/auth/citizens/password-reset" in auth and "/v1/auth/citizens/password-reset/confirm" in auth
    assert all(path.startswith(SIGN_IN_PREFIX) for path in auth)


@pytest.mark.parametrize(
    ("name", "path", "setting"),
    [("filing-per-ip", FILING_PATH, "filing_ip_limit"), ("uploads-per-ip", UPLOADS_PATH, "uploads_ip_limit")],
)
def test_filing_and_upload_slots_have_their_own_limit_per_viewer_on_post_to_that_path_only(
    synthesized: Synthesized, name: str, path: str, setting: str
) -> None:
    _, acl = _edge_acl(synthesized)
    rules = {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}
    limits = synthesized.province.province.api

    rule = rules[name]
    statement = rule["Statement"]["RateBasedStatement"]
    matches = [s["ByteMatchStatement"] for s in statement["ScopeDownStatement"]["AndStatement"]["Statements"]]

    assert rule["Action"] == {"Block": {}}
    assert (statement["Limit"], statement["AggregateKeyType"]) == (getattr(limits, setting), "IP")
    assert statement["Limit"] < limits.ip_limit
    assert [(m["FieldToMatch"], m["PositionalConstraint"], m["SearchString"]) for m in matches] == [
        ({"UriPath": {}}, "EXACTLY", path),
        ({"Method": {}}, "EXACTLY", "POST"),
    ]
    # The route it guards is the API's, as a POST.
    assert ("POST", path) in {(route.method, route.path) for route in routes()}
    # Each rule has its own priority, in the order they are evaluated.
    priorities = [r["Priority"] for r in acl["Properties"]["Rules"]]
    assert len(set(priorities)) == len(priorities)


# The counter's routes that need no sign-in, as the API serves them (docs/counter.md).
COUNTER_ROUTES = {
    ("GET", "/v1/centres/{centre_id}/kiosk"),
    ("POST", "/v1/centres/{centre_id}/tickets"),
    ("GET", "/v1/centres/{centre_id}/tickets/{day}/{ticket_id}"),
    ("POST", "/v1/appointments/{booking_code}/check-in"),
}


def test_the_counters_public_routes_have_their_own_limit_per_viewer_on_those_paths_only(
    synthesized: Synthesized,
) -> None:
    _, acl = _edge_acl(synthesized)
    rules = {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}
    limits = synthesized.province.province.api

    rule = rules["counter-per-ip"]
    statement = rule["Statement"]["RateBasedStatement"]
    regex = statement["ScopeDownStatement"]["RegexMatchStatement"]

    assert rule["Action"] == {"Block": {}}
    assert (statement["Limit"], statement["AggregateKeyType"]) == (limits.counter_ip_limit, "IP")
    assert statement["Limit"] < limits.ip_limit
    assert (regex["FieldToMatch"], regex["RegexString"]) == ({"UriPath": {}}, COUNTER_PATTERN)
    assert len(regex["RegexString"]) <= 200  # WAF's limit on a regular expression
    # Of every route the API serves (each parameter filled), the pattern takes the counter's public ones.
    served = {(route.method, route.path) for route in routes()}
    assert served >= COUNTER_ROUTES
    assert all(route.public for route in routes() if (route.method, route.path) in COUNTER_ROUTES)
    taken = {
        (route.method, route.path)
        for route in routes()
        if re.search(regex["RegexString"], re.sub(r"\{[^}]+\}", "x-1", route.path))
    }
    assert {path for _, path in taken} == {path for _, path in COUNTER_ROUTES}
    assert not re.search(regex["RegexString"], "/v1/centres/tinh/board")
    assert not re.search(regex["RegexString"], "/v1/centres/tinh/counters/1/next")
    priorities = [r["Priority"] for r in acl["Properties"]["Rules"]]
    assert len(set(priorities)) == len(priorities)


def test_the_edge_web_acl_limits_each_viewer_and_checks_known_bad_inputs_and_the_portal(
    synthesized: Synthesized,
) -> None:
    _, acl = _edge_acl(synthesized)
    rules = {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}

    assert acl["Properties"]["DefaultAction"] == {"Allow": {}}
    assert rules["rate-per-ip"]["Action"] == {"Block": {}}
    assert rules["rate-per-ip"]["Statement"]["RateBasedStatement"] == {
        "Limit": synthesized.province.province.api.ip_limit,
        "AggregateKeyType": "IP",
    }
    bad_inputs = rules["aws-KnownBadInputsRuleSet"]["Statement"]["ManagedRuleGroupStatement"]
    assert bad_inputs["Name"] == "AWSManagedRulesKnownBadInputsRuleSet"
    assert "ScopeDownStatement" not in bad_inputs  # every path, the API's too
    common = rules["aws-CommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]
    assert common["Name"] == "AWSManagedRulesCommonRuleSet"
    # The API's bodies are the regional web ACL's to read, with rules fitted to its routes.
    api = common["ScopeDownStatement"]["NotStatement"]["Statement"]["ByteMatchStatement"]
    assert (api["FieldToMatch"], api["PositionalConstraint"], api["SearchString"]) == (
        {"UriPath": {}},
        "STARTS_WITH",
        API_PREFIX,
    )


def test_aws_solutions_and_cfn_lint_find_nothing_in_the_edge_stack(synthesized: Synthesized) -> None:
    report = AwsSolutionsChecks().validate_scope(synthesized.stage.edge)
    matches = lint_file(synthesized.edge_template_path(), config=ManualArgs(regions=["us-east-1"]))

    assert [v.rule_name for v in report.violations] == []
    assert [str(m) for m in matches] == []


def test_templates_name_their_region_offline_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # Cross-region references need both regions at synthesis: the CLI's, or the province default.
    monkeypatch.delenv("CDK_DEFAULT_ACCOUNT", raising=False)
    monkeypatch.delenv("CDK_DEFAULT_REGION", raising=False)
    offline = environment()
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "123456789012")
    monkeypatch.setenv("CDK_DEFAULT_REGION", "ap-southeast-2")
    deployed = environment()

    assert (offline.account, offline.region) == (None, "ap-southeast-1")
    assert (deployed.account, deployed.region) == ("123456789012", "ap-southeast-2")
