"""Queue tickets in Chromium: kiosk → ticket → the board shows it → a counter calls it → the board shows
the call → "receive the dossier" opens the walk-in intake's route; the kiosk in both languages, axe on
the kiosk, the board and the counter console. The stack's demo centres are open all day (conftest)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.e2e.support import assert_accessible, officer_signs_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

FINANCE = "000.00.01.H99"  # staffs counter 1 of the provincial centre, which calls service A


def take_a_ticket(page: Page, stack: Stack, *, english: bool = False) -> str:
    page.goto(f"{stack.url}/#/kiosk/tinh")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lấy số thứ tự")
    if english:
        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Take a number")
        page.get_by_role("button", name=re.compile("Business and investment")).click()
        expect(page.get_by_role("heading", level=2)).to_have_text("Are you entitled to priority?")
        page.get_by_role("button", name="No, a regular number").click()
        expect(page.get_by_role("heading", level=2)).to_have_text("Your number")
        expect(page.locator(".queue-ticket__ahead")).to_contain_text("before you")
    else:
        page.get_by_role("button", name=re.compile("Doanh nghiệp, đầu tư")).click()
        expect(page.get_by_role("heading", level=2)).to_have_text("Bạn có thuộc đối tượng ưu tiên không?")
        assert_accessible(page, what="the kiosk's priority choice")
        page.get_by_role("button", name="Không, lấy số thường").click()
        expect(page.get_by_role("heading", level=2)).to_have_text("Số thứ tự của bạn")
        expect(page.locator(".queue-ticket__ahead")).to_contain_text("người trước bạn")
    expect(page.locator(".queue-ticket__qr")).to_be_visible()
    number = page.locator(".queue-ticket__number").inner_text()
    assert re.fullmatch(r"A-\d{3}", number), number
    return number


def test_kiosk_board_counter_and_intake(stack: Stack, browser: Browser, desk: Page) -> None:
    # A citizen takes a number at the kiosk (Vietnamese first), another in English.
    mine = take_a_ticket(desk, stack)
    assert_accessible(desk, what="the kiosk's ticket")
    other = take_a_ticket(desk, stack, english=True)
    assert int(other[2:]) == int(mine[2:]) + 1

    # The board, on a 1920×1080 TV, lists it among the next ones.
    tv_context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    tv = tv_context.new_page()
    try:
        tv.goto(f"{stack.url}/#/board/tinh")
        expect(tv.locator(".board__calls")).to_be_visible()
        expect(tv.locator(f'.board__next-list [data-ticket="{mine}"]')).to_be_visible()
        assert_accessible(tv, what="the board")

        # Finance's receiving officer works counter 1 and calls until the ticket comes up.
        officer_signs_in(desk, stack, stack.receivers[FINANCE])
        desk.goto(f"{stack.url}/#/counter")
        desk.get_by_label("Quầy của bạn").select_option(label=re.compile("Quầy 1 – Sở Tài chính"))
        expect(desk.locator(".counter__ticket")).to_be_visible()
        assert_accessible(desk, what="the counter console")
        shown = desk.locator(".counter__ticket")
        for _ in range(10):
            desk.get_by_role("button", name="Gọi số tiếp theo").click()
            expect(shown).not_to_have_text("Chưa gọi số")
            if shown.inner_text() == mine:
                break
        expect(shown).to_have_text(mine)

        # The board shows the call at counter 1 and says it (within its 1.5 s poll).
        expect(tv.locator('.board__call[data-counter="1"] .board__number')).to_have_text(mine)
        expect(tv.locator(".board__live")).to_contain_text(mine)

        # The ticket's page, as the QR opens it on a phone, says it is called to counter 1.
        page = tv_context.new_page()
        page.goto(f"{stack.url}{ticket_path(tv, mine)}")
        expect(page.locator(".queue-place__state")).to_contain_text("Quầy 1")
        page.close()

        # "Receive the dossier" opens the walk-in intake with the ticket and its service.
        desk.get_by_role("link", name="Tiếp nhận hồ sơ").click()
        expect(desk).to_have_url(re.compile(rf"#/desk/intake\?ticket={mine}&service=A"))
    finally:
        tv_context.close()


def ticket_path(page: Page, number: str) -> str:
    """The path the printed ticket's QR holds: /#/queue/<centre>/<today>/<number>."""
    day = page.evaluate(
        "() => new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Ho_Chi_Minh'}).format(new Date())"
    )
    return f"/#/queue/tinh/{day}/{number}"
