"""The figures of `make bench`, recorded in one place so that they make one table.

A benchmark calls `record(group, figure, value, unit=…, goal=…)` for every figure it measured and prints
nothing else. With `MOTCUA_BENCH_FIGURES` set (the runner sets it) the figures go to that file, one JSON
object a line; run alone, a benchmark prints them as rows.
"""

from __future__ import annotations

import json
import os


def record(group: str, figure: str, value: object, *, unit: str = "", goal: str = "") -> None:
    """One measured figure: `group` is the benchmark's theme, `goal` what the figure should be, if any."""
    row = {"group": group, "figure": figure, "value": value, "unit": unit, "goal": goal}
    path = os.environ.get("MOTCUA_BENCH_FIGURES")
    if path:
        with open(path, "a", encoding="utf-8") as figures:
            figures.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        print(f"{group} | {figure} | {value} {unit} | {goal}".rstrip(" |"))
