"""Functions: Graviton, a current Python, the shared layer, the province file in the code, one role each
and only the permissions grants give."""

from __future__ import annotations

import json
import zipfile
from typing import Any

from infra.bundling import FUNCTIONS, PROVINCE_FILE_NAME, TASK_ROOT
from infra.constructs.notifications import SMS_ACTIONS
from infra.nag import UNSCOPED_ACTIONS
from motcua.resources import BUCKET
from tests.infra.support import Synthesized, as_list, flatten


def _ours(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    platform = synthesized.stage.platform.node
    functions = {
        "api": platform.find_child("Api").function,
        "routing": platform.find_child("Workflow").function,
        "sweep": platform.find_child("Schedules").sweep,
        "notify": platform.find_child("Notifications").function,
        "pki": platform.find_child("Signing").function,
        "stats": platform.find_child("Statistics").function,
        "recount": platform.find_child("Recount").function,
    }
    reconciliation = platform.try_find_child("Reconciliation")  # a province whose gateway files a list
    if reconciliation is not None:
        functions["reconcile"] = reconciliation.function  # type: ignore[attr-defined]
    return {
        name: synthesized.resources[synthesized.logical_id(fn)]["Properties"]
        for name, fn in functions.items()
    }


def _asset(synthesized: Synthesized, code: dict[str, Any]) -> str:
    return str(code["S3Key"]).removesuffix(".zip")


def test_every_function_runs_python_3_12_or_newer_on_arm64_with_the_layer_and_tracing(
    synthesized: Synthesized,
) -> None:
    layer = synthesized.logical_id(synthesized.stage.platform.node.find_child("Runtime").layer)

    for name, props in _ours(synthesized).items():
        family, version = props["Runtime"][:6], props["Runtime"][6:]
        assert family == "python" and tuple(map(int, version.split("."))) >= (3, 12), name
        assert props["Architectures"] == ["arm64"], name
        assert props["Layers"] == [{"Ref": layer}], name
        assert props["TracingConfig"] == {"Mode": "Active"}, name
        assert props["LoggingConfig"]["LogFormat"] == "JSON", name
        assert "FunctionName" not in props, name


def test_each_function_has_a_role_of_its_own_without_managed_policies(synthesized: Synthesized) -> None:
    roles = [props["Role"]["Fn::GetAtt"][0] for props in _ours(synthesized).values()]

    assert len(set(roles)) == len(roles)
    for role in roles:
        assert "ManagedPolicyArns" not in synthesized.resources[role]["Properties"]


def test_no_policy_grants_scopable_actions_on_every_resource(synthesized: Synthesized) -> None:
    # CDK's BucketDeployment handler is CDK's own (acknowledged in infra/nag.py); every other policy is ours.
    # The one exception: SMS, which SNS sends to a phone number (no ARN): by the notify function, and by
    # Cognito for the citizens' codes through the pools' own SMS role (topics denied in both).
    platform = synthesized.stage.platform.node
    sms_roles = [
        {"Ref": synthesized.role_of(platform.find_child("Notifications").function)},
        {"Ref": synthesized.logical_id(platform.find_child("Identity").sms_role)},
    ]
    for name, policy in synthesized.of_type("AWS::IAM::Policy").items():
        if name.startswith("CustomCDKBucketDeployment"):
            continue
        allowed = UNSCOPED_ACTIONS | (
            set(SMS_ACTIONS) if any(role in policy["Properties"]["Roles"] for role in sms_roles) else set()
        )
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Resource"] == "*" or "*" in statement["Resource"]:
                actions = (
                    statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                )
                assert set(actions) <= allowed, (name, actions)


def test_attachments_are_reached_by_prefix_and_only_by_who_needs_them(synthesized: Synthesized) -> None:
    data = synthesized.stage.platform.node.find_child("Data")
    bucket = synthesized.logical_id(data.attachments)
    roles = {name: props["Role"]["Fn::GetAtt"][0] for name, props in _ours(synthesized).items()}

    def s3_grants(role: str) -> dict[str, list[str]]:
        """Prefix -> the actions the role may take on objects under it."""
        found: dict[str, list[str]] = {}
        for statement in synthesized.statements(role):
            # Statements of the same actions are merged by CDK: one resource, or a list of them.
            resources = statement["Resource"]
            for resource in resources if isinstance(resources, list) else [resources]:
                if bucket in json.dumps(resource):
                    prefix = flatten(resource).removeprefix(f"<{bucket}.Arn>/")
                    found[prefix] = sorted(as_list(statement["Action"]))
        return found

    # The API presigns uploads (tagged pending) and checks them; it copies them to the filed prefix
    # when filed (no tag) and hands them out from there; it signs and stores results. The notifier only
    # reads results, to attach them. Nobody else touches the bucket.
    assert s3_grants(roles["api"]) == {
        f"{BUCKET.upload_prefix}*": [
            "s3:GetObject",
            "s3:GetObjectTagging",
            "s3:PutObject",
            "s3:PutObjectTagging",
        ],
        f"{BUCKET.filed_prefix}*": ["s3:GetObject", "s3:PutObject"],
        f"{BUCKET.result_prefix}*": ["s3:GetObject", "s3:PutObject"],
    }
    assert s3_grants(roles["notify"]) == {f"{BUCKET.result_prefix}*": ["s3:GetObject"]}
    assert s3_grants(roles["routing"]) == {} and s3_grants(roles["sweep"]) == {}


def test_the_province_file_ships_with_each_function(synthesized: Synthesized) -> None:
    expected = synthesized.province.path.read_bytes()

    for name, props in _ours(synthesized).items():
        code = synthesized.assembly / f"asset.{_asset(synthesized, props['Code'])}"
        assert (
            props["Environment"]["Variables"]["MOTCUA_PROVINCE_FILE"] == f"{TASK_ROOT}/{PROVINCE_FILE_NAME}"
        )
        assert (code / PROVINCE_FILE_NAME).read_bytes() == expected, name
        assert (code / "app.py").is_file(), name
    api = synthesized.assembly / f"asset.{_asset(synthesized, _ours(synthesized)['api']['Code'])}"
    assert (api / "chalice" / "app.py").is_file()  # Chalice's runtime, as `chalice package` ships it
    assert (api / "chalicelib" / "openapi.py").is_file()


def test_functions_holds_what_runs_on_lambda_and_nothing_else(synthesized: Synthesized) -> None:
    # The local stack runs on a laptop only: it lives in infra/devstack, never in a function's code.
    folders = {p.name for p in FUNCTIONS.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))}

    # The reconciliation's function is built only for a province whose gateway's daily file is set.
    optional = set() if synthesized.stage.platform.node.try_find_child("Reconciliation") else {"reconcile"}
    assert folders - optional == set(_ours(synthesized))
    for name, props in _ours(synthesized).items():
        code = synthesized.assembly / f"asset.{_asset(synthesized, props['Code'])}"
        assert (code / "app.py").read_bytes() == (FUNCTIONS / name / "app.py").read_bytes(), name
        assert not (code / "devstack").exists(), name


def test_the_layer_holds_motcua_and_its_dependencies_built_for_lambda(synthesized: Synthesized) -> None:
    _, layer = next(
        (name, r)
        for name, r in synthesized.of_type("AWS::Lambda::LayerVersion").items()
        if name == synthesized.logical_id(synthesized.stage.platform.node.find_child("Runtime").layer)
    )
    archive = synthesized.assembly / f"asset.{layer['Properties']['Content']['S3Key']}"
    names = zipfile.ZipFile(archive).namelist()

    assert "python/motcua/asl.py" in names
    assert "python/motcua/py.typed" in names
    compiled = [n for n in names if n.startswith("python/pydantic_core/") and n.endswith(".so")]
    assert compiled and all("aarch64" in n for n in compiled)
    # iPhone photos are read at filing (docs/uploads.md): libheif's binding, built for Lambda's machine
    heif = [n for n in names if n.startswith("python/_pillow_heif") and n.endswith(".so")]
    assert heif and all("aarch64" in n for n in heif)
    unzipped = sum(info.file_size for info in zipfile.ZipFile(archive).infolist())
    assert unzipped < 250 * 1024 * 1024 - 20 * 1024 * 1024  # Lambda's limit, with room for a function
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert not [n for n in names if "__pycache__" in n]
