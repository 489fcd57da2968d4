"""cdk-nag's AwsSolutions pack and cfn-lint over each stage: nothing unacknowledged, no template error."""

from __future__ import annotations

import ast
from pathlib import Path

from aws_cdk import Validations
from cdk_nag import AwsSolutionsChecks
from cfnlint.api import ManualArgs, lint_file

from tests.infra.support import Synthesized

INFRA = Path(__file__).resolve().parents[2] / "infra"
# The region a Vietnamese province deploys to (Singapore, the nearest with every service used here).
REGIONS = ["ap-southeast-1"]
# CDK makes a function or state machine depend on its role's policy with DependsOn next to the GetAtt
# of the role, on purpose (the policy must exist before the first invocation); cfn-lint notes the overlap.
ACCEPTED_WARNINGS = {"W3005"}


def test_aws_solutions_finds_nothing_unacknowledged(synthesized: Synthesized) -> None:
    report = AwsSolutionsChecks().validate_scope(synthesized.stage.platform)

    findings = [
        f"{v.severity} {v.rule_name}: {v.description} at "
        + ", ".join(r.construct_path for r in v.violating_resources)
        for v in report.violations
    ]
    assert findings == []


def test_every_acknowledgment_says_why(synthesized: Synthesized) -> None:
    acknowledged: dict[str, str] = {}
    for construct in synthesized.stage.platform.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                for rule, reason in dict(entry.data).items():
                    acknowledged[f"{construct.node.path}: {rule}"] = str(reason)

    assert acknowledged
    assert {where: why for where, why in acknowledged.items() if len(why.split()) < 8} == {}


def test_acknowledgments_live_in_one_module() -> None:
    callers = []
    for path in INFRA.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # Validations.of(construct).acknowledge(...), or any other way of building an Acknowledgment
            acknowledges = isinstance(node, ast.Attribute) and node.attr == "acknowledge"
            builds = isinstance(node, ast.Name) and node.id == "Acknowledgment"
            if (acknowledges and isinstance(node.value, ast.Call)) or builds:
                callers.append(path.relative_to(INFRA).as_posix())

    assert set(callers) == {"nag.py"}


def test_cfn_lint_finds_no_error_in_the_template(synthesized: Synthesized) -> None:
    matches = lint_file(synthesized.template_path(), config=ManualArgs(regions=REGIONS))

    problems = [
        f"{m.rule.id} {m.message} ({m.path})"
        for m in matches
        if m.rule.id.startswith("E") or (m.rule.id.startswith("W") and m.rule.id not in ACCEPTED_WARNINGS)
    ]
    assert problems == []
