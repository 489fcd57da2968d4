"""End-to-end fixtures: the real local stack in a subprocess, and Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from infra.devstack.process import LocalStack, StackError
from tests.conftest import DEMO_PROVINCE
from tests.e2e.support import PDF, Stack, demo_people

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


def open_all_day(source: Path, copy: Path) -> None:
    """The demo province with its centres open every hour of every day, today too if it is a holiday:
    the browser tests take queue tickets whatever the hour and day they run at (docs/counter.md)."""
    from datetime import UTC, datetime

    import yaml

    from motcua.config.province import load_province
    from motcua.domain.queue import centre_day, is_holiday

    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    for centre in data.get("centres", []):
        every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        centre["hours"] = [{"days": every_day, "open": "00:00", "close": "23:59:59"}]
    calendar = load_province(source).working_calendar
    today = centre_day(datetime.now(UTC))
    for day in (today, today.fromordinal(today.toordinal() + 1)):  # a test running across midnight
        if is_holiday(calendar, day):
            data.setdefault("calendar", {}).setdefault("remove_holidays", []).append(day)
            data["calendar"]["add_holidays"] = [
                h for h in data["calendar"].get("add_holidays", []) if h["date"] != day
            ]
    copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`python -m infra.devstack` on free ports with a fresh data folder, up until the session ends."""
    data_dir = tmp_path_factory.mktemp("devstack-data")
    provinces = tmp_path_factory.mktemp("provinces")
    open_all_day(DEMO_PROVINCE, provinces / DEMO_PROVINCE.name)
    local = LocalStack(
        data_dir,
        data_dir.parent / "devstack.log",
        start_timeout=START_TIMEOUT_S,
        stop_timeout=STOP_TIMEOUT_S,
        env={"MOTCUA_PROVINCE_DIR": str(provinces)},
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


def _refused_by_policy(message: ConsoleMessage, errors: list[str]) -> None:
    """Chromium logs each thing the Content-Security-Policy refused (an inline style, a request to
    another host): with the local stack sending the policy CloudFront sends, every journey checks it."""
    if "Content Security Policy" in message.text:
        errors.append(f"{message.location.get('url')}: {message.text[:160]}")


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh phone-sized page (390×844, touch, Vietnamese, Vietnam's time zone); fails on script errors."""
    context = _phone_context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: _refused_by_policy(message, errors))
    yield page
    context.close()
    assert not errors, f"the portal raised script errors or broke its security policy: {errors}"


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    """A fresh desk-PC page (1366×768, mouse, Vietnamese); fails on script errors, as `phone` does."""
    context = browser.new_context(viewport=DESK, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: _refused_by_policy(message, errors))
    yield page
    context.close()
    assert not errors, f"the portal raised script errors or broke its security policy: {errors}"


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
        page.on("console", lambda message: _refused_by_policy(message, errors))
        return page

    yield open_phone
    for context in contexts:
        context.close()
    assert not errors, f"the portal raised script errors or broke its security policy: {errors}"


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def pdf_file(tmp_path: Path) -> Path:
    path = tmp_path / "giay-chung-sinh.pdf"
    path.write_bytes(PDF)
    return path
