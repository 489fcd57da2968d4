"""Refunds in a real browser on the local stack: a driving licence renewal paid in the sandbox gateway and
refused by the desk; the desk refunds its fee from the dossier's page in Vietnamese (the reason asked
for, then a confirmation), the citizen sees it refunded in English; axe on each state
(docs/payments.md, "Refunds")."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.support import (
    assert_accessible,
    citizen_signs_in,
    driving_licence_through_api,
    officer_signs_in,
    payment_through_api,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.support import Person, Stack

pytestmark = pytest.mark.e2e
DRIVING_LICENCE = "3.000347"


def refused_through_api(stack: Stack, desk: Person, code: str) -> None:
    tokens = requests.post(
        f"{stack.url}/v1/auth/staff/sign-in",
        json={"username": desk.username, "password": desk.password},
        timeout=10,
    ).json()
    answer = requests.post(
        f"{stack.url}/v1/tasks/{code}-T1/decision",
        json={"action": "refuse", "reason": "Thiếu giấy khám sức khỏe"},
        headers={"Authorization": f"Bearer {tokens['id_token']}"},
        timeout=10,
    )
    assert answer.ok, answer.text


def test_the_desk_refunds_a_refused_dossiers_fee_and_the_citizen_sees_it_refunded(
    stack: Stack, phone: Page, desk: Page
) -> None:
    code = driving_licence_through_api(stack)
    payment_through_api(stack, code, "success")
    officer = stack.receiver_for(DRIVING_LICENCE)
    refused_through_api(stack, officer, code)

    # The desk, in Vietnamese: the payment, and "Hoàn phí" asking for a reason, then a confirmation.
    officer_signs_in(desk, stack, officer)
    desk.goto(f"{stack.url}/#/dossiers/{code}")
    panel = desk.locator(".refunds-panel")
    expect(panel.get_by_role("heading", name="Thanh toán và hoàn phí")).to_be_visible()
    panel.get_by_role("button", name="Hoàn phí").click()
    panel.get_by_role("button", name="Tiếp tục").click()
    expect(panel.locator("[aria-invalid=true]")).to_be_visible()
    assert_accessible(desk, what="the refund form with its error")
    panel.get_by_label("Lý do hoàn phí").fill("Hồ sơ không được tiếp nhận: hoàn lệ phí")
    panel.get_by_role("button", name="Tiếp tục").click()
    expect(panel.locator(".refund-confirm")).to_contain_text("135.000")
    assert_accessible(desk, what="the refund's confirmation")
    panel.get_by_role("button", name="Xác nhận hoàn phí").click()
    expect(panel.locator(".refund-state")).to_have_attribute("data-state", "done")
    expect(panel.locator("#refunded-total")).to_contain_text("135.000")
    expect(panel.get_by_role("button", name="Hoàn phí")).to_have_count(0)  # once

    # The citizen, in English: the dossier's page says refunded, with the amount.
    citizen_signs_in(phone, stack)
    phone.evaluate("localStorage.setItem('motcua.lang', 'en')")
    phone.goto(f"{stack.url}/#/dossiers/{code}")
    phone.reload()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    seen = phone.locator(".refunds-panel")
    expect(seen.get_by_role("heading", name="Payments and refunds")).to_be_visible()
    expect(seen.locator(".refund-state")).to_have_text("Refunded")
    expect(seen.locator("#refunded-total")).to_contain_text("Refunded")
    expect(seen.get_by_role("button", name="Refund")).to_have_count(0)  # the applicant never refunds
    assert_accessible(phone, what="the citizen's refunded dossier, in English")
