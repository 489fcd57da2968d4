"""Cost per dossier, as the cost model (docs/cost.md, its Headline table) says: copied, not measured.

The model is built by hand from the calls the other benchmarks count and AWS's unit prices; this
script only brings its per-dossier answers into `make bench`'s table, beside the counts they rest on,
so that a change in one shows next to the other. Goal: US$0.0005 a dossier on the request path.
"""

from __future__ import annotations

import re
from pathlib import Path

from report import record

COST = Path(__file__).resolve().parents[1] / "docs" / "cost.md"
GOAL = "<= 0.0005"
_DOLLARS = re.compile(r"US\$([\d.]+)(?!\s*a month)")


def main() -> None:
    text = COST.read_text(encoding="utf-8")
    headline = text.split("## Headline", 1)[1].split("\n## ", 1)[0]
    found = 0
    for line in headline.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or "dossier" not in cells[0].lower() and "request path" not in cells[0].lower():
            continue
        amount = _DOLLARS.search(cells[1])
        if amount is None or "a month" in cells[1]:
            continue
        what = re.sub(r"\*\*|`", "", cells[0]).split(":")[0].split(" (")[0].strip()
        record("cost per dossier (docs/cost.md)", what, float(amount.group(1)), unit="US$", goal=GOAL)
        found += 1
    if not found:
        raise SystemExit("no per-dossier figure found in docs/cost.md's Headline table")


if __name__ == "__main__":
    main()
