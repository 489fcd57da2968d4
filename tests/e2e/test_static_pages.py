"""The pre-rendered pages (infra/site.py) as people meet them: a procedure's page says who is signed in,
as the app's header does, and an address the portal does not have is a real page-not-found (404) that
leads back to the catalog and the search, in Vietnamese and in English."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.support import BIRTH_REGISTRATION, assert_accessible, citizen_signs_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

PAGE = {"vi": f"/thu-tuc/{BIRTH_REGISTRATION}/", "en": f"/en/procedures/{BIRTH_REGISTRATION}/"}
SIGNED_IN = {
    "vi": ("Đang đăng nhập:", "Hồ sơ của tôi", "Đăng xuất"),
    "en": ("Signed in as", "My dossiers", "Sign out"),
}
MISSING = {"vi": "/thu-tuc/9.999999/", "en": "/en/procedures/khong-co/"}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_procedure_page_says_who_is_signed_in_and_signs_out(
    stack: Stack, phone: Page, language: str
) -> None:
    page = phone
    label, mine, out = SIGNED_IN[language]

    # Nobody signed in: the page's header has no signed-in bar
    page.goto(f"{stack.url}{PAGE[language]}")
    expect(page.locator("main h1")).to_have_text(re.compile("khai sinh|birth", re.I))
    expect(page.locator("#userbar")).to_be_hidden()

    # Signed in in the app, the same tab opens the page: its header says who, and links to their dossiers
    citizen_signs_in(page, stack)
    page.goto(f"{stack.url}{PAGE[language]}")
    bar = page.locator("#userbar")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text(label)
    expect(bar).to_contain_text(stack.citizen.name)
    expect(bar.get_by_role("link", name=mine)).to_have_attribute("href", f"/?lang={language}#/me")
    expect(page.locator("#userbar-inbox")).to_be_hidden()
    assert_accessible(page, what=f"a procedure page, signed in ({language})")

    # Signing out there forgets the session, for the app too
    bar.get_by_role("button", name=out).click()
    expect(page.locator("#userbar")).to_be_hidden()
    assert page.evaluate("() => sessionStorage.getItem('motcua.session')") is None
    page.goto(f"{stack.url}/?lang={language}#/me")
    expect(page.locator("#main h1")).to_have_text("Đăng nhập" if language == "vi" else "Sign in")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_an_unknown_procedure_is_the_page_not_found_which_leads_to_the_search(
    stack: Stack, desk: Page, language: str
) -> None:
    answer = requests.get(f"{stack.url}{MISSING[language]}", timeout=10)
    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.headers["Cache-Control"] == "no-cache"

    page = desk
    shown = page.goto(f"{stack.url}{MISSING[language]}")
    assert shown is not None and shown.status == 404
    part = page.locator(f"main section[lang={language}]")
    heading = "Không tìm thấy trang này." if language == "vi" else "This page does not exist."
    expect(part.get_by_role("heading")).to_have_text(heading)
    expect(part.get_by_role("link")).to_have_attribute("href", f"/?lang={language}#/")
    assert_accessible(page, what=f"the page-not-found ({language})")

    # Its search opens the catalog's, in that language, with what was typed
    part.get_by_role("searchbox").fill("khai sinh")
    part.get_by_role("searchbox").press("Enter")
    expect(page).to_have_url(re.compile(r"#/\?q=khai(\+|%20)sinh$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".results li").first).to_contain_text(re.compile("khai sinh|birth", re.I))
