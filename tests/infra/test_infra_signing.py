"""Signing: every agency that decides a procedure, and the province's CA, has its own KMS signing key;
the API signs with the agencies' keys, and only the PKI function with the CA's."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from infra.constructs.runtime import Runtime
from infra.constructs.signing import GENERATIONS_CONTEXT, Signing, generations
from motcua.resources import SIGNING
from tests.infra.support import PROVINCES, Synthesized, flatten

if TYPE_CHECKING:
    from pathlib import Path


def _signing_keys(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {
        name: key["Properties"]
        for name, key in synthesized.of_type("AWS::KMS::Key").items()
        if key["Properties"].get("KeyUsage") == "SIGN_VERIFY"
    }


def _competent(synthesized: Synthesized) -> set[str]:
    return {procedure.agency for procedure in synthesized.province.province.procedures}


def test_one_rsa_3072_signing_key_per_competent_agency_and_one_for_the_ca(synthesized: Synthesized) -> None:
    keys = _signing_keys(synthesized)
    signing = synthesized.stage.platform.node.find_child("Signing")

    assert set(signing.keys) == _competent(synthesized) | {SIGNING.ca}
    assert set(keys) == {synthesized.logical_id(key) for key in signing.keys.values()}
    assert len(keys) == len(_competent(synthesized)) + 1
    for code, key in signing.keys.items():
        props = keys[synthesized.logical_id(key)]
        assert props["KeySpec"] == SIGNING.key_spec == "RSA_3072"
        assert props["KeyUsage"] == SIGNING.key_usage == "SIGN_VERIFY"
        # The key's description names whose it is; operators find keys by it.
        assert (
            (code in props["Description"])
            if code != SIGNING.ca
            else ("certification" in props["Description"])
        )
        # A signature must stay verifiable: the key outlives the stack.
        assert synthesized.resources[synthesized.logical_id(key)]["DeletionPolicy"] == "Retain"


def _variables(synthesized: Synthesized, function: Any) -> dict[str, Any]:
    return dict(
        synthesized.resources[synthesized.logical_id(function)]["Properties"]["Environment"]["Variables"]
    )


def _signs_with(synthesized: Synthesized, function: Any) -> set[str]:
    allowed = synthesized.allowed(synthesized.role_of(function))
    return {flatten(resource) for action, resource in allowed if action == "kms:Sign"}


def test_the_api_knows_each_agencys_key_and_may_sign_with_it(synthesized: Synthesized) -> None:
    platform = synthesized.stage.platform.node
    signing = platform.find_child("Signing")
    api = platform.find_child("Api").function
    variables = _variables(synthesized, api)
    allowed = synthesized.allowed(synthesized.role_of(api))

    assert json.loads(flatten(variables["MOTCUA_SIGNING_KEYS"])) == {
        code: f"<{synthesized.logical_id(key)}.Arn>"
        for code, key in signing.keys.items()
        if code != SIGNING.ca
    }
    assert flatten(variables["MOTCUA_PKI_FUNCTION"]) == f"<{synthesized.logical_id(signing.function)}>"
    for code, key in signing.keys.items():
        if code == SIGNING.ca:
            continue
        arn = {"Fn::GetAtt": [synthesized.logical_id(key), "Arn"]}
        for action in ("kms:Sign", "kms:GetPublicKey"):
            assert (action, arn) in allowed, (action, key.node.path)


def test_the_api_may_not_sign_with_the_ca_key(synthesized: Synthesized) -> None:
    # The API faces the internet: with the CA key it could certify any key as any agency's.
    platform = synthesized.stage.platform.node
    signing = platform.find_child("Signing")
    ca = signing.keys[SIGNING.ca]
    api = platform.find_child("Api").function
    on_ca = [
        action
        for action, resource in synthesized.allowed(synthesized.role_of(api))
        if flatten(resource) == f"<{synthesized.logical_id(ca)}.Arn>"
    ]

    assert on_ca == []
    assert SIGNING.ca not in flatten(_variables(synthesized, api)["MOTCUA_SIGNING_KEYS"])


def test_only_the_pki_function_signs_with_the_ca_key_and_it_signs_with_nothing_else(
    synthesized: Synthesized,
) -> None:
    platform = synthesized.stage.platform.node
    signing = platform.find_child("Signing")
    ca = f"<{synthesized.logical_id(signing.keys[SIGNING.ca])}.Arn>"
    others = {
        "api": platform.find_child("Api").function,
        "notify": platform.find_child("Notifications").function,
        "routing": platform.find_child("Workflow").function,
        "sweep": platform.find_child("Schedules").sweep,
    }

    assert _signs_with(synthesized, signing.function) == {ca}
    for name, function in others.items():
        assert ca not in _signs_with(synthesized, function), name
    # It reads the agencies' public keys, to put them in their certificates.
    allowed = synthesized.allowed(synthesized.role_of(signing.function))
    for code, key in signing.keys.items():
        assert ("kms:GetPublicKey", {"Fn::GetAtt": [synthesized.logical_id(key), "Arn"]}) in allowed, code


def test_no_other_function_may_sign(synthesized: Synthesized) -> None:
    platform = synthesized.stage.platform.node
    others = {
        "notify": platform.find_child("Notifications").function,
        "routing": platform.find_child("Workflow").function,
        "sweep": platform.find_child("Schedules").sweep,
    }

    for name, function in others.items():
        assert _signs_with(synthesized, function) == set(), name
    # And the API signs with the agencies' keys only, not the CA's, the data key or the topic's.
    signing = platform.find_child("Signing")
    agency_keys = {f"<{synthesized.logical_id(key)}.Arn>" for key in signing.agency_keys.values()}
    assert _signs_with(synthesized, platform.find_child("Api").function) == agency_keys
    assert agency_keys < {f"<{name}.Arn>" for name in _signing_keys(synthesized)}


def test_a_deploy_issues_the_certificates_through_the_pki_function(synthesized: Synthesized) -> None:
    # The certificates depend on the keys and the agencies' names: a change of either changes the
    # custom resource's properties, so CloudFormation calls the PKI function again.
    signing = synthesized.stage.platform.node.find_child("Signing")
    (_, certificates), *more = synthesized.of_type("Custom::MotcuaCertificates").items()
    props = certificates["Properties"]
    provider = synthesized.resources[props["ServiceToken"]["Fn::GetAtt"][0]]["Properties"]

    assert more == []
    assert json.loads(flatten(props["SigningKeys"])) == {
        code: f"<{synthesized.logical_id(key)}.Arn>" for code, key in signing.keys.items()
    }
    assert set(props["Agencies"]) == _competent(synthesized)
    assert flatten(provider["Environment"]["Variables"]["USER_ON_EVENT_FUNCTION_ARN"]) == (
        f"<{synthesized.logical_id(signing.function)}.Arn>"
    )


def _signing(stack: Stack, layer_zip: Path, **kwargs: Any) -> Signing:
    """The Signing construct alone in `stack`, for the demo province."""
    province = PROVINCES["demo"]
    runtime = Runtime(stack, "Runtime", layer_zip=layer_zip, province=province, metrics_namespace="test")
    return Signing(
        stack, "Signing", spec=SIGNING, province=province.province, runtime=runtime, environment={}, **kwargs
    )


def test_replacing_a_key_makes_a_new_one_and_keeps_the_others(layer_zip: Path) -> None:
    # Given the demo province, whose Department of Finance's key was replaced once
    finance = "000.00.01.H99"
    context = {GENERATIONS_CONTEXT: {"demo": {finance: 2}, "lachong-demo": {"CA": 5}}}

    # When its signing keys are built, before and after
    def keys(app_context: dict[str, Any]) -> dict[str, dict[str, Any]]:
        stack = Stack(App(context=app_context), "Keys")
        _signing(
            stack, layer_zip, generations=generations(stack.node.try_get_context(GENERATIONS_CONTEXT), "demo")
        )
        return Template.from_stack(stack).find_resources("AWS::KMS::Key")

    before, after = keys({}), keys(context)

    # Then only Finance's key has a new logical id (a new key); the old one is left, not replaced
    assert len(before) == len(after)
    gone, new = set(before) - set(after), set(after) - set(before)
    assert len(gone) == len(new) == 1
    assert f"({finance}), generation 2" in after[new.pop()]["Properties"]["Description"]
    assert before[gone.pop()]["DeletionPolicy"] == "Retain"


def test_a_generation_for_a_code_that_signs_nothing_is_refused(layer_zip: Path) -> None:
    with pytest.raises(ValueError, match="sign nothing"):
        _signing(Stack(App(), "Keys"), layer_zip, generations={"000.99.99.H99": 2})
    with pytest.raises(ValueError, match="generations"):
        generations({"demo": {"CA": 0}}, "demo")
