"""Fast on a cheap phone: procedure pages at their own address (readable without JavaScript), the citizen's
visit without the officers' screens or the other language, and a repeat visit from the browser's cache."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, PHONE
from tests.e2e.support import (
    BIRTH_REGISTRATION,
    Stack,
    assert_accessible,
    citizen_signs_in,
    officer_signs_in,
    open_menu_item,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PAGES = {"vi": f"/thu-tuc/{BIRTH_REGISTRATION}/", "en": f"/en/procedures/{BIRTH_REGISTRATION}/"}
NAMES = {"vi": "Đăng ký khai sinh", "en": "Birth registration"}
FILE_BUTTON = {"vi": "Nộp hồ sơ trực tuyến", "en": "File online"}


def manifest(stack: Stack) -> dict[str, Any]:
    """Which built file holds what (infra/site.py writes it beside the pages)."""
    answer = requests.get(f"{stack.url}/asset-manifest.json", timeout=10)
    answer.raise_for_status()
    found: dict[str, Any] = answer.json()
    return found


def over_the_network(page: Page) -> list[str]:
    """The paths `page` fetches from now on over the network (a 304 too), not from the browser's cache."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cached: set[str] = set()
    fetched: list[str] = []

    def served_from_cache(params: dict[str, Any]) -> None:
        cached.add(params["requestId"])

    def received(params: dict[str, Any]) -> None:
        response = params["response"]
        from_cache = response.get("fromDiskCache") or response.get("fromPrefetchCache")
        if not from_cache and params["requestId"] not in cached and not response["url"].startswith("data:"):
            fetched.append(re.sub(r"^https?://[^/]+", "", response["url"]))

    cdp.on("Network.requestServedFromCache", served_from_cache)
    cdp.on("Network.responseReceived", received)
    return fetched


def test_a_procedure_page_opened_by_its_address_on_a_phone_without_javascript(
    stack: Stack, browser: Browser
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{stack.url}{PAGES['vi']}")
        expect(page).to_have_title(re.compile("^Đăng ký khai sinh — "))
        expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
        main = page.locator("main")
        for fact in (
            "1 ngày làm việc",
            "Miễn phí",
            "Toàn trình",
            "Mức độ 4",
            "Phường Minh Họa",
            BIRTH_REGISTRATION,
        ):
            expect(main).to_contain_text(fact)
        expect(main).to_contain_text("Giấy chứng sinh hoặc văn bản xác nhận việc sinh")
        button = page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first
        expect(button).to_have_attribute("href", f"/?lang=vi#/file/{BIRTH_REGISTRATION}")
        # The other language is a link away, at its own address
        page.get_by_role("link", name="EN").click()
        expect(page).to_have_url(f"{stack.url}{PAGES['en']}")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Birth registration")
        expect(page.locator("main")).to_contain_text("Free")
    finally:
        context.close()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_procedure_pages_are_accessible_on_a_phone_and_a_desk(
    stack: Stack, phone: Page, desk: Page, language: str
) -> None:
    for page in (phone, desk):
        page.goto(f"{stack.url}{PAGES[language]}")
        expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[language])
        assert_accessible(page, what=f"{PAGES[language]} at {page.viewport_size}")


def test_the_catalog_and_the_old_address_lead_to_the_page_and_its_button_to_the_form(
    stack: Stack, phone: Page
) -> None:
    page = phone
    citizen_signs_in(page, stack)
    open_menu_item(page, "Thủ tục hành chính")
    card = page.locator(".card__title").get_by_role("link", name="Đăng ký khai sinh")
    expect(card).to_have_attribute("href", PAGES["vi"])
    # An address from before (#/procedures/<code>) still works: it leads to the page
    page.goto(f"{stack.url}/#/procedures/{BIRTH_REGISTRATION}")
    expect(page).to_have_url(f"{stack.url}{PAGES['vi']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    # "Nộp hồ sơ" opens the application's form, the citizen still signed in
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nộp hồ sơ trực tuyến")
    expect(page.get_by_label("Họ và tên")).to_have_value(stack.citizen.name)
    # From the English page, the form is in English
    page.goto(f"{stack.url}{PAGES['en']}")
    page.get_by_role("link", name="File online").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("File a dossier online")
    expect(page).to_have_url(f"{stack.url}/#/file/{BIRTH_REGISTRATION}")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_citizen_never_downloads_the_console_or_the_other_language(
    stack: Stack, phone: Page, desk: Page, browser: Browser
) -> None:
    built = manifest(stack)
    asked: list[str] = []
    phone.on("request", lambda request: asked.append(request.url.removeprefix(stack.url)))
    # A citizen's morning: the catalog, a search, a procedure, signing in, the form
    citizen_signs_in(phone, stack)
    open_menu_item(phone, "Thủ tục hành chính")
    expect(phone.locator(".card").first).to_be_visible()
    phone.goto(f"{stack.url}{PAGES['vi']}")
    phone.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Nộp hồ sơ trực tuyến")
    assert built["strings"]["vi"] in asked
    assert not set(asked) & set(built["staff_only"]), "a citizen loaded an officer's screen"
    assert built["strings"]["en"] not in asked, "a Vietnamese reader loaded the English strings"

    # Someone who reads English gets the English strings only
    english = browser.new_context(viewport=DESK, locale="en-US")
    try:
        english.add_init_script("localStorage.setItem('motcua.lang', 'en')")
        page = english.new_page()
        seen: list[str] = []
        page.on("request", lambda request: seen.append(request.url.removeprefix(stack.url)))
        page.goto(f"{stack.url}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Administrative procedures")
        expect(page.locator(".card").first).to_be_visible()
        assert built["strings"]["en"] in seen
        assert built["strings"]["vi"] not in seen, "an English reader loaded the Vietnamese strings"
        assert not set(seen) & set(built["staff_only"])
    finally:
        english.close()

    # An officer's inbox is what loads the console's code
    officer: list[str] = []
    desk.on("request", lambda request: officer.append(request.url.removeprefix(stack.url)))
    officer_signs_in(desk, stack, stack.receiver_for(BIRTH_REGISTRATION))  # lands on the inbox
    assert built["staff"]["views/inbox.js"] in officer


@pytest.mark.parametrize("path", ["/", PAGES["vi"]])
def test_a_repeat_visit_takes_at_most_two_requests(stack: Stack, phone: Page, path: str) -> None:
    first = over_the_network(phone)
    phone.goto(f"{stack.url}{path}")
    expect(phone.locator("main h1")).to_be_visible()
    phone.wait_for_load_state("networkidle")
    assert len(first) > 2  # the first visit fetched the page, its script or style, …

    again = phone.context.new_page()
    repeat = over_the_network(again)
    again.goto(f"{stack.url}{path}")
    expect(again.locator("main h1")).to_be_visible()
    again.wait_for_load_state("networkidle")
    again.close()
    assert path in repeat  # the page itself is asked again (304 if unchanged)…
    assert len(repeat) <= 2, f"a repeat visit of {path} fetched {repeat}"  # …and little else
