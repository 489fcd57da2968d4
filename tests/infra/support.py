"""What the infrastructure tests share: the provinces, and each one's stage synthesized once per session.

Synthesis is the slow part (the jsii runtime, seconds a stage), so a province's stage is built once and
every test reads the same assembly.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk.assertions import Template  # noqa: E402 — after the jsii settings above

from infra.provinces import ProvinceFile, discover  # noqa: E402
from infra.stage import ProvinceStage  # noqa: E402

PROVINCES = discover()
PROVINCE_IDS = sorted(PROVINCES)


@dataclass
class Synthesized:
    province: ProvinceFile
    stage: ProvinceStage
    template: dict[str, Any]
    assembly: Path

    @property
    def assertions(self) -> Template:
        return Template.from_json(self.template)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return dict(self.template["Resources"])

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: r for name, r in self.resources.items() if r["Type"] == kind}

    def one(self, kind: str) -> tuple[str, dict[str, Any]]:
        found = self.of_type(kind)
        assert len(found) == 1, f"{len(found)} resources of type {kind}"
        return next(iter(found.items()))

    def logical_id(self, construct: Any) -> str:
        return str(self.stage.platform.resolve(construct.node.default_child.logical_id))

    def template_path(self) -> Path:
        return self.assembly / f"assembly-{self.stage.stage_name}" / self.stage.platform.template_file

    def edge_template_path(self) -> Path:
        return self.assembly / f"assembly-{self.stage.stage_name}" / self.stage.edge.template_file

    @property
    def edge_template(self) -> dict[str, Any]:
        """The stage's us-east-1 stack (the distribution's web ACL)."""
        return dict(json.loads(self.edge_template_path().read_text()))

    def role_of(self, function: Any) -> str:
        """The logical id of a function's role."""
        return str(self.resources[self.logical_id(function)]["Properties"]["Role"]["Fn::GetAtt"][0])

    def statements(self, role: str) -> list[dict[str, Any]]:
        """The statements of every policy attached to the role."""
        return [
            statement
            for policy in self.of_type("AWS::IAM::Policy").values()
            if {"Ref": role} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        ]

    def allowed(self, role: str) -> list[tuple[str, Any]]:
        """(action, resource) pairs the role's policies allow."""
        return [
            (action, resource)
            for statement in self.statements(role)
            if statement["Effect"] == "Allow"
            for action in as_list(statement["Action"])
            for resource in as_list(statement["Resource"])
        ]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def flatten(value: Any) -> str:
    """A CloudFormation string with each Ref written <LogicalId> and each GetAtt <LogicalId.Attribute>."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(flatten(part) for part in parts)
    if "Fn::GetAtt" in value:
        return "<{}.{}>".format(*value["Fn::GetAtt"])
    return f"<{value['Ref']}>"


_built: dict[str, Synthesized] = {}


def synthesized_stage(province_id: str, outdir: Path, layer_zip: Path) -> Synthesized:
    """The province's stage, synthesized into `outdir` the first time it is asked for."""
    if province_id not in _built:
        from infra.app import build_app

        province = PROVINCES[province_id]
        # Checks run in test_infra_checks.py, finding by finding; here a finding must not hide the rest.
        app, (stage,) = build_app([province], outdir=str(outdir), layer_zip=layer_zip, checks=False)
        app.synth()
        path = outdir / f"assembly-{stage.stage_name}" / stage.platform.template_file
        _built[province_id] = Synthesized(province, stage, json.loads(path.read_text()), outdir)
    return _built[province_id]


def is_built(province_id: str) -> bool:
    return province_id in _built
