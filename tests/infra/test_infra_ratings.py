"""The rating links' key (docs/ratings.md): an HMAC key in KMS, used by the API and the notifier only."""

from __future__ import annotations

from tests.infra.support import Synthesized


def test_the_rating_link_key_is_an_hmac_key_that_only_the_api_and_the_notifier_may_use(
    synthesized: Synthesized,
) -> None:
    platform = synthesized.stage.platform
    key = synthesized.logical_id(platform.node.find_child("RatingLinks").key)
    properties = synthesized.resources[key]["Properties"]
    assert (properties["KeySpec"], properties["KeyUsage"]) == ("HMAC_256", "GENERATE_VERIFY_MAC")

    arn = {"Fn::GetAtt": [key, "Arn"]}
    users = {
        name
        for name, function in (
            ("api", platform.node.find_child("Api").function),
            ("notify", platform.node.find_child("Notifications").function),
            ("routing", platform.node.find_child("Workflow").function),
            ("stats", platform.node.find_child("Statistics").function),
        )
        if ("kms:GenerateMac", arn) in synthesized.allowed(synthesized.role_of(function))
    }
    assert users == {"api", "notify"}
    for name in ("Api", "Notifications"):
        function = synthesized.resources[synthesized.logical_id(platform.node.find_child(name).function)]
        assert function["Properties"]["Environment"]["Variables"]["MOTCUA_RATING_KEY"] == arn
