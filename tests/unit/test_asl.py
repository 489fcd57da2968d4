"""The flows' state machines: valid ASL for every demo procedure, and nothing that waits forever."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException

from motcua import asl
from motcua.config.province import load_province
from motcua.domain.flows import hard_timeout_seconds
from tests.conftest import DEMO_PROVINCE

PROVINCE = load_province(DEMO_PROVINCE)
FLOWS = [p for p in PROVINCE.procedures if p.flow is not None]
QUEUE = "https://sqs.ap-southeast-1.amazonaws.com/123456789012/motcua-demo-routing"


def states_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every state, branches included, by name."""
    found: dict[str, dict[str, Any]] = {}
    for name, state in document["States"].items():
        found[name] = state
        for branch in state.get("Branches", []):
            found |= states_of(branch)
    return found


def test_the_demo_province_has_the_four_flows_of_the_design() -> None:
    assert {p.code for p in FLOWS} == {"2.001610", "1.013978", "1.014199", "1.013225"}


@pytest.mark.parametrize("procedure", FLOWS, ids=lambda p: p.code)
def test_every_definition_is_valid_asl(procedure: Any) -> None:
    text = asl.substitute(asl.definition(procedure), {asl.QUEUE_SUBSTITUTION: QUEUE})
    # The ASL grammar Step Functions' local interpreter uses; it raises on any syntax error.
    program, _ = AmazonStateLanguageParser.parse(text)
    assert program is not None
    assert "${" not in text


def test_the_grammar_does_refuse_a_broken_definition() -> None:
    broken = asl.definition(FLOWS[0]) | {"StartAt": 42}
    with pytest.raises(ASLParserException):
        AmazonStateLanguageParser.parse(json.dumps(broken))


@pytest.mark.parametrize("procedure", FLOWS, ids=lambda p: p.code)
def test_every_transition_lands_on_a_state_of_its_own_scope(procedure: Any) -> None:
    def check(scope: dict[str, Any]) -> None:
        names = set(scope["States"])
        assert scope["StartAt"] in names
        for state in scope["States"].values():
            targets = [state.get("Next"), state.get("Default")]
            targets += [c["Next"] for c in state.get("Choices", []) + state.get("Catch", [])]
            assert {t for t in targets if t} <= names
            for branch in state.get("Branches", []):
                check(branch)

    check(asl.definition(procedure))


@pytest.mark.parametrize("procedure", FLOWS, ids=lambda p: p.code)
def test_nothing_waits_forever_and_every_timeout_is_handled(procedure: Any) -> None:
    states = states_of(asl.definition(procedure))
    waits = {n: s for n, s in states.items() if s.get("Resource", "").endswith("waitForTaskToken")}
    assert waits
    for name, state in waits.items():
        assert state["TimeoutSeconds"] > 0, name
        assert any("States.Timeout" in c["ErrorEquals"] for c in state["Catch"]), name
    # every stage catches the errors its steps end with
    for state in states.values():
        if state["Type"] == "Parallel":
            caught = {e for c in state["Catch"] for e in c["ErrorEquals"]}
            assert {asl.REJECTED, asl.STALLED, asl.ABANDONED, "States.ALL"} <= caught


@pytest.mark.parametrize("procedure", FLOWS, ids=lambda p: p.code)
def test_parallel_steps_are_branches_of_one_stage(procedure: Any) -> None:
    document = asl.definition(procedure)
    stages = [s for s in document["States"].values() if s["Type"] == "Parallel"]
    assert [len(s["Branches"]) for s in stages] == [len(stage.steps) for stage in procedure.flow.stages]


def test_a_steps_hard_timeout_is_its_allowance_with_margin() -> None:
    # 4 working days: 6 calendar days with the weekend, 10 for the longest holiday, 2 of margin.
    assert hard_timeout_seconds(4) == 18 * 86_400
    assert hard_timeout_seconds(4) > 4 * 7 / 5 * 86_400
    step = states_of(asl.definition(PROVINCE.procedures_by_code["1.014199"]))["Stage1Step1"]
    assert step["TimeoutSeconds"] == hard_timeout_seconds(4)


def test_names_fit_step_functions_rules() -> None:
    name = asl.state_machine_name("motcua-demo", "2.001610")
    assert name == "motcua-demo-flow-2-001610"
    assert asl.execution_name("000.00.01.H99-261117-0001") == "000_00_01_H99-261117-0001"
    assert asl.execution_name("000.00.01.H99-261117-0001", 2).endswith("-r2")
