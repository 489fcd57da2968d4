"""The counter in Chromium, on a desk PC (1366×768), axe finding nothing on each screen:

- walk-in intake: the ward's receiving officer files a birth registration for the person in front of
  them from a queue ticket's link, accepts it in the same step and prints the A5 receipt; the SMS goes
  to the phone given at the counter; anyone tracks the dossier by code (Vietnamese and English);
- the counter's day chained end to end (the issue's journey): the ward's kiosk gives a ticket (its
  80 mm print view), the board lists it, the counter console calls it, the board shows the call, the
  officer receives the dossier from the ticket and prints its receipt, a citizen tracks it;
- the centre's day of bookings, from the counter console (Vietnamese and English)."""

from __future__ import annotations

import io
import re
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
import requests
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.support import BIRTH_REGISTRATION, FINANCE, assert_accessible, fill_date, officer_signs_in

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser, Page

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


# --- the counter's day, chained ------------------------------------------------------------------

WARD_CENTRE = "phuong-minh-hoa"  # the ward's one-stop desk: service H, counter 1 staffed by the ward
TICKET_WIDTH_MM = 74  # the print view's ticket on an 80 mm roll (3 mm margins)
PX_PER_MM = 96 / 25.4


def take_a_ticket_at_the_ward(page: Page, stack: Stack) -> str:
    """A walk-in takes a number at the ward's kiosk (Vietnamese first) and gets the ticket to print."""
    page.goto(f"{stack.url}/#/kiosk/{WARD_CENTRE}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lấy số thứ tự")
    page.get_by_role("button", name=re.compile("Hộ tịch, chứng thực")).click()
    page.get_by_role("button", name="Không, lấy số thường").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Số thứ tự của bạn")
    ticket = page.locator(".queue-ticket")
    expect(ticket.locator(".queue-ticket__qr")).to_be_visible()
    number = ticket.locator(".queue-ticket__number").inner_text()
    assert re.fullmatch(r"H-\d{3}", number), number
    assert_accessible(page, what="the ward kiosk's ticket")
    # Printed, the page is the ticket alone, as wide as the 80 mm roll takes
    page.emulate_media(media="print")
    try:
        expect(page.get_by_role("button", name="In phiếu")).to_be_hidden()
        expect(ticket.locator(".queue-ticket__number")).to_be_visible()
        box = ticket.bounding_box()
        assert box is not None
        assert round(box["width"] / PX_PER_MM) == TICKET_WIDTH_MM, box
    finally:
        page.emulate_media(media="screen")
    return number


def text_of(pdf: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def test_a_counter_day_from_the_kiosk_to_the_citizen_tracking_the_dossier(
    stack: Stack, browser: Browser, desk: Page, pdf_file: Path
) -> None:
    words = WORDS["en"]  # the officer works in English; the kiosk, the board and the citizen in Vietnamese
    receiver = stack.receiver_for(BIRTH_REGISTRATION)  # the ward's, who works its counter 1
    mine = take_a_ticket_at_the_ward(desk, stack)

    tv_context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    citizen_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    try:
        # The board on the ward's TV lists the ticket among the next ones
        tv = tv_context.new_page()
        tv.goto(f"{stack.url}/#/board/{WARD_CENTRE}")
        expect(tv.locator(f'.board__next-list [data-ticket="{mine}"]')).to_be_visible()
        assert_accessible(tv, what="the ward's board")

        # The counter console calls until the ticket comes up (the demo's tickets of today come first)
        officer_signs_in(desk, stack, receiver)
        desk.goto(f"{stack.url}/?lang=en#/counter")
        desk.get_by_label("Your counter").select_option(value=f"{WARD_CENTRE}/1")
        expect(desk.locator(".counter__ticket")).to_be_visible()
        assert_accessible(desk, what="the ward's counter console")
        shown = desk.locator(".counter__ticket")
        for _ in range(10):
            with desk.expect_response(lambda r: r.url.endswith("/counters/1/next")) as answer:
                desk.get_by_role("button", name="Call the next number").click()
            called = answer.value.json()
            assert answer.value.status == 200, called
            assert called["ticket"], called  # the ticket taken above waits at least
            expect(shown).to_have_text(called["ticket"])
            if called["ticket"] == mine:
                break
        expect(shown).to_have_text(mine)

        # The board shows the call at counter 1
        expect(tv.locator('.board__call[data-counter="1"] .board__number')).to_have_text(mine)

        # The officer receives the dossier from the ticket
        desk.get_by_role("link", name="Receive the dossier").click()
        expect(desk).to_have_url(re.compile(rf"#/desk/intake\?ticket={mine}&service=H"))
        expect(desk.get_by_role("heading", level=1)).to_have_text(words["title"])
        expect(desk.locator(".intake__ticket")).to_contain_text(mine)
        desk.get_by_label(words["search"]).fill(BIRTH_REGISTRATION)
        expect(desk.locator(".intake__procedure")).to_have_count(1)
        desk.locator(".intake__procedure").first.click()
        desk.get_by_label(words["name"], exact=True).fill("Lê Thị Quầy")
        desk.get_by_label(words["cccd"]).fill("001190012345")
        desk.get_by_label(words["phone"]).fill("0912 000 111")
        desk.get_by_label(words["address"]).fill("Số 9 đường Trần Phú, phường Minh Họa")
        next_step(desk, "en")
        fill_the_form(desk, "en")
        desk.get_by_label(words["paper"], exact=True).set_input_files(pdf_file)
        expect(desk.locator(".file", has_text=pdf_file.name)).to_contain_text(words["uploaded"])
        next_step(desk, "en")
        desk.get_by_label(words["accept"]).check()
        assert_accessible(desk, what="the intake's check page, from a ticket")
        desk.get_by_role("button", name=words["submit"], exact=True).click()

        # The A5 receipt, with the ticket; its print view (the PDF the Print button opens) carries the code
        expect(desk.get_by_role("heading", level=1)).to_have_text(words["done"])
        code = desk.locator("#receipt-code").inner_text().strip()
        expect(desk.locator(".intake-receipt")).to_contain_text(mine)
        assert_accessible(desk, what="the receipt, from a ticket")
        with desk.context.expect_page() as opened:
            desk.get_by_role("button", name=words["print"]).click()
        opened.value.wait_for_url(re.compile(r"^blob:"))
        opened.value.close()
        pdf = receipt_pdf(stack, receiver, code)
        assert tuple(round(side, 1) for side in page_size(pdf)) == A5_POINTS
        assert code in text_of(pdf)

        # A citizen, with no sign-in, tracks the dossier by the code on the receipt
        phone = citizen_context.new_page()
        phone.goto(f"{stack.url}/#/tracking")
        phone.locator("#main input").first.fill(code)
        phone.locator("#main form button[type=submit]").first.click()
        expect(phone).to_have_url(re.compile(rf"#/tracking/{re.escape(code)}$"))
        expect(phone.locator("#main")).to_contain_text(code)
        expect(phone.locator("#main")).to_contain_text("Đang xử lý")
        expect(phone.locator("#main")).not_to_contain_text("Lê Thị Quầy")
        assert_accessible(phone, what="the tracking page of a counter dossier")
    finally:
        tv_context.close()
        citizen_context.close()


# --- the centre's day of bookings ----------------------------------------------------------------

DAY_WORDS = {
    "vi": {
        "which": "Quầy của bạn",
        "link": "Lịch hẹn trong ngày của trung tâm",
        "title": "Lịch hẹn trong ngày",
    },
    "en": {
        "which": "Your counter",
        "link": "The centre's appointments of the day",
        "title": "The day's appointments",
    },
}
DEMO_GUESTS = 8  # the demo's people booked over today's slots at the provincial centre (devstack)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_counter_sees_the_centres_bookings_of_the_day(stack: Stack, desk: Page, language: str) -> None:
    words = DAY_WORDS[language]
    officer_signs_in(desk, stack, stack.receivers[FINANCE])
    desk.goto(f"{stack.url}/?lang={language}#/counter")
    desk.get_by_label(words["which"]).select_option(value="tinh/1")
    desk.get_by_role("link", name=words["link"]).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(words["title"])
    expect(desk).to_have_url(re.compile(r"#/appointments/day\?centre=tinh"))
    rows = desk.locator(".dayappt__slot tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= DEMO_GUESTS
    # Who is masked: the family name, then initials
    names = desk.locator(".dayappt__slot .dayappt__name").all_inner_texts()
    assert all(re.fullmatch(r"\S+( \S\.)+", name) for name in names), names
    # The summary adds up to the rows, each row's state is one of the five
    counts = [int(n) for n in desk.locator(".dayappt__counts strong").all_inner_texts()]
    assert sum(counts) == rows.count()
    states = set(
        desk.locator(".dayappt__slot tbody tr").evaluate_all("rows => rows.map(r => r.dataset.state)")
    )
    assert states <= {"booked", "checked_in", "called", "no_show", "cancelled"}
    assert "cancelled" in states  # the demo's guest who cancelled
    assert_accessible(desk, what=f"the centre's day of bookings ({language})")
