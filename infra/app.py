"""The CDK app: one stage `Motcua-<id>` per province file, checked by cdk-nag's AwsSolutions pack.

    python -m infra.app [--province ID ...] [--out DIR]     synthesize (offline once the layer is built)
    cdk deploy -c province=ID 'Motcua-ID/*'                 what `make deploy PROVINCE=ID` runs

Without a province every file in provinces/ is synthesized. The layer is built (or found up to
date) first, by infra/bundling.py. The feature flags are cdk.json's, for the CLI and for tests alike.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from aws_cdk import App, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from infra import bundling, site
from infra.provinces import select
from infra.stage import ProvinceStage

if TYPE_CHECKING:
    from collections.abc import Sequence

    from infra.provinces import ProvinceFile

ROOT = Path(__file__).resolve().parents[1]
# Where a province deploys (docs/operations.md, 1), when the CLI has not said.
REGION = "ap-southeast-1"


def feature_flags() -> dict[str, object]:
    return dict(json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"])


def environment() -> Environment:
    """The account and region the CLI resolved (cdk deploy); offline, no account and REGION.

    The region is always explicit: the stage's edge stack is in us-east-1, and CDK's cross-region
    references (its web ACL's ARN, read by the platform) need both regions known at synthesis."""
    account, region = os.environ.get("CDK_DEFAULT_ACCOUNT"), os.environ.get("CDK_DEFAULT_REGION")
    return Environment(account=account or None, region=region or REGION)


def build_app(
    provinces: Sequence[ProvinceFile],
    *,
    outdir: str | None = None,
    layer_zip: Path | None = None,
    checks: bool = True,
) -> tuple[App, list[ProvinceStage]]:
    """The app with one stage per province; with `checks`, synthesis fails on any nag finding."""
    app = App(context=feature_flags(), outdir=outdir)
    layer = layer_zip or bundling.build_layer()
    # Each province's portal: frontend/ built with its procedures' pages (infra/site.py).
    stages = [
        ProvinceStage(
            app,
            province=province,
            layer_zip=layer,
            frontend=site.build_into(province.path, bundling.BUILD / "site" / province.id),
            env=environment(),
        )
        for province in provinces
    ]
    if checks:
        Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stages


def _wanted(args: argparse.Namespace, app_context: str | None) -> list[str]:
    names = [*args.province, *(app_context.split(",") if app_context else [])]
    return [name.strip() for name in names if name.strip()]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.app", description=__doc__.split("\n")[0])
    parser.add_argument("--province", action="append", default=[], help="a province id (repeatable)")
    parser.add_argument("--out", default=os.environ.get("CDK_OUTDIR", str(ROOT / "cdk.out")))
    args = parser.parse_args(argv)
    context = json.loads(os.environ.get("CDK_CONTEXT_JSON", "{}")).get("province")
    provinces = select(_wanted(args, context))
    started = time.perf_counter()
    app, stages = build_app(provinces, outdir=args.out)
    app.synth()
    took = time.perf_counter() - started
    names = ", ".join(stage.stage_name for stage in stages)
    print(f"synthesized {names} into {args.out} in {took:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
