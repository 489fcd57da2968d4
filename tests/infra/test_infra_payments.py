"""Payments on AWS (docs/payments.md, "On AWS"): the gateway's secret created as a placeholder and
read by the API alone, named in its environment; the IPN kept to the gateway's addresses when the
province lists them."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import App, Stack
from aws_cdk import aws_wafv2 as wafv2
from aws_cdk.assertions import Template

from infra.constructs.payments import IPN_RULE, SECRET_ENV, PaymentGateway
from motcua.config.payments import PaymentSettings
from tests.infra.support import Synthesized

SANDBOX = {"pay_url": "http://127.0.0.1:8010/pay", "api_url": "http://127.0.0.1:8010/api"}


def _alone(**settings: Any) -> tuple[Template, list[wafv2.CfnWebACL.RuleProperty]]:
    stack = Stack(App(), "Alone")
    gateway = PaymentGateway(stack, "Payments", settings=PaymentSettings(**SANDBOX, **settings))
    rules = gateway.web_acl_rules(7)
    return Template.from_stack(stack), rules


def _payment_secrets(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    secrets = synthesized.of_type("AWS::SecretsManager::Secret")
    return {k: v for k, v in secrets.items() if k.startswith("Payments")}


def _payment_secret(synthesized: Synthesized) -> tuple[str, dict[str, Any]] | None:
    """The stage's payment secret; None (and no secret at all) for a province that takes no payment."""
    found = _payment_secrets(synthesized)
    if synthesized.province.province.payments is None:
        assert found == {}
        return None
    assert len(found) == 1, found
    return next(iter(found.items()))


def test_the_secret_is_a_placeholder_the_operators_fill_and_no_value_is_in_the_template(
    synthesized: Synthesized,
) -> None:
    found = _payment_secret(synthesized)
    if found is None:
        return
    _, secret = found
    generated = secret["Properties"]["GenerateSecretString"]
    assert json.loads(generated["SecretStringTemplate"]) == {"tmn_code": ""}
    assert generated["GenerateStringKey"] == "hash_secret"
    assert "SecretString" not in secret["Properties"]
    assert secret["DeletionPolicy"] == "Retain"


def test_the_api_function_reads_the_secret_named_in_its_environment_and_no_other_function_does(
    synthesized: Synthesized,
) -> None:
    found = _payment_secret(synthesized)
    api = synthesized.stage.platform.node.find_child("Api")
    function = synthesized.resources[synthesized.logical_id(api.function)]
    if found is None:
        assert SECRET_ENV not in function["Properties"]["Environment"]["Variables"]
        return
    secret_id, _ = found
    assert function["Properties"]["Environment"]["Variables"][SECRET_ENV] == {"Ref": secret_id}
    roles = {
        r["Properties"]["Role"]["Fn::GetAtt"][0]
        for r in synthesized.of_type("AWS::Lambda::Function").values()
        if isinstance(r["Properties"].get("Role"), dict)
    }
    readers = [
        role
        for role in roles
        if ("secretsmanager:GetSecretValue", {"Ref": secret_id}) in synthesized.allowed(role)
    ]
    assert readers == [synthesized.role_of(api.function)]


def test_without_ipn_sources_there_is_no_rule_and_anyone_may_call_the_ipn(synthesized: Synthesized) -> None:
    _, acl = synthesized.one("AWS::WAFv2::WebACL")
    assert IPN_RULE not in [rule["Name"] for rule in acl["Properties"]["Rules"]]
    assert _alone()[1] == []


def test_with_ipn_sources_the_ipn_path_is_blocked_from_any_other_address() -> None:
    template, rules = _alone(ipn_sources=("113.160.92.202/32", "203.205.0.0/24", "2001:db8::/32"))
    template.has_resource_properties(
        "AWS::WAFv2::IPSet",
        {
            "IPAddressVersion": "IPV4",
            "Addresses": ["113.160.92.202/32", "203.205.0.0/24"],
            "Scope": "REGIONAL",
        },
    )
    template.has_resource_properties(
        "AWS::WAFv2::IPSet", {"IPAddressVersion": "IPV6", "Addresses": ["2001:db8::/32"]}
    )
    (rule,) = rules
    assert (rule.name, rule.priority, rule.action.block) == (IPN_RULE, 7, {})  # type: ignore[union-attr]
    to_ipn, not_from = rule.statement.and_statement.statements  # type: ignore[union-attr]
    assert to_ipn.byte_match_statement.search_string == "/payments/vnpay/ipn"
    sources = not_from.not_statement.statement.or_statement.statements
    forwarded = [s.ip_set_reference_statement.ip_set_forwarded_ip_config for s in sources]
    # The viewer's address as CloudFront appends it: last in X-Forwarded-For; no header, no match.
    assert {(f.header_name, f.position, f.fallback_behavior) for f in forwarded} == {
        ("X-Forwarded-For", "LAST", "NO_MATCH")
    }
