"""Provinces: every file in provinces/ is a stage `Motcua-<id>`; stages synthesize side by side, offline,
and share nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.provinces import discover
from motcua.config.province import load_province
from tests.infra.support import PROVINCE_IDS, Synthesized

ROOT = Path(__file__).resolve().parents[2]
# Resource properties that carry an account-wide physical name; set, it must belong to its stage
# (an inline policy's or a group's name is scoped to its role or pool, so it is not one).
NAME_PROPERTIES = {
    "TableName", "BucketName", "FunctionName", "LayerName", "QueueName", "TopicName", "StateMachineName",
    "UserPoolName", "ClientName", "RoleName", "LogGroupName", "DashboardName", "AlarmName", "Name",
    "AliasName",
}  # fmt: skip
# Named within their own function (the API's SnapStart alias `live`), not in the account.
FUNCTION_SCOPED = {"AWS::Lambda::Alias"}


def test_every_province_file_is_a_province_and_there_are_two_demos() -> None:
    found = discover()

    assert set(found) == {path.stem for path in (ROOT / "provinces").glob("*.yaml")}
    assert {"demo", "lachong-demo"} <= set(found)
    second = load_province(ROOT / "provinces" / "lachong-demo.yaml")
    assert len(second.procedures) == 3
    assert [p.code for p in second.procedures if p.flow is not None] == ["2.001610"]
    assert {a.code[-3:] for a in second.agencies} == {second.code} != {"H99"}


def test_no_physical_name_is_hard_coded(synthesized: Synthesized) -> None:
    stage = synthesized.stage.stage_name
    markers = (stage, stage.replace("-", ""))

    for name, resource in synthesized.resources.items():
        if resource["Type"] in FUNCTION_SCOPED:
            continue
        for key, value in resource.get("Properties", {}).items():
            if key not in NAME_PROPERTIES:
                continue
            if isinstance(value, str):  # a literal: CDK's generated name, or one derived from the stage
                assert any(marker in value for marker in markers), (name, key, value)


@pytest.fixture(scope="module")
def make_synth(tmp_path_factory: pytest.TempPathFactory, layer_zip: Path) -> Path:
    """What `make synth` runs, with the package registry out of reach: every province, nag included."""
    out = tmp_path_factory.mktemp("make-synth")
    unreachable = "http://127.0.0.1:9"
    env = os.environ | {
        "PIP_NO_INDEX": "1",
        "HTTP_PROXY": unreachable,
        "HTTPS_PROXY": unreachable,
        "http_proxy": unreachable,
        "https_proxy": unreachable,
    }
    env.pop("PYTHONPATH", None)  # as the CDK command line runs it: `.venv/bin/python -m infra.app`
    result = subprocess.run(
        [sys.executable, "-m", "infra.app", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return out


@pytest.mark.xdist_group("infra-make-synth")
def test_make_synth_builds_every_stage_side_by_side_offline(make_synth: Path) -> None:
    manifest = json.loads((make_synth / "manifest.json").read_text())
    stages = {name for name, a in manifest["artifacts"].items() if a["type"] == "cdk:cloud-assembly"}

    assert stages == {f"assembly-Motcua-{province}" for province in PROVINCE_IDS}
    report = json.loads((make_synth / "validation-report.json").read_text())
    assert [p for p in report["pluginReports"] if p["conclusion"] != "success"] == []


@pytest.mark.xdist_group("infra-make-synth")
def test_every_stage_deploys_its_edge_stack_to_us_east_1_before_its_platform(make_synth: Path) -> None:
    for province in PROVINCE_IDS:
        assembly = make_synth / f"assembly-Motcua-{province}"
        artifacts = json.loads((assembly / "manifest.json").read_text())["artifacts"]
        stacks = {
            a["displayName"].split("/")[-1]: (name, a)
            for name, a in artifacts.items()
            if a["type"] == "aws:cloudformation:stack"
        }

        assert set(stacks) == {"Edge", "Platform"}
        edge_name, edge = stacks["Edge"]
        assert edge["environment"].endswith("/us-east-1")
        assert edge_name in stacks["Platform"][1]["dependencies"]


@pytest.mark.xdist_group("infra-make-synth")
def test_stages_share_nothing(make_synth: Path) -> None:
    templates: dict[str, dict[str, Any]] = {}
    for province in PROVINCE_IDS:
        (path,) = (make_synth / f"assembly-Motcua-{province}").glob("*Platform*.template.json")
        templates[province] = json.loads(path.read_text())

    for template in templates.values():
        text = json.dumps(template)
        assert "Fn::ImportValue" not in text and "Export" not in json.dumps(template.get("Outputs", {}))
    # Literal names only: a reference names something of the same stage.
    names = [
        {value for r in t["Resources"].values() for key, value in r.get("Properties", {}).items()
         if key in NAME_PROPERTIES and isinstance(value, str) and r["Type"] not in FUNCTION_SCOPED}
        for t in templates.values()
    ]  # fmt: skip
    assert all(names) and set.intersection(*names) == set()
    # Each stage ships its own province: the API's code differs, the layer (the same package) does not.
    keys = [
        {
            r["Properties"]["Code"]["S3Key"]
            for r in t["Resources"].values()
            if r["Type"] == "AWS::Lambda::Function"
        }
        for t in templates.values()
    ]
    # CDK's own handlers, the same everywhere: BucketDeployment's, the custom-resource framework's
    # (the PKI function's caller) and AwsCustomResource's (the attachments bucket's CORS).
    assert len(set.intersection(*keys)) == 3
