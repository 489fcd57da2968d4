"""A financial obligation in a real browser on the local stack: the officer asks for it on the task page
(two items), the citizen sees it on the dossier page and pays in the sandbox gateway, and the dossier is
back in processing by itself; in English the officer cancels one. axe on each page (docs/payments.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.support import (
    BIRTH_REGISTRATION,
    assert_accessible,
    birth_registration_through_api,
    citizen_signs_in,
    officer_signs_in,
)
from tests.e2e.test_statistics_dashboard import staff_headers

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e


def accepted_birth_registration(stack: Stack) -> str:
    """A birth registration the ward's desk accepted over HTTP: in process (4)."""
    code = birth_registration_through_api(stack)
    auth = staff_headers(stack, stack.receiver_for(BIRTH_REGISTRATION))
    decided = requests.post(
        f"{stack.url}/v1/tasks/{code}-T1/decision", json={"action": "accept"}, headers=auth, timeout=10
    )
    assert decided.ok, decided.text
    return code


def ask(page: Page, items: list[tuple[str, str]], reason: str) -> None:
    page.locator("#obligation-open").click()
    form = page.locator(".obligation-form")
    for index, (name, amount) in enumerate(items):
        if index:
            form.locator("button[type=button]").click()
        form.locator(f"input[name='items[{index}].name']").fill(name)
        form.locator(f"input[name='items[{index}].amount_vnd']").fill(amount)
    form.locator("textarea[name=reason]").fill(reason)


def test_the_officer_asks_the_citizen_pays_in_the_sandbox_and_the_dossier_resumes(
    stack: Stack, phone: Page, desk: Page
) -> None:
    code = accepted_birth_registration(stack)

    # The desk asks for two items; a total that does not add up is named on its field first.
    officer_signs_in(desk, stack, stack.receiver_for(BIRTH_REGISTRATION))
    desk.goto(f"{stack.url}/#/tasks/{code}-T1")
    ask(desk, [("Lệ phí đăng ký", "50000"), ("Thuế thu nhập cá nhân", "300000")], "Xác định khi giải quyết")
    expect(desk.locator("#obligation-total")).to_contain_text("350.000")
    assert_accessible(desk, what="the task page, the obligation form filled")
    desk.locator(".obligation-form button[type=submit]").click()
    expect(desk.locator("#obligation-state")).to_have_text("Chưa thanh toán")
    expect(desk.locator(".obligation-panel")).to_contain_text("Thuế thu nhập cá nhân")
    assert_accessible(desk, what="the task page, the obligation due")

    # The citizen sees the items and pays in the sandbox.
    citizen_signs_in(phone, stack)
    phone.goto(f"{stack.url}/#/dossiers/{code}")
    panel = phone.locator(".obligation-panel")
    expect(panel).to_contain_text("350.000")
    expect(panel).to_contain_text("Lệ phí đăng ký")
    assert_accessible(phone, what="the dossier page with an obligation due")
    panel.get_by_role("button", name="Thanh toán nghĩa vụ tài chính").click()
    expect(phone.locator("#amount")).to_have_text("350,000 VND")
    phone.get_by_role("button", name="Thanh toán thành công").click()
    expect(phone.locator("#payment-state")).to_have_attribute("data-shown", "paid")

    # The IPN resumed the dossier: in process again, the obligation paid.
    phone.get_by_role("link", name=code).click()
    expect(phone.locator("#obligation-state")).to_have_text("Đã thanh toán")
    expect(phone.locator("#obligation-pay")).to_have_count(0)
    assert_accessible(phone, what="the dossier page with the obligation paid")
    desk.reload()
    # In process again, the task open: the desk could ask anew.
    expect(desk.locator(".obligation-form")).to_have_count(1)
    expect(desk.locator("#obligation-state")).to_have_count(0)


def test_in_english_the_officer_cancels_and_the_dossier_resumes(stack: Stack, desk: Page) -> None:
    code = accepted_birth_registration(stack)
    officer_signs_in(desk, stack, stack.receiver_for(BIRTH_REGISTRATION))
    desk.get_by_role("button", name="EN", exact=True).click()
    expect(desk.locator("html")).to_have_attribute("lang", "en")
    desk.goto(f"{stack.url}/#/tasks/{code}-T1")

    ask(desk, [("Registration fee", "50000")], "Assessed during processing")
    desk.locator(".obligation-form textarea[name=reason]").fill("")
    desk.locator(".obligation-form button[type=submit]").click()
    expect(desk.locator(".obligation-form .field--error")).to_have_count(1)
    assert_accessible(desk, what="the obligation form with an error, in English")
    desk.locator(".obligation-form textarea[name=reason]").fill("Assessed during processing")
    desk.locator(".obligation-form button[type=submit]").click()
    expect(desk.locator("#obligation-state")).to_have_text("Not paid")

    desk.get_by_role("button", name="Cancel the request").click()
    expect(desk.locator(".obligation-form")).to_have_count(1)
    expect(desk.locator("#obligation-cancel")).to_have_count(0)
    assert_accessible(desk, what="the task page after the cancel, in English")
