"""How long the whole-file check of an upload takes at filing, with the demo province's limits, in this
process. Printed, never asserted.

Each file is scanned N times (default 5, `N` in the environment); the median is recorded, with the
peak memory Python allocated during one scan (tracemalloc), against the file's own size: a bomb must
cost what its limit allows, never what it would inflate to.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in ("layers", "."):
    sys.path.insert(0, str(ROOT / folder))

from benchmarks.report import record  # noqa: E402
from motcua.config.province import load_province  # noqa: E402
from motcua.domain.scan import ScanLimits, scan  # noqa: E402
from tests.examples import JPEG, PDF  # noqa: E402
from tests.hostile import flate_bomb, pdf_with_pages, pdf_with_stream, png_of  # noqa: E402

GROUP = "upload scan"


def main() -> None:
    policy = load_province(ROOT / "provinces" / "demo.yaml").uploads
    limits = ScanLimits(
        max_pages=policy.max_pages, max_pixels=policy.max_pixels, max_inflated_bytes=policy.max_inflated_bytes
    )
    runs = int(os.environ.get("N", "5"))
    text = b"BT /F1 12 Tf 72 720 Td (Giay de nghi dang ky doanh nghiep) Tj ET\n" * 20_000
    files = {
        "one-page PDF": (PDF, "application/pdf"),
        "PDF, 300 pages (the limit)": (pdf_with_pages(policy.max_pages), "application/pdf"),
        "PDF, 5,000 pages (refused)": (pdf_with_pages(5_000), "application/pdf"),
        "PDF, 1.3 MB of text in one Flate stream": (pdf_with_stream(text), "application/pdf"),
        "PDF, Flate bomb of 1 GiB (refused)": (flate_bomb(1 << 30), "application/pdf"),
        "PNG saying 100,000 x 100,000 (refused)": (png_of(100_000, 100_000), "image/png"),
        "JPEG, one pixel": (JPEG, "image/jpeg"),
    }
    for name, (content, content_type) in files.items():
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            scan(content, content_type, limits)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        refusal = scan(content, content_type, limits)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        verdict = refusal.finding.value if refusal else "accepted"
        record(
            GROUP,
            f"{name}: {len(content):,} bytes, {verdict}",
            round(statistics.median(times) * 1000, 1),
            unit="ms",
        )
        record(
            GROUP,
            f"{name}: peak memory",
            round(peak / 1024 / 1024, 1),
            unit="MiB",
            goal="bounded by the limits",
        )


if __name__ == "__main__":
    main()
