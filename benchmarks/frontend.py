"""The portal on a cheap phone: what a first and a repeat visit cost, when the first procedure card shows,
and Lighthouse's scores, on the local stack (which compresses and caches as CloudFront does).

- Bytes and requests: Chromium (Playwright) opens the home page and a procedure page (`/thu-tuc/<code>/`)
  in a fresh browser, then again in a new tab of the same browser (the repeat visit). Counted over the
  network: what came from neither the memory nor the disk cache (a 304 counts); bytes as transferred
  (compressed, headers included).
- The first procedure card: the home page under Lighthouse's mobile throttling (150 ms round trip,
  1.6 Mbit/s down, 750 kbit/s up, the CPU 4× slower) applied by DevTools, from navigation start until
  the first `.card` is in the page; the median of RUNS (3) fresh visits.
- Lighthouse (npm `lighthouse`, pinned in benchmarks/lighthouse/, installed there on first use with
  `npm ci`; CHROME_PATH=/usr/bin/chromium), its default mobile emulation and simulated throttling:
  performance and accessibility of both pages.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for folder in ("functions", "."):
    sys.path.insert(0, str(ROOT / folder))

from benchmarks.report import record  # noqa: E402
from infra.devstack.process import LocalStack  # noqa: E402

GROUP = "portal"
PROCEDURE = "1.001193"
PAGES = {"home": "/", "procedure page": f"/thu-tuc/{PROCEDURE}/"}
RUNS = int(os.environ.get("RUNS", "3"))
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
LIGHTHOUSE = ROOT / "benchmarks" / "lighthouse"
# Lighthouse's mobile throttling (its constants.throttling.mobileSlow4G), applied by DevTools here.
RTT_MS = 150
DOWN_BYTES_S = 1.6 * 1024 * 1024 / 8
UP_BYTES_S = 750 * 1024 / 8
CPU_SLOWDOWN = 4
PHONE = {"width": 412, "height": 823}
FIRST_CARD = """
new MutationObserver((_, observer) => {
  if (document.querySelector('.card')) { window.__firstCard = performance.now(); observer.disconnect(); }
}).observe(document, { childList: true, subtree: true });
"""


def _watch(page: Any) -> dict[str, Any]:
    """Requests and bytes `page` fetches over the network from here on."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    seen: dict[str, Any] = {"cached": set(), "network": {}, "bytes": 0, "cdp": cdp}

    def served(params: dict[str, Any]) -> None:
        seen["cached"].add(params["requestId"])

    def received(params: dict[str, Any]) -> None:
        response = params["response"]
        if (
            response.get("fromDiskCache")
            or response.get("fromPrefetchCache")
            or params["requestId"] in seen["cached"]
        ):
            return
        if not response["url"].startswith("data:"):
            seen["network"][params["requestId"]] = response["url"]

    def finished(params: dict[str, Any]) -> None:
        if params["requestId"] in seen["network"]:
            seen["bytes"] += params["encodedDataLength"]

    cdp.on("Network.requestServedFromCache", served)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    return seen


def _visit(page: Any, url: str) -> None:
    page.goto(url)
    page.locator("main h1").first.wait_for()
    if url.endswith("/") and "/thu-tuc/" not in url:
        page.locator(".card").first.wait_for()
    page.wait_for_load_state("networkidle")


def visits(browser: Any, base: str) -> None:
    for name, path in PAGES.items():
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        first = context.new_page()
        seen = _watch(first)
        _visit(first, base + path)
        record(GROUP, f"{name}: first visit, requests", len(seen["network"]))
        record(GROUP, f"{name}: first visit, bytes", round(seen["bytes"] / 1024, 1), unit="KB")
        again = context.new_page()
        seen = _watch(again)
        _visit(again, base + path)
        record(GROUP, f"{name}: repeat visit, requests", len(seen["network"]), goal="<= 2")
        record(GROUP, f"{name}: repeat visit, bytes", round(seen["bytes"] / 1024, 1), unit="KB")
        context.close()


def first_card(browser: Any, base: str) -> None:
    times = []
    for _ in range(RUNS):
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        context.add_init_script(FIRST_CARD)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": RTT_MS,
                "downloadThroughput": DOWN_BYTES_S,
                "uploadThroughput": UP_BYTES_S,
            },
        )
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        page.goto(base + "/", timeout=60_000)
        page.locator(".card").first.wait_for(timeout=60_000)
        times.append(page.evaluate("window.__firstCard") / 1000)
        context.close()
    record(
        GROUP,
        "first procedure card, mobile throttling (median)",
        round(statistics.median(times), 2),
        unit="s",
        goal="<= 2.0",
    )


def lighthouse(base: str) -> None:
    cli = LIGHTHOUSE / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        subprocess.run(
            ["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=LIGHTHOUSE,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    for name, path in PAGES.items():
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "report.json"
            subprocess.run(
                [
                    "node",
                    str(cli),
                    base + path,
                    "--quiet",
                    "--output=json",
                    f"--output-path={report}",
                    "--only-categories=performance,accessibility",
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                ],
                env={**os.environ, "CHROME_PATH": CHROMIUM},
                check=True,
                timeout=300,
            )
            result = json.loads(report.read_text(encoding="utf-8"))
        categories = result["categories"]
        audits = result["audits"]
        record(
            GROUP,
            f"{name}: Lighthouse performance",
            round(categories["performance"]["score"] * 100),
            goal=">= 98",
        )
        record(
            GROUP,
            f"{name}: Lighthouse accessibility",
            round(categories["accessibility"]["score"] * 100),
            goal="= 100",
        )
        for audit in ("first-contentful-paint", "largest-contentful-paint"):
            seconds = audits[audit]["numericValue"] / 1000
            record(GROUP, f"{name}: Lighthouse {audits[audit]['title'].lower()}", round(seconds, 2), unit="s")


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="motcua-bench-portal-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        stack = LocalStack(data, Path(tmp) / "stack.log", start_timeout=180, stop_timeout=20)
        stack.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                try:
                    visits(browser, stack.url)
                    first_card(browser, stack.url)
                finally:
                    browser.close()
            lighthouse(stack.url)
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
