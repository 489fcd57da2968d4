"""A citizen files on a phone, an officer accepts it from the inbox, anyone tracks it: in a real browser."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.support import (
    BIRTH_REGISTRATION,
    BUSINESS_REGISTRATION,
    attach,
    birth_registration_through_api,
    citizen_signs_in,
    file_dossier,
    fill_birth_registration,
    my_dossier_codes,
    next_step,
    officer_signs_in,
    open_menu_item,
)

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page, Route

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

DOSSIER_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$")
DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


def search(page: Page, words: str, *, label: str = "Tìm thủ tục", button: str = "Tìm kiếm") -> None:
    page.get_by_label(label).fill(words)
    page.get_by_role("button", name=button).click()
    # The search goes into the address at once; the results are in when the list is no longer busy.
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(page.locator(".results")).not_to_have_attribute("aria-busy", "true")


def test_citizen_files_a_birth_registration_on_a_phone(
    stack: Stack, phone: Page, pdf_file: Path, shots: Path, journey: dict[str, Any]
) -> None:
    page = phone
    # Given a signed-in citizen on the catalog
    citizen_signs_in(page, stack)
    open_menu_item(page, "Thủ tục hành chính")

    # When they search without diacritics, the birth registration is found
    search(page, "khai sinh")
    results = page.locator(".results")
    expect(results.get_by_role("listitem")).to_have_count(1)
    results.get_by_role("link", name="Đăng ký khai sinh").click()

    # The procedure page says what it takes
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    details = page.locator("main")
    for fact in (
        "1 ngày làm việc",
        "Miễn phí",
        "Toàn trình",
        "Mức độ 4",
        "Phường Minh Họa",
        BIRTH_REGISTRATION,
    ):
        expect(details).to_contain_text(fact)
    expect(details).to_contain_text("Giấy chứng sinh hoặc văn bản xác nhận việc sinh")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()

    # The form: applicant (name, email and phone come from the account), the procedure's own fields
    expect(page.get_by_role("heading", level=1)).to_have_text("Nộp hồ sơ trực tuyến")
    expect(page.get_by_label("Họ và tên")).to_have_value(stack.citizen.name)
    fill_birth_registration(page)

    # A missing paper is caught before anything is sent
    next_step(page)
    expect(page.get_by_role("alert")).to_contain_text("Thiếu giấy tờ bắt buộc")

    # The PDF goes straight to storage, with its progress shown; then check and file
    attach(page, "Giấy chứng sinh hoặc văn bản xác nhận việc sinh", pdf_file)
    file_dossier(page)

    # Then the receipt: a dossier code of the national shape and a due date
    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy tiếp nhận hồ sơ")
    code = page.locator("#receipt-code").inner_text().strip()
    assert DOSSIER_CODE.match(code), code
    assert code.startswith("000.01.01.H99-")  # numbered by the ward that receives it
    expect(page).to_have_url(re.compile(rf"#/receipt/{re.escape(code)}$"))
    due = page.locator(".facts__row", has_text="Ngày hẹn trả kết quả")
    expect(due).to_contain_text(DATE)
    expect(page.locator(".facts__row", has_text="Trạng thái")).to_contain_text("Mới đăng ký")
    page.screenshot(path=str(shots / "receipt.png"), full_page=True)
    journey["code"] = code

    # And tracking it shows it as newly submitted
    page.get_by_role("link", name="Theo dõi hồ sơ", exact=True).click()
    expect(page.get_by_role("heading", level=2, name=code)).to_be_visible()
    expect(page.locator(".dossier-head__status")).to_have_text("Mới đăng ký")
    expect(page.locator(".timeline")).to_contain_text("Mới đăng ký")

    # And it is listed under "My dossiers"
    open_menu_item(page, "Hồ sơ của tôi")
    expect(page.get_by_role("link", name=code)).to_be_visible()


def test_officer_accepts_the_dossier_from_the_inbox(
    stack: Stack, phone: Page, browser: Any, shots: Path, journey: dict[str, Any]
) -> None:
    code = journey.get("code") or birth_registration_through_api(stack)
    page = phone
    # Given the receiving ward's officer signed in
    officer_signs_in(page, stack, stack.receiver_for(BIRTH_REGISTRATION))

    # The dossier waits in the inbox, with its due date
    card = page.locator(".task", has=page.get_by_role("link", name=code))
    expect(card).to_be_visible()
    expect(card).to_contain_text("Mới đăng ký")
    expect(card).to_contain_text(DATE)
    page.screenshot(path=str(shots / "inbox.png"), full_page=True)

    # When they open it and accept it
    card.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(page.locator("main")).to_contain_text("Nguyễn Minh Khang")  # the form's answers
    expect(page.get_by_role("link", name=re.compile(r"\.pdf"))).to_be_visible()  # the file, to download
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(page.locator("#status")).to_contain_text("Đang xử lý")
    expect(page.locator(".dossier-head__status")).to_have_text("Đang xử lý")
    expect(page.get_by_role("button", name="Tiếp nhận", exact=True)).to_have_count(0)

    # Then anyone tracking the code sees it in process
    other = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="vi-VN")
    try:
        tracker = other.new_page()
        tracker.goto(f"{stack.url}/")
        tracker.get_by_label("Mã hồ sơ").fill(code)
        tracker.get_by_role("button", name="Tra cứu").click()
        expect(tracker.locator(".dossier-head__status")).to_have_text("Đang xử lý", timeout=15_000)
        timeline = tracker.locator(".timeline")
        for label in ("Mới đăng ký", "Được tiếp nhận", "Đang xử lý"):
            expect(timeline).to_contain_text(label)
    finally:
        other.close()


@pytest.mark.parametrize(
    ("hours_from_due", "flag"),
    [(-2, "Đến hạn hôm nay"), (24, "Quá hạn"), (-48, None)],
)
def test_inbox_flags_what_is_due_today_or_late(
    stack: Stack, phone: Page, hours_from_due: int, flag: str | None
) -> None:
    code = birth_registration_through_api(stack)
    due_at = datetime.fromisoformat(
        requests.get(f"{stack.url}/v1/tracking/{code}", timeout=10).json()["due_at"]
    )
    # The officer's phone reads a clock set around the dossier's due date (17:00 in Vietnam)
    phone.clock.set_fixed_time(due_at + timedelta(hours=hours_from_due))
    officer_signs_in(phone, stack, stack.receiver_for(BIRTH_REGISTRATION))
    card = phone.locator(".task", has=phone.get_by_role("link", name=code))
    expect(card).to_contain_text(due_at.strftime("%d/%m/%Y"))
    if flag:
        expect(card.locator(".due")).to_contain_text(flag)
    else:
        expect(card.locator(".due__flag")).to_have_count(0)


def test_english_switch_relabels_the_portal_and_is_remembered(
    stack: Stack, phone: Page, journey: dict[str, Any]
) -> None:
    page = phone
    languages: list[str] = []
    page.on(
        "request",
        lambda r: languages.append(r.headers.get("accept-language", "")) if "/v1/" in r.url else None,
    )
    page.goto(f"{stack.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục hành chính")

    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Administrative procedures")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Search procedures")).to_be_visible()
    expect(page.get_by_role("button", name="EN", exact=True)).to_have_attribute("aria-pressed", "true")
    # The catalog comes back in English from the API
    search(page, "birth", label="Search procedures", button="Search")
    page.locator(".results").get_by_role("link", name="Birth registration").click()
    main = page.locator("main")
    for label in ("Papers to attach", re.compile(r"1 working day(?!s)"), "Free", "Full process"):
        expect(main).to_contain_text(label)
    expect(page.get_by_role("link", name="File online").first).to_be_visible()

    # Remembered on the next visit, statuses included
    code = journey.get("code") or birth_registration_through_api(stack)
    page.goto(f"{stack.url}/#/tracking/{code}")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Track a dossier")
    expect(page.locator(".dossier-head__status")).not_to_have_text(re.compile("Mới đăng ký|Đang xử lý"))
    expect(page.locator(".dossier-head__status")).to_have_text(re.compile("Submitted|In process"))
    open_menu_item(page, "Procedures")
    assert languages and languages[-1] == "en", languages
    assert "vi" in languages  # before the switch


def test_a_retry_after_a_lost_answer_files_the_dossier_once(
    stack: Stack, phone: Page, pdf_file: Path
) -> None:
    before = set(my_dossier_codes(stack))
    page = phone
    citizen_signs_in(page, stack)
    page.goto(f"{stack.url}/#/file/{BIRTH_REGISTRATION}")
    fill_birth_registration(page)
    attach(page, "Giấy chứng sinh hoặc văn bản xác nhận việc sinh", pdf_file)

    # Given the network drops the answer to the first filing, after the server has acted on it
    keys: list[str] = []

    def lose_first_answer(route: Route) -> None:
        keys.append(route.request.headers.get("idempotency-key", ""))
        response = route.fetch()
        if len(keys) == 1:
            assert response.status == 201
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.route("**/v1/dossiers", lose_first_answer)
    file_dossier(page)
    expect(page.get_by_role("alert")).to_contain_text("Không kết nối được")

    # When the citizen taps "File" again
    page.get_by_role("button", name="Nộp hồ sơ").click()

    # Then the retry carries the same key and gets the first attempt's dossier back: one dossier
    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy tiếp nhận hồ sơ")
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1], keys
    code = page.locator("#receipt-code").inner_text().strip()
    assert set(my_dossier_codes(stack)) - before == {code}


@pytest.mark.parametrize(
    "words",
    [
        "dang ky doanh nghiep",
        "dang ky kinh doanh",
    ],
)
def test_words_without_diacritics_find_business_registration(stack: Stack, phone: Page, words: str) -> None:
    page = phone
    page.goto(f"{stack.url}/")
    search(page, words)
    # Best match first: other procedures may follow it, ranked lower
    first = page.locator(".results").get_by_role("listitem").first
    expect(first.get_by_role("link", name=re.compile("^Đăng ký thành lập doanh nghiệp"))).to_be_visible()
    expect(first).to_contain_text(BUSINESS_REGISTRATION)
