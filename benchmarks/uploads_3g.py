"""A phone photo uploaded on an emulated 3G link: the bytes sent and the time, at full size and made
smaller in the browser first (frontend/photos.js), and three photos put together as one PDF.

The local stack (`python -m infra.devstack`) runs on free ports; Chromium (/usr/bin/chromium, a phone
context 390×844) signs the demo citizen in and, through the DevTools protocol, emulates DevTools' "Fast
3G" link: 562.5 ms round trip, 1.44 Mbit/s down, 675 kbit/s up. The photo is a phone camera's
(tests/e2e/test_uploads_journey.phone_photo: 4032 × 3024, EXIF orientation, quality 90, about 3 MB).
Each upload is the portal's own code, run in the page: a slot from POST /v1/uploads, then the POST to
the bucket (uploads.js `uploadToBucket`); "made smaller" includes the time to decode and encode the photo.
The figures are recorded through benchmarks/report.py, group 'uploads on 3G'; one run, medians of RUNS.
"""

from __future__ import annotations

import base64
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for folder in ("functions", "."):
    sys.path.insert(0, str(ROOT / folder))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks.report import record  # noqa: E402
from infra.devstack.process import LocalStack  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402
from tests.e2e.support import citizen_signs_in, demo_people  # noqa: E402
from tests.e2e.test_uploads_journey import phone_photo  # noqa: E402

GROUP = "uploads on 3G"
RUNS = int(os.environ.get("RUNS", "2"))
FAST_3G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1_440_000 / 8,
    "uploadThroughput": 675_000 / 8,
}

# In the page: the portal's modules, a file from base64, optionally made smaller, then uploaded.
UPLOAD = """
async ({ b64, name, smaller }) => {
  const { post } = await import("./api.js");
  const { uploadToBucket } = await import("./uploads.js");
  const { downscale } = await import("./photos.js");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  let file = new File([bytes], name, { type: "image/jpeg" });
  const start = performance.now();
  if (smaller) file = (await downscale(file))?.file || file;
  const prepared = performance.now();
  const slot = await post("/uploads", { filename: file.name, content_type: "image/jpeg", size: file.size });
  await uploadToBucket(slot, file, "image/jpeg", () => {}, { stallMs: 600000 });
  return { bytes: file.size, prepare: prepared - start, total: performance.now() - start };
}
"""
PAGES = """
async ({ b64 }) => {
  const { decode, jpegOf, pdfOfPages } = await import("./photos.js");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const start = performance.now();
  const pages = [];
  for (let i = 0; i < 3; i += 1) {
    const bitmap = await decode(new Blob([bytes], { type: "image/jpeg" }));
    pages.push(await jpegOf(bitmap));
  }
  const pdf = await pdfOfPages(pages);
  return { bytes: pdf.size, took: performance.now() - start };
}
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        photo = phone_photo(data / "IMG_2041.jpg")
        b64 = base64.b64encode(photo.read_bytes()).decode()
        local = LocalStack(data / "stack", data / "devstack.log", start_timeout=120, stop_timeout=20)
        (data / "stack").mkdir()
        local.start()
        try:
            measure(local.url, photo, b64)
        finally:
            local.stop()


def measure(url: str, photo: Path, b64: str) -> None:
    citizen, receivers = demo_people()
    from tests.e2e.support import Stack

    stack = Stack(url=url, citizen=citizen, receivers=receivers)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        context.set_default_timeout(600_000)
        page = context.new_page()
        citizen_signs_in(page, stack)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", FAST_3G)
        runs: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
        for _ in range(RUNS):
            for smaller in (False, True):
                runs[smaller].append(
                    page.evaluate(UPLOAD, {"b64": b64, "name": photo.name, "smaller": smaller})
                )
        pages = page.evaluate(PAGES, {"b64": b64})
        browser.close()

    full, small = runs[False], runs[True]
    sent_full = full[0]["bytes"]
    sent_small = small[0]["bytes"]
    took_full = statistics.median(r["total"] for r in full) / 1000
    took_small = statistics.median(r["total"] for r in small) / 1000
    record(GROUP, "photo as taken (4032×3024, q90): bytes sent", sent_full, unit="B")
    record(GROUP, "photo made smaller (long side 2000, q0.85): bytes sent", sent_small, unit="B")
    record(GROUP, "bytes sent, smaller / as taken", round(sent_small / sent_full, 3), goal="< 0.33")
    record(GROUP, "upload on Fast 3G, as taken", round(took_full, 1), unit="s")
    record(
        GROUP, "upload on Fast 3G, made smaller (decode and encode included)", round(took_small, 1), unit="s"
    )
    record(GROUP, "time, smaller / as taken", round(took_small / took_full, 3), goal="< 0.5")
    record(
        GROUP,
        "making the photo smaller in the browser",
        round(statistics.median(r["prepare"] for r in small)),
        unit="ms",
    )
    record(GROUP, "3 such photos as one PDF: bytes", pages["bytes"], unit="B")
    record(GROUP, "3 such photos as one PDF: time in the browser", round(pages["took"]), unit="ms")


if __name__ == "__main__":
    main()
