"""End-to-end fixtures: the real local stack in a subprocess, and Chromium driven by Playwright."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.conftest import ROOT
from tests.e2e.support import PDF, Stack, demo_people

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
SHOTS = Path("/tmp/motcua-shots")
START_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # the stack stops its servers and releases its data folder
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`python -m devstack` on free ports with a fresh data folder, up until the session ends."""
    data_dir = tmp_path_factory.mktemp("devstack-data")
    log_path = data_dir.parent / "devstack.log"
    port, moto_port = _free_port(), _free_port()
    while moto_port == port:
        moto_port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(["functions", "functions/api"]),
        "PORT": str(port),
        "MOTO_PORT": str(moto_port),
        "MOTCUA_DATA_DIR": str(data_dir),
        "PYTHONUNBUFFERED": "1",
    }
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                if process.poll() is not None:
                    pytest.fail(f"the local stack exited with {process.returncode}:\n{log_path.read_text()}")
                try:
                    if requests.get(f"{url}/v1/health", timeout=2).ok:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"the local stack did not answer in {START_TIMEOUT_S} s:\n{log_path.read_text()}"
                    )
                time.sleep(0.3)
            citizen, receivers = demo_people()
            yield Stack(url=url, citizen=citizen, receivers=receivers)
        finally:
            _stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def journey() -> dict[str, Any]:
    """What one test leaves for the next (the dossier the citizen filed), when they run in order."""
    return {}


def _phone_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh phone-sized page (390×844, touch, Vietnamese, Vietnam's time zone); fails on script errors."""
    context = _phone_context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"the portal raised script errors: {errors}"


@pytest.fixture
def phones(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Opens one more phone, each its own browser context (one person each: own session, own tab)."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_phone() -> Page:
        context = _phone_context(browser)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_phone
    for context in contexts:
        context.close()
    assert not errors, f"the portal raised script errors: {errors}"


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def pdf_file(tmp_path: Path) -> Path:
    path = tmp_path / "giay-chung-sinh.pdf"
    path.write_bytes(PDF)
    return path
