"""One stage per province, `Motcua-<id>`: everything a province runs, sharing nothing with another."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import Stage, Tags

from infra.stack import PlatformStack

if TYPE_CHECKING:
    from pathlib import Path

    from constructs import Construct

    from infra.provinces import ProvinceFile

STACK = "Platform"


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
        self.platform = PlatformStack(self, STACK, province=province, layer_zip=layer_zip, frontend=frontend)
        Tags.of(self).add("motcua:province", province.id)
