"""Signing: every agency that decides a procedure, and the province's CA, has its own KMS signing key,
and only the API may sign with them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from infra.constructs.signing import GENERATIONS_CONTEXT, Signing, generations
from motcua.resources import SIGNING
from tests.infra.support import PROVINCES, Synthesized, flatten


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


def test_the_api_knows_each_agencys_key_and_may_sign_with_it(synthesized: Synthesized) -> None:
    platform = synthesized.stage.platform.node
    signing = platform.find_child("Signing")
    api = platform.find_child("Api").function
    variables = synthesized.resources[synthesized.logical_id(api)]["Properties"]["Environment"]["Variables"]
    allowed = synthesized.allowed(synthesized.role_of(api))

    assert json.loads(flatten(variables["MOTCUA_SIGNING_KEYS"])) == {
        code: f"<{synthesized.logical_id(key)}.Arn>" for code, key in signing.keys.items()
    }
    for key in signing.keys.values():
        arn = {"Fn::GetAtt": [synthesized.logical_id(key), "Arn"]}
        for action in ("kms:Sign", "kms:GetPublicKey"):
            assert (action, arn) in allowed, (action, key.node.path)


def test_no_other_function_may_sign(synthesized: Synthesized) -> None:
    platform = synthesized.stage.platform.node
    others = {
        "notify": platform.find_child("Notifications").function,
        "routing": platform.find_child("Workflow").function,
        "sweep": platform.find_child("Schedules").sweep,
    }

    for name, function in others.items():
        signs = [pair for pair in synthesized.allowed(synthesized.role_of(function)) if pair[0] == "kms:Sign"]
        assert signs == [], name
    # And the API signs with these keys only, not with the data key or the topic's.
    api = synthesized.role_of(platform.find_child("Api").function)
    signing_keys = {f"<{name}.Arn>" for name in _signing_keys(synthesized)}
    assert {flatten(resource) for action, resource in synthesized.allowed(api) if action == "kms:Sign"} == (
        signing_keys
    )


def test_replacing_a_key_makes_a_new_one_and_keeps_the_others() -> None:
    # Given the demo province, whose Department of Finance's key was replaced once
    province = PROVINCES["demo"].province
    finance = "000.00.01.H99"
    context = {GENERATIONS_CONTEXT: {"demo": {finance: 2}, "lachong-demo": {"CA": 5}}}

    # When its signing keys are built, before and after
    def keys(app_context: dict[str, Any]) -> dict[str, dict[str, Any]]:
        stack = Stack(App(context=app_context), "Keys")
        Signing(
            stack,
            "Signing",
            spec=SIGNING,
            province=province,
            generations=generations(stack.node.try_get_context(GENERATIONS_CONTEXT), "demo"),
        )
        return Template.from_stack(stack).find_resources("AWS::KMS::Key")

    before, after = keys({}), keys(context)

    # Then only Finance's key has a new logical id (a new key); the old one is left, not replaced
    assert len(before) == len(after)
    gone, new = set(before) - set(after), set(after) - set(before)
    assert len(gone) == len(new) == 1
    assert f"({finance}), generation 2" in after[new.pop()]["Properties"]["Description"]
    assert before[gone.pop()]["DeletionPolicy"] == "Retain"


def test_a_generation_for_a_code_that_signs_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="sign nothing"):
        Signing(
            Stack(App(), "Keys"),
            "Signing",
            spec=SIGNING,
            province=PROVINCES["demo"].province,
            generations={"000.99.99.H99": 2},
        )
    with pytest.raises(ValueError, match="generations"):
        generations({"demo": {"CA": 0}}, "demo")
