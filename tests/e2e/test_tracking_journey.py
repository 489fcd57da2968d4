"""Tracking that helps, opened from the receipt's QR code, and the citizen's notifications page, in a
real browser on the local stack: a phone (390×844) and a desk PC (1366×768), Vietnamese and English,
axe on every page."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.support import (
    assert_accessible,
    birth_registration_through_api,
    citizen_headers,
    citizen_signs_in,
    open_menu_item,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

UNKNOWN = "000.01.01.H99-991231-9999"  # the right shape, and no such dossier


@pytest.fixture(scope="module")
def code(stack: Stack) -> str:
    """A birth registration the demo citizen filed (its receipt, its messages)."""
    return birth_registration_through_api(stack)


def english(page: Page) -> None:
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def the_code_fits(page: Page) -> None:
    field = page.locator("main input[name=code]")
    field.fill("000.01.01.H99-261206-0001")
    assert field.evaluate("e => e.scrollWidth <= e.clientWidth"), "the code does not fit the field"
    box = field.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]  # type: ignore[index]


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_an_unknown_code_says_what_to_check(
    stack: Stack, viewport: str, request: pytest.FixtureRequest
) -> None:
    page: Page = request.getfixturevalue(viewport)
    page.goto(f"{stack.url}/#/tracking")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu hồ sơ")
    the_code_fits(page)

    # When someone types a code of the right shape that no dossier has
    page.locator("main input[name=code]").fill(UNKNOWN)
    page.get_by_role("button", name="Tra cứu", exact=True).click()

    # Then the page says what to check: the shape with an example, the receipt, the counter, signing in
    help_ = page.locator(".track-help")
    expect(help_.get_by_role("heading")).to_have_text(f"Không tìm thấy hồ sơ {UNKNOWN}")
    expect(help_).to_contain_text("000.01.01.H99-261206-0001")
    expect(help_).to_contain_text("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    expect(help_).to_contain_text("bộ phận một cửa")
    expect(help_.get_by_role("link", name="Đăng nhập")).to_be_visible()
    assert_accessible(page, what=f"an unknown code, {viewport}, vi")

    # and what is not a code at all is said so, with the same help
    page.goto(f"{stack.url}/#/tracking/so-cua-toi")
    expect(page.locator(".track-help").get_by_role("heading")).to_have_text(
        "“SO-CUA-TOI” không phải là mã hồ sơ"
    )

    # In English too
    page.goto(f"{stack.url}/#/tracking/{UNKNOWN}")
    english(page)
    help_ = page.locator(".track-help")
    expect(help_.get_by_role("heading")).to_have_text(f"No dossier {UNKNOWN} was found")
    expect(help_).to_contain_text("printed at the top of the receipt")
    expect(help_).to_contain_text("one-stop counter")
    assert_accessible(page, what=f"an unknown code, {viewport}, en")


def test_a_signed_in_citizen_is_sent_to_their_dossiers(stack: Stack, phone: Page) -> None:
    citizen_signs_in(phone, stack)
    phone.goto(f"{stack.url}/#/tracking/{UNKNOWN}")
    link = phone.locator(".track-help").get_by_role("link", name="Hồ sơ của tôi")
    link.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hồ sơ của tôi")


def test_a_code_typed_in_lowercase_with_spaces_is_found(stack: Stack, phone: Page, code: str) -> None:
    page = phone
    page.goto(f"{stack.url}/")
    loose = "  " + code.lower().replace("-", " ") + " "  # "000.01.01.h99 261206 0001"
    page.locator("main input[name=code]").fill(loose)
    page.get_by_role("button", name="Tra cứu", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(f"#/tracking/{code}") + "$"))
    expect(page.locator("#tracking-code")).to_have_text(code)
    progress = page.locator(".progress")
    expect(progress.locator("[aria-current=step]")).to_contain_text("Mới đăng ký")
    expect(progress.locator(".progress__step--todo").last).to_contain_text("Đã trả kết quả")
    assert_accessible(page, what="tracking a dossier, phone, vi")

    english(page)
    expect(page.get_by_role("heading", name="Where the dossier is")).to_be_visible()
    expect(progress.locator("[aria-current=step]")).to_contain_text("Submitted")
    assert_accessible(page, what="tracking a dossier, phone, en")


def receipt_qr_url(stack: Stack, code: str) -> str:
    """What the QR code of the dossier's receipt (Mẫu 01) reads, as a phone's camera would."""
    import pypdfium2 as pdfium
    import zxingcpp

    pdf = requests.get(
        f"{stack.url}/v1/dossiers/{code}/documents/receipt",
        headers=citizen_headers(stack) | {"Accept": "application/pdf"},
        timeout=20,
    )
    assert pdf.status_code == 200, pdf.text[:200]
    image = pdfium.PdfDocument(io.BytesIO(pdf.content))[0].render(scale=200 / 72).to_pil()
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, found
    return str(found[0].text)


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_the_receipts_qr_code_opens_the_dossiers_tracking_in_a_fresh_browser(
    stack: Stack, code: str, viewport: str, request: pytest.FixtureRequest
) -> None:
    url = receipt_qr_url(stack, code)
    assert url == f"{stack.url}/#/tracking/{code}"

    # A browser that never signed in (a phone scanning the paper) opens it
    page: Page = request.getfixturevalue(viewport)
    page.goto(url)

    expect(page.locator("#tracking-code")).to_have_text(code)
    expect(page.locator(".dossier-head__status")).to_contain_text("Mới đăng ký")
    expect(page.get_by_role("heading", name="Hồ sơ đã đến đâu")).to_be_visible()
    expect(page.locator(".timeline__item").first).to_be_visible()
    assert_accessible(page, what=f"tracking from the QR code, {viewport}")


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_the_notifications_page_lists_the_filed_message(
    stack: Stack, code: str, viewport: str, request: pytest.FixtureRequest, shots: Path
) -> None:
    page: Page = request.getfixturevalue(viewport)
    if viewport == "phone":
        citizen_signs_in(page, stack)
        open_menu_item(page, "Hồ sơ của tôi")
    else:  # the menu is open on a desk screen
        page.goto(f"{stack.url}/#/sign-in")
        page.get_by_label("Thư điện tử").fill(stack.citizen.username)
        page.get_by_label("Mật khẩu", exact=True).fill(stack.citizen.password)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.locator("#userbar")).to_contain_text(stack.citizen.name)
        page.get_by_role("navigation").get_by_role("link", name="Hồ sơ của tôi", exact=True).click()
    page.get_by_role("link", name=re.compile("Thông báo đã gửi cho tôi")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông báo đã gửi cho tôi")

    # The message about the filing (the notifier works in the background: reload until it is there)
    note = page.locator(".note", has_text=code).filter(has_text="Đã nộp hồ sơ").first
    for _ in range(20):
        if note.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(note).to_be_visible()
    expect(page.locator(".note", has_text=code).filter(has_text="Thư điện tử").first).to_be_visible()
    assert stack.citizen.username not in page.locator("main").inner_text()  # the address is masked
    expect(note).to_contain_text("***")
    page.screenshot(path=str(shots / f"notifications-{viewport}.png"), full_page=True)
    assert_accessible(page, what=f"notifications, {viewport}, vi")

    english(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages sent to me")
    expect(page.locator(".note", has_text=code).filter(has_text="Dossier filed").first).to_be_visible()
    assert_accessible(page, what=f"notifications, {viewport}, en")


def test_the_notifications_page_needs_a_signed_in_citizen(stack: Stack, phones: Callable[[], Page]) -> None:
    page = phones()
    page.goto(f"{stack.url}/#/me/notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
