"""Walk-in intake at the counter on a desk PC (1366×768): the ward's receiving officer files a birth
registration for the person in front of them from a queue ticket's link, accepts it in the same step and
prints the A5 receipt; the SMS goes to the phone given at the counter; anyone tracks the dossier by code.
In Vietnamese and in English, axe finding nothing on each screen."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.support import BIRTH_REGISTRATION, assert_accessible, fill_date, officer_signs_in

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.e2e.support import Person, Stack

pytestmark = pytest.mark.e2e

PHONE_AT_COUNTER = "0987 654 321"
SMS_WAIT_S = 30  # the message goes out through the local stack's stream, queue and notifier
# A5 in PostScript points (148 × 210 mm), as a PDF's MediaBox gives it.
A5_POINTS = (419.5, 595.3)
WORDS = {
    "vi": {
        "title": "Tiếp nhận hồ sơ trực tiếp",
        "search": "Tìm thủ tục",
        "cccd": "Số CCCD",
        "phone": "Số điện thoại di động",
        "name": "Họ và tên",
        "address": "Địa chỉ liên hệ",
        "next": "Tiếp tục",
        "accept": "Giấy tờ đã đầy đủ: tiếp nhận hồ sơ ngay",
        "submit": "Tiếp nhận hồ sơ",
        "done": "Đã tiếp nhận hồ sơ",
        "print": "In giấy tiếp nhận (A5)",
        "bad_cccd": "Ba số đầu (003) không phải mã tỉnh nơi đăng ký khai sinh.",
        "paper": "Giấy chứng sinh hoặc văn bản xác nhận việc sinh",
        "uploaded": "Đã tải lên",
    },
    "en": {
        "title": "Walk-in intake",
        "search": "Find a procedure",
        "cccd": "CCCD number",
        "phone": "Mobile phone",
        "name": "Full name",
        "address": "Contact address",
        "next": "Continue",
        "accept": "The papers are complete: accept the dossier now",
        "submit": "Receive the dossier",
        "done": "Dossier received",
        "print": "Print the receipt (A5)",
        "bad_cccd": "The first three digits (003) are not a province code of birth registration.",
        "paper": "Medical birth certificate or written confirmation of the birth",
        "uploaded": "Uploaded",
    },
}


def fill_the_form(page: Page, language: str) -> None:
    """The birth registration's own steps, as on the portal (labels from the procedure's schema)."""
    form = page.locator("#main form")
    # Step 2: the child; step 3: the mother and the relationship (field names are the schema's).
    form.locator("[name='form.child_full_name']").fill("Nguyễn Minh Khôi")
    form.locator("[name='form.child_sex']").select_option("Nam")
    fill_date(page, _date_label(page), date.today() - timedelta(days=20))
    form.locator("[name='form.place_of_birth']").fill("Bệnh viện đa khoa tỉnh Minh Họa")
    form.locator("[name='form.ethnicity']").fill("Kinh")
    next_step(page, language)
    page.locator("#main form [name='form.mother_full_name']").fill("Trần Thị Hoa")
    page.locator("#main form [name='form.requester_relationship']").select_option("Cha")
    next_step(page, language)


def _date_label(page: Page) -> str:
    return page.locator("#main form fieldset.date-field .field__label").first.inner_text().strip()


def next_step(page: Page, language: str) -> None:
    page.get_by_role("button", name=WORDS[language]["next"], exact=True).click()


def open_intake(page: Page, stack: Stack, language: str, query: str) -> None:
    page.goto(f"{stack.url}/?lang={language}#/desk/intake?{query}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(WORDS[language]["title"])


def receipt_pdf(stack: Stack, officer: Person, code: str) -> bytes:
    """Mẫu 01 as the API gives the counter (the PDF the Print button opens)."""
    tokens = requests.post(
        f"{stack.url}/v1/auth/staff/sign-in",
        json={"username": officer.username, "password": officer.password},
        timeout=10,
    ).json()
    answer = requests.get(
        f"{stack.url}/v1/dossiers/{code}/documents/receipt",
        headers={"Authorization": f"Bearer {tokens['id_token']}", "Accept": "application/pdf"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text[:300]
    return answer.content


def page_size(pdf: bytes) -> tuple[float, float]:
    found = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert found, pdf[:400]
    return float(found.group(1)), float(found.group(2))


def sms_to(stack: Stack, number: str, code: str) -> list[dict[str, object]]:
    deadline = time.monotonic() + SMS_WAIT_S
    while True:
        box = requests.get(f"{stack.url}/v1/dev/outbox", params={"code": code}, timeout=10).json()
        found = [m for m in box["messages"] if m["channel"] == "sms" and number in m["to"]]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(1)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_ward_receives_a_walk_in_dossier_and_prints_its_a5_receipt(
    stack: Stack, desk: Page, pdf_file: Path, shots: Path, language: str
) -> None:
    words = WORDS[language]
    receiver = stack.receiver_for(BIRTH_REGISTRATION)
    officer_signs_in(desk, stack, receiver)
    # Given the queue console's link for ticket A-012
    open_intake(desk, stack, language, "ticket=A-012&service=HT")
    expect(desk.locator(".intake__ticket")).to_contain_text("A-012")
    assert_accessible(desk, what=f"the procedure picker ({language})")

    # The officer finds the procedure by searching
    desk.get_by_label(words["search"]).fill("1.001193")
    procedures = desk.locator(".intake__procedure")
    expect(procedures).to_have_count(1)
    procedures.first.click()

    # The applicant: a CCCD whose province code does not exist is refused by the API, naming the field
    desk.get_by_label(words["name"], exact=True).fill("Nguyễn Văn Quầy")
    desk.get_by_label(words["cccd"]).fill("003090012345")
    desk.get_by_label(words["phone"]).fill(PHONE_AT_COUNTER)
    desk.get_by_label(words["address"]).fill("Số 7 đường Trần Phú, phường Minh Họa")
    assert_accessible(desk, what=f"the applicant step ({language})")
    next_step(desk, language)
    fill_the_form(desk, language)
    desk.get_by_label(words["paper"], exact=True).set_input_files(pdf_file)
    expect(desk.locator(".file", has_text=pdf_file.name)).to_contain_text(words["uploaded"])
    next_step(desk, language)
    desk.get_by_label(words["accept"]).check()
    assert_accessible(desk, what=f"the check page ({language})")
    desk.get_by_role("button", name=words["submit"], exact=True).click()
    error = desk.locator("[data-field='applicant.id_number'] .field__error")
    expect(error).to_have_text(words["bad_cccd"])
    assert_accessible(desk, what=f"the CCCD refused ({language})")

    # Corrected, filed again from the check page: the receipt, accepted at once
    desk.get_by_label(words["cccd"]).fill("001090012345")
    next_step(desk, language)
    next_step(desk, language)
    next_step(desk, language)
    next_step(desk, language)
    expect(desk.get_by_label(words["accept"])).to_be_checked()
    desk.get_by_role("button", name=words["submit"], exact=True).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(words["done"])
    code = desk.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"\d{3}\.\d{2}\.\d{2}\.H99-\d{6}-\d{4}", code), code
    receipt = desk.locator(".intake-receipt")
    expect(receipt).to_contain_text("A-012")
    expect(receipt).to_contain_text(receiver.name)
    expect(receipt.locator(".badge")).to_contain_text(re.compile("Đang xử lý|In process"))
    assert_accessible(desk, what=f"the receipt ({language})")
    desk.screenshot(path=str(shots / f"counter-receipt-{language}.png"), full_page=True)

    # Print opens Mẫu 01 in a new tab, for the browser's PDF viewer to print: an A5 sheet
    with desk.context.expect_page() as opened:
        desk.get_by_role("button", name=words["print"]).click()
    tab = opened.value
    tab.wait_for_url(re.compile(r"^blob:"))
    tab.close()
    pdf = receipt_pdf(stack, receiver, code)
    assert pdf.startswith(b"%PDF-")
    width, height = page_size(pdf)
    assert (round(width, 1), round(height, 1)) == A5_POINTS

    # The citizen hears by SMS at the phone given at the counter, and anyone tracks the dossier
    assert sms_to(stack, "+84987654321", code), "no SMS to the counter's phone"
    desk.goto(f"{stack.url}/?lang={language}#/tracking/{code}")
    expect(desk.locator("#main")).to_contain_text(code)
    expect(desk.locator("#main")).not_to_contain_text("Nguyễn Văn Quầy")
