"""Origin secret: the execute-api endpoint answers only what came through CloudFront, and the secret
that says so is in no template."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from infra.constructs.origin import ORIGIN_HEADER, OriginSecret, origin_generation
from tests.infra.support import Synthesized, flatten


def _reference(secret_logical_id: str) -> str:
    return f"{{{{resolve:secretsmanager:<{secret_logical_id}>:SecretString:::}}}}"


def _origin_secret(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    """The origin's secret (the payment gateway's is another, docs/payments.md)."""
    found = {
        k: v for k, v in synthesized.of_type("AWS::SecretsManager::Secret").items() if k.startswith("Origin")
    }
    assert len(found) == 1, found
    return next(iter(found.items()))


def _api_origin(synthesized: Synthesized) -> dict[str, Any]:
    _, distribution = synthesized.one("AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    (behaviour,) = config["CacheBehaviors"]
    return dict(next(o for o in config["Origins"] if o["Id"] == behaviour["TargetOriginId"]))


def _origin_rule(synthesized: Synthesized) -> dict[str, Any]:
    _, acl = synthesized.one("AWS::WAFv2::WebACL")
    rules = sorted(acl["Properties"]["Rules"], key=lambda rule: rule["Priority"])
    return dict(rules[0])


def test_cloudfront_sends_the_api_the_origin_secret_by_a_dynamic_reference(synthesized: Synthesized) -> None:
    secret_id, _ = _origin_secret(synthesized)
    headers = {h["HeaderName"]: h["HeaderValue"] for h in _api_origin(synthesized)["OriginCustomHeaders"]}

    assert flatten(headers[ORIGIN_HEADER]) == _reference(secret_id)


def test_the_api_web_acl_first_blocks_any_request_without_the_origin_secret(synthesized: Synthesized) -> None:
    secret_id, _ = _origin_secret(synthesized)
    rule = _origin_rule(synthesized)
    match = rule["Statement"]["NotStatement"]["Statement"]["ByteMatchStatement"]

    assert rule["Action"] == {"Block": {}}
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": ORIGIN_HEADER.lower()}}
    assert match["PositionalConstraint"] == "EXACTLY"
    assert flatten(match["SearchString"]) == _reference(secret_id)
    assert match["TextTransformations"] == [{"Priority": 0, "Type": "NONE"}]


def test_a_new_secret_is_let_through_before_cloudfront_sends_it(synthesized: Synthesized) -> None:
    acl_id, _ = synthesized.one("AWS::WAFv2::WebACL")
    _, distribution = synthesized.one("AWS::CloudFront::Distribution")

    assert acl_id in distribution["DependsOn"]


def test_the_origin_secret_is_generated_and_never_written_in_the_template(synthesized: Synthesized) -> None:
    _, secret = _origin_secret(synthesized)
    text = json.dumps(synthesized.template)

    assert "SecretString" not in secret["Properties"]
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    # The header's value appears only as the references above: once for CloudFront, once for WAF.
    assert text.count("{{resolve:secretsmanager:") == 2
    assert synthesized.template_path().read_text().count("{{resolve:secretsmanager:") == 2


def _generation(n: int) -> tuple[dict[str, Any], OriginSecret, Stack]:
    stack = Stack(App(), "Origin")
    origin = OriginSecret(stack, "Origin", generation=n)
    return Template.from_stack(stack).to_json(), origin, stack


def test_a_new_generation_is_a_new_secret_and_the_previous_one_is_still_let_through() -> None:
    template, origin, stack = _generation(3)
    secrets = [stack.resolve(s.node.default_child.logical_id) for s in origin.secrets]  # type: ignore[union-attr]

    assert sorted(template["Resources"]) == sorted(secrets)
    assert len(secrets) == 2
    assert flatten(stack.resolve(origin.value)) == _reference(secrets[-1])
    assert [flatten(stack.resolve(v)) for v in origin.accepted] == [_reference(s) for s in reversed(secrets)]


def test_the_first_generation_has_one_secret() -> None:
    template, origin, _ = _generation(1)

    assert len(template["Resources"]) == len(origin.accepted) == 1


@pytest.mark.parametrize(
    ("context", "expected"),
    [(None, 1), ({"other": 4}, 1), ({"demo": 2}, 2), ('{"demo": 3}', 3)],
)
def test_the_generation_comes_from_the_context(context: object, expected: int) -> None:
    assert origin_generation(context, "demo") == expected


@pytest.mark.parametrize("context", [[1], {"demo": 0}, {"demo": True}, {"demo": "2"}])
def test_a_wrong_generation_fails_synthesis(context: object) -> None:
    with pytest.raises(ValueError, match="motcua:origin-secret-generations"):
        origin_generation(context, "demo")
