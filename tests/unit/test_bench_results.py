"""benchmarks/run.py's record: `--update` replaces the named benchmarks' rows and keeps the others,
each with the run it came from (a whole `make bench` takes most of an hour)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmarks import run as runner

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

WRITTEN_BEFORE = """# Benchmark results

Written by `make bench` (benchmarks/run.py); figures from one run, not asserted anywhere.

- date: 2026-12-05 21:03 UTC
- commit: 4bca21d
- machine: vm: Linux x86_64, 2 CPUs
- 2 of 2 benchmarks ran, 3 figures, goals met 1 of 2, in 60 s

| group | figure | value | goal |
|---|---|---|---|
| cold start | API ÷ boto3 | 2.04 | <= 1.3 ✗ |
| make bench | cold_start.py ran in | 50.0 s |  |
| load | answered 2xx | 42 | 200 ✗ |
| load | keys answered twice | 0 | 0 ✓ |
| make bench | load.py ran in | 10.0 s |  |
"""


def test_an_update_replaces_the_named_benchmarks_rows_and_keeps_the_others_with_their_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a record written by a whole run before runs were named
    results = tmp_path / "results.md"
    results.write_text(WRITTEN_BEFORE, encoding="utf-8")
    monkeypatch.setattr(runner, "RESULTS", results)
    monkeypatch.setattr(runner, "this_run", lambda: "2026-12-06 09:00 UTC, commit abc1234, vm")
    monkeypatch.setattr(runner, "benchmarks", lambda names: [tmp_path / f"{n}.py" for n in names])
    figures = [{"group": "load", "figure": "answered 2xx", "value": 200, "unit": "", "goal": "200"}]
    monkeypatch.setattr(runner, "run", lambda script: runner.Outcome(script.stem, 12.0, 0, figures))
    # When the load benchmark alone runs again with --update
    assert runner.main(["--update", "load"]) == 0
    # Then its rows are the new ones, the cold start's are kept, and each says where it came from
    by_benchmark, runs = runner.recorded()
    assert by_benchmark["load"] == [
        ("load", "answered 2xx", "200", "200 ✓"),
        ("make bench", "load.py ran in", "12.0 s", ""),
    ]
    assert by_benchmark["cold_start"] == [
        ("cold start", "API ÷ boto3", "2.04", "<= 1.3 ✗"),
        ("make bench", "cold_start.py ran in", "50.0 s", ""),
    ]
    assert runs["load"] == "2026-12-06 09:00 UTC, commit abc1234, vm"
    assert runs["cold_start"] == "2026-12-05 21:03 UTC, commit 4bca21d, vm: Linux x86_64, 2 CPUs"
    assert "goals met 2 of 2" not in results.read_text(encoding="utf-8")
    assert "goals met 1 of 2" in results.read_text(encoding="utf-8")
    # and a second update reads the record it wrote
    assert runner.main(["--update", "load"]) == 0
    assert runner.recorded()[1]["cold_start"] == runs["cold_start"]


def test_a_partial_run_without_update_leaves_the_record_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = tmp_path / "results.md"
    results.write_text(WRITTEN_BEFORE, encoding="utf-8")
    monkeypatch.setattr(runner, "RESULTS", results)
    monkeypatch.setattr(runner, "benchmarks", lambda names: [tmp_path / f"{n}.py" for n in names])
    monkeypatch.setattr(runner, "run", lambda script: runner.Outcome(script.stem, 1.0, 0, []))
    runner.main(["load"])
    assert results.read_text(encoding="utf-8") == WRITTEN_BEFORE
