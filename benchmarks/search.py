"""Catalog search: how long the index takes to build, how long a query takes, and how often the
procedure a citizen wanted comes first. Measured, never asserted.

The queries are the table of tests/unit/test_search.py (real phrasing: without diacritics, spelling
variants, missing spaces, typos, English). The demo province has a dozen procedures; a province runs
a few thousand, so the same figures are measured again on the demo catalog copied to `SCALE` (default
2,000) procedures with their own codes. R repeats every query (default 20). Times are CPU time of
this process (the machine is shared; a Lambda has its CPU share to itself).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in ("layers", "."):
    sys.path.insert(0, str(ROOT / folder))

from benchmarks.report import record  # noqa: E402
from motcua.config.province import Province, load_province  # noqa: E402
from motcua.services.catalog import CatalogService  # noqa: E402
from tests.conftest import DEMO_PROVINCE  # noqa: E402
from tests.unit.test_search import QUERIES  # noqa: E402

SCALE = int(os.environ.get("SCALE", "2000"))
R = int(os.environ.get("R", "20"))
BUILDS = 5


def scaled(province: Province, size: int) -> Province:
    """The demo catalog copied until it has `size` procedures, each copy under its own code."""
    originals = province.procedures
    copies = [
        p.model_copy(update={"code": f"{p.code}.C{i // len(originals)}"} if i >= len(originals) else {})
        for i, p in zip(range(size), (originals[j % len(originals)] for j in range(size)), strict=True)
    ]
    bigger = province.model_copy(update={"procedures": tuple(copies)})
    bigger.__dict__.pop("procedures_by_code", None)  # a cached property the copy must not inherit
    return bigger


def build_ms(province: Province) -> float:
    times = []
    for _ in range(BUILDS):
        started = time.process_time()
        _ = CatalogService(province).index
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def query_ms(catalog: CatalogService) -> list[float]:
    times = []
    for _ in range(R):
        for q, _expected, _tries in QUERIES:
            started = time.process_time()
            catalog.search(q=q)
            times.append((time.process_time() - started) * 1000)
    return times


def main() -> None:
    demo = load_province(DEMO_PROVINCE)
    catalog = CatalogService(demo)
    ranked = [([p.code for p in catalog.search(q=q, limit=3).items], expected) for q, expected, _ in QUERIES]
    first = sum(codes[:1] == [expected] for codes, expected in ranked)
    top3 = sum(expected in codes for codes, expected in ranked)
    record("search", "queries (tests/unit/test_search.py)", len(QUERIES))
    record("search", "expected procedure first", f"{100 * first / len(QUERIES):.0f}", unit="%", goal="100")
    record("search", "expected procedure in the first 3", f"{100 * top3 / len(QUERIES):.0f}", unit="%")

    for label, province in (
        (f"demo ({len(demo.procedures)} procedures)", demo),
        (f"{SCALE} procedures", scaled(demo, SCALE)),
    ):
        service = CatalogService(province)
        record("search", f"index build, {label}", f"{build_ms(province):.1f}", unit="ms CPU")
        record("search", f"vocabulary, {label}", service.index.vocabulary, unit="words")
        times = sorted(query_ms(service))
        record("search", f"query p50, {label}", f"{statistics.median(times):.2f}", unit="ms CPU")
        record("search", f"query p95, {label}", f"{times[int(0.95 * len(times))]:.2f}", unit="ms CPU")


if __name__ == "__main__":
    main()
