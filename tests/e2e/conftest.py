"""End-to-end fixtures: the real local stack in a subprocess, and Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from infra.devstack.process import LocalStack, StackError
from tests.e2e.support import PDF, Stack, clear_drafts, demo_people

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, ViewportSize

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
DESK: ViewportSize = {"width": 1366, "height": 768}
SHOTS = Path("/tmp/motcua-shots")
START_TIMEOUT_S = 120
STOP_TIMEOUT_S = 20


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`python -m infra.devstack` on free ports with a fresh data folder, up until the session ends."""
    data_dir = tmp_path_factory.mktemp("devstack-data")
    local = LocalStack(
        data_dir, data_dir.parent / "devstack.log", start_timeout=START_TIMEOUT_S, stop_timeout=STOP_TIMEOUT_S
    )
    try:
        local.start()
    except StackError as error:  # it exited, or did not answer /v1/health in time
        pytest.fail(f"the local stack did not start: {error}")
    try:
        citizen, receivers = demo_people()
        yield Stack(url=local.url, citizen=citizen, receivers=receivers, moto_url=local.moto_url)
    finally:
        local.stop()  # SIGINT: the stack stops its servers and releases its data folder; else a kill


@pytest.fixture(autouse=True)
def no_draft_left(request: pytest.FixtureRequest) -> None:
    """Each test starts, as a fresh phone does, with the demo citizen An holding no draft: a form she
    left half filled in one test would otherwise come back in the next, wherever they run in the
    session (docs/drafts.md). The drafts' own journeys run as Bình, whose demo draft they need."""
    if "stack" in request.fixturenames:
        clear_drafts(request.getfixturevalue("stack"))


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


def _refused_by_policy(message: ConsoleMessage, errors: list[str], who: str) -> None:
    """Chromium logs each thing the Content-Security-Policy refused (an inline style, a request to
    another host): with the local stack sending the policy CloudFront sends, every journey checks it."""
    if "Content Security Policy" in message.text:
        errors.append(f"{who}{message.location.get('url')}: {message.text[:160]}")


def watch(page: Page, errors: list[str], who: str = "") -> Page:
    """Collects into `errors` (each after `who`, if given) what `page` raises (uncaught script errors)
    and what the security policy refuses there; the fixtures fail on any at the end."""
    page.on("pageerror", lambda error: errors.append(f"{who}{error}"))
    page.on("console", lambda message: _refused_by_policy(message, errors, who))
    return page


def _no_errors(errors: list[str]) -> None:
    assert not errors, f"the portal raised script errors or broke its security policy: {errors}"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh phone-sized page (390×844, touch, Vietnamese, Vietnam's time zone); fails on script errors."""
    context = _phone_context(browser)
    errors: list[str] = []
    yield watch(context.new_page(), errors)
    context.close()
    _no_errors(errors)


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    """A fresh desk-PC page (1366×768, mouse, Vietnamese); fails on script errors, as `phone` does."""
    context = browser.new_context(viewport=DESK, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    errors: list[str] = []
    yield watch(context.new_page(), errors)
    context.close()
    _no_errors(errors)


@pytest.fixture
def phones(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Opens one more phone, each its own browser context (one person each: own session, own tab)."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_phone() -> Page:
        context = _phone_context(browser)
        contexts.append(context)
        return watch(context.new_page(), errors)

    yield open_phone
    for context in contexts:
        context.close()
    _no_errors(errors)


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def pdf_file(tmp_path: Path) -> Path:
    path = tmp_path / "giay-chung-sinh.pdf"
    path.write_bytes(PDF)
    return path
