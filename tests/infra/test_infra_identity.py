"""Identity: the two user pools as the specs (motcua.resources.USER_POOLS) describe them."""

from __future__ import annotations

import json
from typing import Any

from motcua.resources import CITIZEN_POOL, STAFF_POOL
from tests.infra.support import Synthesized


def _pool(synthesized: Synthesized, key: str) -> tuple[str, dict[str, Any]]:
    identity = synthesized.stage.platform.node.find_child("Identity")
    name = synthesized.logical_id(identity.pools[key])
    return name, synthesized.resources[name]["Properties"]


def _client(synthesized: Synthesized, pool: str) -> dict[str, Any]:
    clients = [
        r["Properties"]
        for r in synthesized.of_type("AWS::Cognito::UserPoolClient").values()
        if r["Properties"]["UserPoolId"] == {"Ref": pool}
    ]
    assert len(clients) == 1
    return clients[0]


def _follows_nist(policy: dict[str, Any]) -> bool:
    """NIST SP 800-63B: a minimum length of 8 or more (ours is 10), and no composition rules."""
    kinds = ("Lowercase", "Uppercase", "Numbers", "Symbols")
    return policy["MinimumLength"] >= 10 and not any(policy.get(f"Require{kind}") for kind in kinds)


def test_staff_must_use_mfa_and_a_long_password(synthesized: Synthesized) -> None:
    _, staff = _pool(synthesized, STAFF_POOL.key)

    assert staff["MfaConfiguration"] == "ON"
    assert staff["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert _follows_nist(staff["Policies"]["PasswordPolicy"])
    assert staff["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}  # no self sign-up
    assert staff["UserPoolTier"] == "PLUS"  # threat protection on the accounts that decide


def test_citizens_sign_themselves_up_by_email_or_phone(synthesized: Synthesized) -> None:
    _, citizens = _pool(synthesized, CITIZEN_POOL.key)

    assert citizens["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": False}
    assert sorted(citizens["UsernameAttributes"]) == ["email", "phone_number"]
    assert sorted(citizens["AutoVerifiedAttributes"]) == ["email", "phone_number"]
    assert _follows_nist(citizens["Policies"]["PasswordPolicy"])
    assert citizens["MfaConfiguration"] == "OPTIONAL"
    # A forgotten password's code: to the email, else to the phone of an account signed up with one.
    mechanisms = citizens["AccountRecoverySetting"]["RecoveryMechanisms"]
    assert [m["Name"] for m in sorted(mechanisms, key=lambda m: m["Priority"])] == [
        "verified_email",
        "verified_phone_number",
    ]
    # Cognito texts the codes through SNS with a role that publishes to phone numbers only.
    role = citizens["SmsConfiguration"]["SnsCallerArn"]["Fn::GetAtt"][0]
    policies = [
        r["Properties"]["PolicyDocument"]["Statement"]
        for r in synthesized.of_type("AWS::IAM::Policy").values()
        if {"Ref": role} in r["Properties"]["Roles"]
    ]
    assert len(policies) == 1
    effects = {(st["Effect"], st["Action"], json.dumps(st["Resource"])) for st in policies[0]}
    assert ("Allow", "sns:Publish", '"*"') in effects
    assert any(
        effect == "Deny" and action == "sns:Publish" and "sns:*:*:*" in where
        for effect, action, where in effects
    )


def test_staff_tokens_carry_agency_and_role_and_groups_exist(synthesized: Synthesized) -> None:
    name, staff = _pool(synthesized, STAFF_POOL.key)
    custom = {a["Name"] for a in staff["Schema"] if a.get("AttributeDataType") == "String"}
    groups = {
        r["Properties"]["GroupName"]
        for r in synthesized.of_type("AWS::Cognito::UserPoolGroup").values()
        if r["Properties"]["UserPoolId"] == {"Ref": name}
    }

    assert custom == set(STAFF_POOL.custom_attributes)
    assert groups == set(STAFF_POOL.groups)
    assert set(_client(synthesized, name)["ReadAttributes"]) == set(STAFF_POOL.token_attributes)


def test_nobody_can_change_their_own_agency_or_role(synthesized: Synthesized) -> None:
    name, _ = _pool(synthesized, STAFF_POOL.key)

    writable = _client(synthesized, name)["WriteAttributes"]

    assert not [attribute for attribute in writable if attribute.startswith("custom:")]


def test_staff_cannot_choose_the_name_they_sign_with(synthesized: Synthesized) -> None:
    # The ID token's `name` is the signer's name on a result (its stamp, its /Name, the audit): an
    # officer calling UpdateUserAttributes must not be able to set it; only an admin can.
    name, _ = _pool(synthesized, STAFF_POOL.key)

    writable = _client(synthesized, name)["WriteAttributes"]

    # A list there, and not empty: without one, Cognito lets the client write every standard attribute.
    assert writable
    assert "name" not in writable
    assert not [attribute for attribute in writable if attribute.startswith("custom:")]
    assert set(writable) <= {"email", "phone_number"}


def test_citizens_may_still_correct_their_own_name(synthesized: Synthesized) -> None:
    name, _ = _pool(synthesized, CITIZEN_POOL.key)

    writable = _client(synthesized, name)["WriteAttributes"]

    assert {"name", "email", "phone_number"} <= set(writable)
    assert not [attribute for attribute in writable if attribute.startswith("custom:")]


def test_the_portals_clients_sign_in_through_the_api(synthesized: Synthesized) -> None:
    for key in (CITIZEN_POOL.key, STAFF_POOL.key):
        name, props = _pool(synthesized, key)
        client = _client(synthesized, name)

        assert client["GenerateSecret"] is False  # a public client: the API calls InitiateAuth with it
        assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]
        assert "ALLOW_REFRESH_TOKEN_AUTH" in client["ExplicitAuthFlows"]
        assert client["PreventUserExistenceErrors"] == "ENABLED"
        assert "AllowedOAuthFlows" not in client
        assert "UserPoolName" not in props
        assert props["DeletionProtection"] == "ACTIVE"


def test_only_the_api_reads_the_staff_pool_and_only_a_member_at_a_time(synthesized: Synthesized) -> None:
    staff, _ = _pool(synthesized, STAFF_POOL.key)
    platform = synthesized.stage.platform.node
    api = synthesized.role_of(platform.find_child("Api").function)

    granted = {
        (role, action, str(resource))
        for role in synthesized.of_type("AWS::IAM::Role")
        for action, resource in synthesized.allowed(role)
        if action.startswith("cognito-idp:")
    }

    # Forwarding a task asks the staff pool who the colleague is; nothing reads the citizens' pool.
    assert granted == {(api, "cognito-idp:AdminGetUser", str({"Fn::GetAtt": [staff, "Arn"]}))}
