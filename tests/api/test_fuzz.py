"""The API fuzzed by schemathesis against its own `/v1/openapi.json`: no 5xx, and every answer as documented.

The real app is served by Chalice's local gateway on loopback over in-memory fakes (tests/fuzzing.py).
The run is bounded and derandomized, so that CI sees the same cases every time; `benchmarks/fuzz.py`
runs a longer, random one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fuzzing import FuzzTarget, Tally, fuzz_flows, fuzz_operations, fuzz_target, operations

pytestmark = pytest.mark.offline

EXAMPLES = 12  # cases per operation for those it is for (a fifth for the others), valid and invalid
SCENARIOS, STEPS = 30, 15
EXTRA_ROUNDS = 2  # at most, only while no decision was reached


@pytest.fixture(scope="module")
def target() -> Iterator[FuzzTarget]:
    with fuzz_target() as served:
        yield served


def report(tally: Tally) -> str:
    return f"{len(tally.findings)} finding(s):\n\n" + "\n\n".join(str(f) for f in tally.findings.values())


def test_every_operation_answers_anyone_within_its_contract(target: FuzzTarget) -> None:
    """Nobody, a citizen and an officer each send every operation generated requests, valid and not."""
    tally = Tally()

    fuzz_operations(target, tally, examples=EXAMPLES, derandomize=True)

    assert not tally.findings, report(tally)
    assert tally.operations == {operation.label for operation in operations(target)}
    assert tally.server_errors == 0
    # Not only refusals: the generated requests reached the services and were answered.
    assert {200, 401, 403, 404, 422} <= set(tally.statuses)


def test_following_links_from_a_filing_to_an_officers_decision_keeps_the_contract(target: FuzzTarget) -> None:
    """Stateful: each scenario files a dossier, then follows the document's links, each operation called
    as who may call it (tracking, the receiving agency's inbox, the task, decisions, documents…)."""
    tally = Tally()

    def decisions() -> set[int]:
        return {status for (operation, status) in tally.answers if operation.endswith("/decision")}

    fuzz_flows(target, tally, scenarios=SCENARIOS, steps=STEPS, derandomize=True)
    # The fixed seed's walk depends on what Hypothesis replays alike; when state left by the tests that
    # ran before in this process cut its runs short before a decision, more scenarios (new seeds) go on.
    for _ in range(EXTRA_ROUNDS):
        if decisions() & {200, 409}:
            break
        fuzz_flows(target, tally, scenarios=SCENARIOS, steps=STEPS, derandomize=False)

    assert not tally.findings, report(tally)
    reached = {(operation, status) for (operation, status) in tally.answers if status < 300}
    assert ("POST /v1/dossiers", 201) in reached
    assert ("GET /v1/tracking/{code}", 200) in reached
    assert ("GET /v1/agencies/{agency_code}/tasks", 200) in reached
    # The officer's decisions reached the dossiers' real tasks: taken, or refused for the task's state.
    assert decisions() & {200, 409}, (
        f"decisions answered {sorted(decisions())}, {tally.cut_short} run(s) cut short:\n"
        + tally.sampled("/decision")
        + "\n"
        + tally.sampled("/tasks")
    )
