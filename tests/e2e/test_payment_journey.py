"""Fees paid online in a real browser on the local stack: a dossier whose procedure has a fee, paid in
the sandbox gateway, back on the return page that shows it paid; a cancelled payment shown not paid and
paid again; the desk sees it. Vietnamese and English, axe on our pages (docs/payments.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.e2e.support import (
    assert_accessible,
    citizen_signs_in,
    driving_licence_through_api,
    officer_signs_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e


def test_a_fee_paid_in_the_sandbox_shows_paid_on_the_return_page_and_to_the_desk(
    stack: Stack, phone: Page, desk: Page
) -> None:
    code = driving_licence_through_api(stack)
    citizen_signs_in(phone, stack)

    # The dossier page: the fee is due, with a button to pay it online.
    phone.goto(f"{stack.url}/#/dossiers/{code}")
    panel = phone.locator(".fee-panel")
    expect(panel).to_contain_text("135.000")
    expect(panel.locator("#fee-state")).to_have_text("Chưa thanh toán")
    assert_accessible(phone, what="the dossier page with its fee due")
    panel.get_by_role("button", name="Thanh toán trực tuyến").click()

    # The sandbox gateway's page: the order and its amount; the tester picks success.
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Cổng thanh toán thử nghiệm")
    expect(phone.locator("#amount")).to_have_text("135,000 VND")
    phone.get_by_role("button", name="Thanh toán thành công").click()

    # Back on the portal: the IPN came first, the page says paid.
    expect(phone.locator("#payment-state")).to_have_attribute("data-shown", "paid")
    expect(phone.locator("#payment-state")).to_contain_text("Đã thanh toán")
    assert_accessible(phone, what="the return page, paid")
    phone.get_by_role("link", name=code).click()
    expect(phone.locator("#fee-state")).to_have_text("Đã thanh toán")
    expect(phone.locator(".fee-panel button")).to_have_count(0)

    # The desk sees it paid beside its decision, and on the dossier.
    officer_signs_in(desk, stack, stack.receiver_for("3.000347"))
    desk.goto(f"{stack.url}/#/tasks/{code}-T1")
    expect(desk.locator(".task-layout__side #fee-state")).to_have_text("Đã thanh toán")
    assert_accessible(desk, what="the desk's task with the fee paid")
    desk.goto(f"{stack.url}/#/dossiers/{code}")
    expect(desk.locator("#fee-state")).to_have_text("Đã thanh toán")


def test_in_english_a_cancelled_payment_is_not_paid_and_can_be_paid_again_with_a_late_ipn(
    stack: Stack, phone: Page
) -> None:
    code = driving_licence_through_api(stack)
    citizen_signs_in(phone, stack)
    phone.get_by_role("button", name="EN", exact=True).click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")

    phone.goto(f"{stack.url}/#/dossiers/{code}")
    phone.locator(".fee-panel").get_by_role("button", name="Pay online").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")  # the gateway's page in English
    phone.get_by_role("button", name="The customer cancels").click()

    expect(phone.locator("#payment-state")).to_have_attribute("data-shown", "not_paid")
    expect(phone.locator("#payment-state")).to_contain_text("Not paid")
    assert_accessible(phone, what="the return page, not paid, in English")

    # A new attempt is a new order; this time the IPN comes late: the page waits, then shows paid.
    phone.get_by_role("button", name="Pay again").click()
    phone.get_by_role("button", name="Success, the IPN comes late").click()
    expect(phone.locator("#payment-state")).to_have_attribute("data-shown", "waiting")
    assert_accessible(phone, what="the return page, waiting for the IPN, in English")
    expect(phone.locator("#payment-state")).to_have_attribute("data-shown", "paid", timeout=20_000)
    expect(phone.locator("#payment-state")).to_contain_text("Paid")
