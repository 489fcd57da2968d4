"""Search that forgives, on a phone: words without diacritics, an empty result's ways on, life events."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.e2e.support import BIRTH_REGISTRATION

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

MARRIAGE_REGISTRATION = "1.000894"


def search(page: Page, words: str) -> None:
    page.get_by_label("Tìm thủ tục").fill(words)
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(page.locator(".results")).not_to_have_attribute("aria-busy", "true")


def test_everyday_words_without_diacritics_find_the_birth_registration_first(
    stack: Stack, phone: Page
) -> None:
    page = phone
    page.goto(f"{stack.url}/")

    search(page, "lam giay khai sinh cho con")

    first = page.locator(".results").get_by_role("listitem").first
    expect(first.get_by_role("link")).to_have_text("Đăng ký khai sinh")
    expect(first).to_contain_text(BIRTH_REGISTRATION)
    expect(page.locator(".suggestions")).to_have_count(0)  # found: no "did you mean"


def test_an_empty_result_suggests_close_matches_and_browsing_by_life_event_works(
    stack: Stack, phone: Page, shots: Path
) -> None:
    page = phone
    page.goto(f"{stack.url}/")
    # The home page offers the life events to browse by
    expect(page.get_by_role("heading", name="Tìm theo sự kiện trong đời")).to_be_visible()

    # Given a query that is three procedures at once: none matches it
    search(page, "khai sinh doanh nghiep lai xe")

    results = page.locator(".results")
    expect(results).to_contain_text("Không tìm thấy thủ tục nào cho “khai sinh doanh nghiep lai xe”.")
    suggestions = page.locator(".suggestions")
    expect(suggestions.get_by_role("heading", level=2)).to_have_text("Có phải bạn muốn tìm …")
    expect(suggestions.get_by_role("link", name="Đăng ký khai sinh")).to_be_visible()
    expect(suggestions.get_by_role("link", name="Đổi giấy phép lái xe")).to_be_visible()
    page.screenshot(path=str(shots / "search-empty.png"), full_page=True)

    # When they browse by a life event instead
    page.locator(".browse").get_by_role("link", name=re.compile("^Kết hôn")).click()

    # Then the procedures of that event are listed, and the page says what it is showing
    expect(page).to_have_url(re.compile(r"event=marriage"))
    expect(page.locator(".browsing")).to_contain_text("Sự kiện: Kết hôn")
    listed = page.locator(".results").get_by_role("listitem")
    expect(listed).to_have_count(1)
    expect(listed.first.get_by_role("link")).to_have_text("Đăng ký kết hôn")
    expect(listed.first).to_contain_text(MARRIAGE_REGISTRATION)

    # And a field takes them to its procedures too
    page.get_by_role("link", name="Xem tất cả thủ tục").click()
    page.locator(".browse").get_by_role("link", name=re.compile("^Hộ tịch")).click()
    expect(page).to_have_url(re.compile(r"field=ho-tich"))
    expect(page.locator(".results").get_by_role("listitem")).to_have_count(3)
