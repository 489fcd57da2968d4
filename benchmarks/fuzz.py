"""A long fuzz of the API with schemathesis (tests/fuzzing.py): what it sent and what broke the contract.

The real app on Chalice's local gateway on loopback, over in-memory fakes: every operation of
`/v1/openapi.json` as nobody, a citizen and an officer, then scenarios that follow the document's links
from a filing. Random (a new seed each run), unlike the bounded, derandomized run of
tests/api/test_fuzz.py. EXAMPLES (cases per operation and identity, default 200), SCENARIOS (default 300)
and STEPS (default 20) can be set in the environment. Each finding is written to stderr.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")  # figures only on stdout
ROOT = Path(__file__).resolve().parents[1]
for folder in ("functions/api", "functions", "."):
    sys.path.insert(0, str(ROOT / folder))

import tests.conftest  # noqa: E402, F401  — the tests' environment: no real AWS account is reachable
from benchmarks.report import record  # noqa: E402
from tests.fuzzing import Tally, fuzz_flows, fuzz_operations, fuzz_target, operations  # noqa: E402

EXAMPLES = int(os.environ.get("EXAMPLES", "200"))
SCENARIOS = int(os.environ.get("SCENARIOS", "300"))
STEPS = int(os.environ.get("STEPS", "20"))
GROUP = "fuzzing"


def main() -> None:
    logging.disable(logging.ERROR)  # the server's request lines and the app's expected warnings
    stateless, stateful = Tally(), Tally()
    with fuzz_target() as target:
        started = time.perf_counter()
        fuzz_operations(target, stateless, examples=EXAMPLES, derandomize=False)
        fuzz_flows(target, stateful, scenarios=SCENARIOS, steps=STEPS, derandomize=False)
        elapsed = time.perf_counter() - started
        documented = len(operations(target))
    for name, tally in (("per operation", stateless), ("following links", stateful)):
        every = f"all {documented}" if tally is stateless else ""  # links lead to some operations only
        record(GROUP, f"{name}: operations", len(tally.operations), goal=every)
        record(GROUP, f"{name}: requests sent", tally.requests)
        record(GROUP, f"{name}: 5xx answers", tally.server_errors, goal="0")
        record(GROUP, f"{name}: answers off their schema", tally.violating, goal="0")
        record(GROUP, f"{name}: distinct findings", len(tally.findings), goal="0")
        for finding in tally.findings.values():
            print(finding, file=sys.stderr)
    record(GROUP, "following links: runs cut short by a replay", stateful.cut_short)
    total = stateless.requests + stateful.requests
    record(GROUP, "requests per second", round(total / elapsed), unit="/s")


if __name__ == "__main__":
    main()
