"""`make bench`: run every benchmark, print one table of their figures, and write benchmarks/results.md.

Every benchmarks/*.py is a benchmark except this runner, report.py and helpers whose name starts with
an underscore. Each runs in its own interpreter with MOTCUA_BENCH_FIGURES pointing at a file where
`report.record` appends its figures; what it writes to stdout or stderr is kept aside and shown only
when it fails. The last line is a one-line summary.

    python benchmarks/run.py [NAME ...]     only these benchmarks (cold_start, aws_calls, …)
    python benchmarks/run.py --update NAME ...
                                            only these, and their rows in benchmarks/results.md
                                            replaced (the others kept, each with its own run's
                                            date and commit): a whole run takes most of an hour
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NOT_BENCHMARKS = {"run.py", "report.py"}
RESULTS = HERE / "results.md"
# One benchmark may take this long (seconds) before it is stopped and counted as failed.
TIMEOUT = float(os.environ.get("MOTCUA_BENCH_TIMEOUT", "900"))
# Figures only: no metrics, logs below warnings.
QUIET = {"POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"}
_GOAL = re.compile(r"^\s*(<=|>=|<|>|=|==)?\s*(-?[\d.]+)\s*$")


@dataclass
class Outcome:
    name: str
    seconds: float
    returncode: int
    figures: list[dict[str, Any]] = field(default_factory=list)
    output: str = ""


def benchmarks(only: list[str]) -> list[Path]:
    found = sorted(
        path
        for path in HERE.glob("*.py")
        if path.name not in NOT_BENCHMARKS and not path.name.startswith("_")
    )
    if only:
        wanted = {name.removesuffix(".py") for name in only}
        unknown = wanted - {path.stem for path in found}
        if unknown:
            raise SystemExit(f"no such benchmark: {', '.join(sorted(unknown))}")
        found = [path for path in found if path.stem in wanted]
    return found


def run(script: Path) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as folder:
        figures_path = Path(folder) / "figures.jsonl"
        output_path = Path(folder) / "output.txt"
        env = os.environ | QUIET | {"MOTCUA_BENCH_FIGURES": str(figures_path)}
        started = time.perf_counter()
        with output_path.open("w+", encoding="utf-8") as output:
            try:
                done = subprocess.run(
                    [sys.executable, str(script)],
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    timeout=TIMEOUT,
                    check=False,
                )
                returncode = done.returncode
            except subprocess.TimeoutExpired:
                returncode = -1
                output.write(f"\n(stopped after {TIMEOUT:g} s: MOTCUA_BENCH_TIMEOUT)\n")
            output.seek(0)
            kept = output.read()
        seconds = time.perf_counter() - started
        figures = []
        if figures_path.exists():
            figures = [
                json.loads(line) for line in figures_path.read_text(encoding="utf-8").splitlines() if line
            ]
    return Outcome(script.stem, seconds, returncode, figures, kept)


def goal_met(value: object, goal: str) -> bool | None:
    """Whether a numeric goal ('<= 1.3', '0', '>= 200') is met; None when it is not a number to compare."""
    match = _GOAL.match(goal)
    if not match or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    op, bound = match.group(1) or "=", float(match.group(2))
    return {
        "<=": value <= bound,
        ">=": value >= bound,
        "<": value < bound,
        ">": value > bound,
        "=": value == bound,
        "==": value == bound,
    }[op]


def rows(outcomes: list[Outcome]) -> list[tuple[str, str, str, str]]:
    table = []
    for outcome in outcomes:
        for figure in outcome.figures:
            value = figure["value"]
            shown = f"{value} {figure.get('unit', '')}".strip() if value is not None else "–"
            goal = str(figure.get("goal", ""))
            met = goal_met(value, goal)
            mark = "" if met is None else (" ✓" if met else " ✗")
            table.append((figure["group"], figure["figure"], shown, goal + mark if goal else ""))
        table.append(("make bench", f"{outcome.name}.py ran in", f"{outcome.seconds:.1f} s", ""))
    return table


def text_table(table: list[tuple[str, str, str, str]]) -> str:
    header = ("group", "figure", "value", "goal")
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, tuple("-" * w for w in widths), *table]
    ]
    return "\n".join(lines)


Row = tuple[str, str, str, str]
# The row the runner adds after each benchmark's figures: it closes that benchmark's block.
_RAN_IN = re.compile(r"^(\w+)\.py ran in$")


def this_run() -> str:
    """The date, commit and machine of a run made now, as results.md names them."""
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    # The record itself is not a change to the code measured (an update run follows another).
    changed = _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!benchmarks/results.md")
    dirty = " (with uncommitted changes)" if changed else ""
    machine = (
        f"{platform.node()}: {platform.system()} {platform.release()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {_cpu_model()}, Python {platform.python_version()}"
    )
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}{dirty}, {machine}"


def blocks(table: list[Row]) -> dict[str, list[Row]]:
    """The table's rows by benchmark: each benchmark's figures and the row of its time, which ends them."""
    found: dict[str, list[Row]] = {}
    rows_so_far: list[Row] = []
    for row in table:
        rows_so_far.append(row)
        ran = _RAN_IN.match(row[1]) if row[0] == "make bench" else None
        if ran:
            found[ran.group(1)] = rows_so_far
            rows_so_far = []
    return found


def markdown(by_benchmark: dict[str, list[Row]], runs: dict[str, str], summary: str) -> str:
    """results.md: which run each benchmark's figures come from, then one table of them all."""
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (benchmarks/run.py); figures from one run of each benchmark, not "
        "asserted anywhere. `make bench` rewrites it all; `make bench BENCH=… UPDATE=1` replaces the "
        "named benchmarks' rows and keeps the others (with the run they came from).",
        "",
        f"- {summary}",
        "",
        "| benchmark | run (date, commit, machine) |",
        "|---|---|",
    ]
    lines += [f"| {name} | {runs.get(name, 'unknown')} |" for name in sorted(by_benchmark)]
    lines += ["", "| group | figure | value | goal |", "|---|---|---|---|"]
    lines += [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
        for name in sorted(by_benchmark)
        for row in by_benchmark[name]
    ]
    return "\n".join(lines) + "\n"


def recorded() -> tuple[dict[str, list[Row]], dict[str, str]]:
    """What results.md holds: each benchmark's rows and the run they came from."""
    if not RESULTS.exists():
        return {}, {}
    table: list[Row] = []
    runs: dict[str, str] = {}
    header: dict[str, str] = {}
    for line in RESULTS.read_text(encoding="utf-8").splitlines():
        if line.startswith("- ") and ": " in line:  # the header of a file written before runs were named
            key, _, value = line[2:].partition(": ")
            header[key] = value
        if not line.startswith("| ") or line.startswith(("| group |", "| benchmark |", "|---")):
            continue
        cells = [c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
        if len(cells) == 2:
            runs[cells[0]] = cells[1]
        elif len(cells) == 4:
            table.append((cells[0], cells[1], cells[2], cells[3]))
    older = ", ".join(
        header[k] if k != "commit" else f"commit {header[k]}"
        for k in ("date", "commit", "machine")
        if k in header
    )
    by_benchmark = blocks(table)
    return by_benchmark, {name: runs.get(name, older or "unknown") for name in by_benchmark}


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(argv: list[str]) -> int:
    update = "--update" in argv
    argv = [a for a in argv if a != "--update"]
    if update and not argv:
        raise SystemExit("--update needs the benchmarks to run (make bench BENCH=… UPDATE=1)")
    started = time.perf_counter()
    outcomes = [run(script) for script in benchmarks(argv)]
    failed = [outcome for outcome in outcomes if outcome.returncode != 0]
    for outcome in failed:  # what a failed benchmark said, above the table
        print(f"== {outcome.name}.py failed (exit {outcome.returncode}); its output:")
        print(outcome.output.rstrip() + "\n")
    table = rows(outcomes)
    marks = [row[3] for row in table]
    met, missed = sum(m.endswith("✓") for m in marks), sum(m.endswith("✗") for m in marks)
    summary = (
        f"{len(outcomes) - len(failed)} of {len(outcomes)} benchmarks ran, "
        f"{sum(len(o.figures) for o in outcomes)} figures, goals met {met} of {met + missed}, "
        f"in {time.perf_counter() - started:.0f} s"
        + (f"; FAILED: {', '.join(o.name for o in failed)}" if failed else "")
    )
    if not argv or update:  # a partial run overwrites the record only when asked to update it
        by_benchmark, runs = recorded() if update else ({}, {})
        now = this_run()
        for name, rows_of_one in blocks(table).items():
            by_benchmark[name] = rows_of_one
            runs[name] = now
        if update:
            every = [r[3] for rows_of_one in by_benchmark.values() for r in rows_of_one]
            summary = (
                f"{len(by_benchmark)} benchmarks recorded, goals met {sum(m.endswith('✓') for m in every)} "
                f"of {sum(m.endswith(('✓', '✗')) for m in every)}; last updated {now.split(',')[0]} "
                f"({', '.join(o.name for o in outcomes)})"
            )
        RESULTS.write_text(markdown(by_benchmark, runs, summary), encoding="utf-8")
    print(text_table(table))
    print(summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
