"""How long each document takes to render as a PDF, in this process. Printed, never asserted.

Each kind (Mẫu 01–05 and the result) is rendered N times from the same dossiers the unit tests use,
the kinds taking turns; each median is compared with an empty sheet (the three DejaVu Serif faces
parsed, one blank page written), which every document pays for. N can be set in the environment
(default 30).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from report import record

ROOT = Path(__file__).resolve().parents[1]
for folder in ("layers", "."):
    sys.path.insert(0, str(ROOT / folder))

from motcua.documents.sheet import Sheet  # noqa: E402
from motcua.services.documents import render, render_result  # noqa: E402
from tests.unit.test_documents import (  # noqa: E402
    NOW,
    PRESENTER,
    PROVINCE,
    approved_record,
    busy_record,
    refused_record,
)

if TYPE_CHECKING:
    from collections.abc import Callable

N = int(os.environ.get("N", "30"))


def timed(kinds: dict[str, Callable[[], bytes]]) -> dict[str, tuple[float, int]]:
    """Median milliseconds over N renders of each kind, and the size of its PDF.

    The kinds take turns, round after round, so that a busy moment of the machine falls on all alike.
    """
    sizes = {name: len(make()) for name, make in kinds.items()}  # warm: imports, fonts in the page cache
    times: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(N):
        for name, make in kinds.items():
            started = time.perf_counter()
            make()
            times[name].append(time.perf_counter() - started)
    return {name: (statistics.median(times[name]) * 1000, sizes[name]) for name in kinds}


def main() -> None:
    busy, refused, approved = busy_record(), refused_record(), approved_record()
    kinds: dict[str, Callable[[], bytes]] = {
        "empty sheet (fonts only)": lambda: Sheet("vi", paper="A5", created=NOW, title="").render(),
        "receipt (Mẫu 01, QR)": lambda: render(busy, "receipt", presenter=PRESENTER, language="vi", now=NOW),
        "papers_request (Mẫu 02)": lambda: render(
            busy, "papers-request-1", presenter=PRESENTER, language="vi", now=NOW
        ),
        "refusal (Mẫu 03)": lambda: render(refused, "refusal", presenter=PRESENTER, language="vi", now=NOW),
        "apology (Mẫu 04)": lambda: render(busy, "apology-2", presenter=PRESENTER, language="vi", now=NOW),
        "control_slip (Mẫu 05, 3 rows)": lambda: render(
            busy, "control-slip", presenter=PRESENTER, language="vi", now=NOW
        ),
        "result (A4, 5 fields)": lambda: (
            render_result(approved, 1, province=PROVINCE, language="vi", now=NOW).pdf
        ),
    }
    measured = timed(kinds)
    empty = measured["empty sheet (fonts only)"][0]
    for name, (ms, size) in measured.items():
        record("PDF", f"{name}: median of {N}", round(ms, 1), unit="ms")
        record("PDF", f"{name}: ÷ empty sheet", round(ms / empty, 2))
        record("PDF", f"{name}: size", round(size / 1024, 1), unit="KB")


if __name__ == "__main__":
    main()
