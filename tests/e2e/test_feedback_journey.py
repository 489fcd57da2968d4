"""Feedback in Chromium: a citizen sends feedback on a phone, the agency's officer answers and publishes it
at a desk, the citizen sees the answer (and its email in the demo outbox), the public page shows the
published text without the sender; in Vietnamese and English, with axe on each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import (
    FINANCE,
    Stack,
    assert_accessible,
    citizen_signs_in,
    officer_signs_in,
    open_menu_item,
    staff_member,
)

pytestmark = pytest.mark.e2e

OUTBOX_WAIT_MS = 20_000  # the answer's email goes out through the local stack's stream and queue


def test_a_citizen_sends_feedback_the_officer_answers_and_publishes_and_everyone_sees_it(
    stack: Stack, phone: Page, desk: Page
) -> None:
    # Given the demo citizen on a phone: the public page shows the demo's published answer
    citizen_signs_in(phone, stack)
    open_menu_item(phone, "Phản ánh, kiến nghị")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Trả lời phản ánh, kiến nghị")
    expect(phone.locator(".fb-card").first).to_be_visible()
    assert_accessible(phone, what="the published answers on a phone")

    # When they open the form and send it empty, the fields say what is missing
    phone.get_by_role("link", name="Gửi phản ánh, kiến nghị").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Gửi phản ánh, kiến nghị")
    phone.get_by_role("button", name="Gửi phản ánh").click()
    expect(phone.locator(".error-summary")).to_be_visible()
    expect(phone.locator("[data-field=subject] .field__error")).not_to_be_empty()
    assert_accessible(phone, what="the feedback form with its errors")

    # and then fill it in for the Department of Finance
    phone.get_by_label("Cơ quan nhận phản ánh").select_option(FINANCE)
    phone.get_by_label("Tiêu đề").fill("Cổng không hiện lệ phí")
    phone.get_by_label("Nội dung", exact=True).fill(
        "Trang thủ tục đăng ký doanh nghiệp không ghi rõ lệ phí, đề nghị bổ sung. Liên hệ tôi: 0901234567."
    )
    phone.get_by_role("button", name="Gửi phản ánh").click()

    # Then their list shows it, waiting, with its code and due date
    expect(phone.get_by_role("heading", level=1)).to_have_text("Phản ánh, kiến nghị của tôi")
    card = phone.locator(".fb-card", has_text="Cổng không hiện lệ phí").first
    expect(card).to_contain_text("Đang xử lý")
    code = card.locator(".fb-code").inner_text().strip()
    assert re.fullmatch(rf"PAKN-{re.escape(FINANCE)}-\d{{6}}-\d{{4}}", code), code
    assert_accessible(phone, what="my feedback, waiting")

    # The Department's officer, at a desk, finds it in the agency's list by due date and opens it
    officer_signs_in(desk, stack, staff_member(FINANCE, "officer"))
    open_menu_item(desk, "Phản ánh")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Phản ánh, kiến nghị gửi cơ quan")
    assert_accessible(desk, what="the agency's feedback list")
    desk.get_by_role("link", name=code).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Cổng không hiện lệ phí")
    expect(desk.locator("#main")).to_contain_text(stack.citizen.name)
    assert_accessible(desk, what="a feedback to answer")

    # They answer it: recorded with who and when; a second answer is not offered
    desk.get_by_label("Nội dung trả lời").fill("Cơ quan đã bổ sung lệ phí vào trang thủ tục. Xin cảm ơn bà.")
    desk.get_by_role("button", name="Gửi trả lời").click()
    expect(desk.locator(".fb-answer")).to_contain_text("Cơ quan đã bổ sung lệ phí vào trang thủ tục.")
    expect(desk.get_by_role("button", name="Gửi trả lời")).to_have_count(0)

    # and publish it, the phone number taken out of the question
    question = desk.get_by_label("Nội dung phản ánh")
    expect(question).to_have_value(re.compile("0901234567"))
    question.fill("Trang thủ tục đăng ký doanh nghiệp không ghi rõ lệ phí, đề nghị bổ sung.")
    desk.get_by_role("button", name="Công khai", exact=True).click()
    expect(desk.locator("#main .notice").first).to_contain_text("Đã công khai lúc")
    assert_accessible(desk, what="an answered and published feedback")

    # The citizen sees the answer on the portal, and its email came through the demo outbox
    phone.reload()  # still on their list since sending: read it again
    card = phone.locator(".fb-card", has_text=code)
    expect(card).to_contain_text("Đã trả lời")
    expect(card.locator(".fb-answer")).to_contain_text("Cơ quan đã bổ sung lệ phí vào trang thủ tục.")
    assert_accessible(phone, what="my feedback, answered")
    phone.goto(f"{stack.url}/#/outbox?code={code}")
    expect(phone.locator(".msg--email", has_text=code).first).to_be_visible(timeout=OUTBOX_WAIT_MS)

    # The public page shows the published question and answer, without the sender's name or number
    phone.goto(f"{stack.url}/#/feedback/public")
    published = phone.locator(".fb-card", has_text="không ghi rõ lệ phí").first
    expect(published).to_contain_text("Cơ quan đã bổ sung lệ phí vào trang thủ tục.")
    expect(phone.locator("#main")).not_to_contain_text("0901234567")
    expect(phone.locator("#main")).not_to_contain_text(code)
    expect(phone.locator("#main .fb-list, #main .cards")).not_to_contain_text(stack.citizen.name)

    # In English too
    phone.get_by_role("button", name="EN", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Answers to feedback")
    assert_accessible(phone, what="the published answers in English")
    phone.goto(f"{stack.url}/#/me/feedback")
    expect(phone.get_by_role("heading", level=1)).to_have_text("My feedback")
    expect(phone.locator(".fb-card", has_text=code)).to_contain_text("Answered")
    assert_accessible(phone, what="my feedback in English")
    desk.get_by_role("button", name="EN", exact=True).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Cổng không hiện lệ phí")
    expect(desk.locator("#main")).to_contain_text("Answer by")
    assert_accessible(desk, what="an answered feedback in English")
