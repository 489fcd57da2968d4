"""How the platform's Python runs on Lambda: the shared layer, and functions that each have their own role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import bundling

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from infra.provinces import ProvinceFile

# Python 3.14 on Graviton: the layer is built for exactly this (infra/bundling.py).
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
LOG_RETENTION = logs.RetentionDays.SIX_MONTHS
DEFAULT_TIMEOUT = Duration.seconds(20)
assert RUNTIME.name == f"python{bundling.PYTHON_VERSION}", "the layer and the functions must agree"


class Runtime(Construct):
    """The layer (motcua and its dependencies) and a factory for functions that use it.

    Every function gets its own role, its own log group (written to through a grant, so no managed
    policy), X-Ray tracing, and the province file in its code (MOTCUA_PROVINCE_FILE).
    """

    def __init__(
        self, scope: Construct, id: str, *, layer_zip: Path, province: ProvinceFile, metrics_namespace: str
    ) -> None:
        super().__init__(scope, id)
        self.province = province
        self.metrics_namespace = metrics_namespace
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            code=lambda_.Code.from_asset(str(layer_zip)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="motcua: the domain package and its dependencies",
        )

    def service_name(self, name: str) -> str:
        """POWERTOOLS_SERVICE_NAME of function `name`: the `service` dimension of its metrics."""
        return f"motcua-{name}"

    def function(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        description: str,
        environment: Mapping[str, str],
        handler: str = "app.handler",
        timeout: Duration = DEFAULT_TIMEOUT,
        memory_size: int = 512,
        snap_start: bool = False,
    ) -> lambda_.Function:
        """A function from `functions/<name>` with the province file beside its code.

        `snap_start`: its published versions start from a snapshot taken after its init (SnapStart);
        only a version or an alias of it gets that, so whoever invokes it must name one.
        """
        code = bundling.stage_function(name, province_id=self.province.id, province_file=self.province.path)
        log_group = logs.LogGroup(scope, f"{id}Logs", retention=LOG_RETENTION)
        role = iam.Role(
            scope,
            f"{id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"motcua {name} function ({self.province.id})",
        )
        log_group.grant_write(role)
        return lambda_.Function(
            scope,
            id,
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=handler,
            code=lambda_.Code.from_asset(str(code)),
            layers=[self.layer],
            role=role,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            tracing=lambda_.Tracing.ACTIVE,
            timeout=timeout,
            memory_size=memory_size,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snap_start else None,
            # A snapshotted version is billed for its cache while it exists: the deploy that publishes
            # the next one deletes it (the alias has moved by then).
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY)
            if snap_start
            else None,
            environment={
                "MOTCUA_PROVINCE_FILE": bundling.province_file_path(),
                # The copy synthesis loaded and checked (infra/provinces.py): no second metaschema check.
                "MOTCUA_PROVINCE_CHECKED": "true",
                # No pydantic plugins are used: spare the cold start the scan of packages' entry points.
                "PYDANTIC_DISABLE_PLUGINS": "__all__",
                "POWERTOOLS_SERVICE_NAME": self.service_name(name),
                "POWERTOOLS_METRICS_NAMESPACE": self.metrics_namespace,
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **environment,
            },
        )
