"""One stage per province, `Motcua-<id>`: everything a province runs, sharing nothing with another."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import Environment, Stage, Tags

from infra.edge import EDGE_REGION, EdgeStack
from infra.stack import PlatformStack

if TYPE_CHECKING:
    from pathlib import Path

    from constructs import Construct

    from infra.provinces import ProvinceFile

STACK = "Platform"
EDGE_STACK = "Edge"


class ProvinceStage(Stage):
    def __init__(
        self,
        scope: Construct,
        *,
        province: ProvinceFile,
        layer_zip: Path,
        frontend: Path,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, province.stage_name, **kwargs)
        self.province = province
        # The distribution's web ACL lives in us-east-1; its ARN reaches the platform by a cross-region
        # reference (cdk.json's weak references: Fn::GetStackOutput, no export or custom resource),
        # which needs both stacks' regions explicit (infra/app.py). The edge stack deploys first.
        self.edge = EdgeStack(
            self,
            EDGE_STACK,
            province=province,
            env=Environment(account=self.account, region=EDGE_REGION),
            cross_region_references=True,
        )
        self.platform = PlatformStack(
            self,
            STACK,
            province=province,
            layer_zip=layer_zip,
            frontend=frontend,
            edge_web_acl_arn=self.edge.acl.arn,
            cross_region_references=True,
        )
        Tags.of(self).add("motcua:province", province.id)
