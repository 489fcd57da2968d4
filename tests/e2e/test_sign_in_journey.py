"""Signing in as people do on AWS: an officer's first sign-in (new password, authenticator app set up
from the QR code, then its code at each sign-in), and a citizen's sign-up with a phone number and
reset of a forgotten password, in a real browser on the local stack's Cognito."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.support import an_admin_creates_an_officer, fresh_code

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

CODE_RE = re.compile(r"moto-confirmation-code:\d{6}")


def staff_password_step(page: Page, username: str, password: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_a_new_officer_sets_a_password_and_an_authenticator_then_signs_in_with_its_code(
    stack: Stack, phones: Callable[[], Page], shots: Path
) -> None:
    # Given an officer an administrator has just created, with a temporary password
    username, temporary, chosen = "tam.dm", "Tam-thoi-2026", "so tay cua tam 2026"
    an_admin_creates_an_officer(stack, username, temporary)
    page = phones()
    page.goto(f"{stack.url}/#/staff")

    # When they sign in, they are asked for a password of their own (checked for length first)
    staff_password_step(page, username, temporary)
    expect(page.get_by_role("heading", level=1)).to_have_text("Chọn mật khẩu mới")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    page.get_by_label("Mật khẩu mới", exact=True).fill("ngan")
    page.get_by_label("Nhập lại mật khẩu mới").fill("ngan")
    page.get_by_role("button", name="Lưu mật khẩu").click()
    expect(page.locator(".error-summary")).to_contain_text("ít nhất 10 ký tự")
    page.get_by_label("Mật khẩu mới", exact=True).fill(chosen)
    page.get_by_label("Nhập lại mật khẩu mới").fill(chosen)
    page.get_by_role("button", name="Lưu mật khẩu").click()

    # Then to set up an authenticator app: a QR code to scan and the secret to type
    expect(page.get_by_role("heading", level=1)).to_have_text("Cài đặt ứng dụng xác thực")
    qr = page.get_by_role("img", name="Mã QR để thêm tài khoản vào ứng dụng xác thực")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code did not render"
    shown = page.locator(".mfa-secret").inner_text()
    secret = shown.replace(" ", "")
    assert re.fullmatch(r"[A-Za-z2-7]{16,}", secret), shown  # base32 (moto's fixed secret is lower case)
    page.screenshot(path=str(shots / "staff-mfa-setup.png"), full_page=True)
    # A wrong code is refused with its reason; the app's code signs them in, with the keyboard alone
    page.get_by_label("Mã 6 chữ số").fill("000000")
    page.get_by_label("Mã 6 chữ số").press("Enter")
    expect(page.locator(".error-summary")).to_contain_text("không đúng")
    page.get_by_label("Mã 6 chữ số").fill(fresh_code(secret))
    page.get_by_label("Mã 6 chữ số").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hộp công việc")
    expect(page.locator("#userbar")).to_contain_text("Đỗ Minh Tâm")

    # And the next sign-in, elsewhere, asks for the app's code after the password
    again = phones()
    again.goto(f"{stack.url}/#/staff")
    staff_password_step(again, username, chosen)
    expect(again.get_by_role("heading", level=1)).to_have_text("Mã xác thực")
    again.get_by_label("Mã 6 chữ số").fill(fresh_code(secret))
    again.get_by_role("button", name="Đăng nhập").click()
    expect(again.get_by_role("heading", level=1)).to_have_text("Hộp công việc")


def outbox_code(stack: Stack, to: str) -> str:
    """The password-reset code the local stack's outbox shows for `to` (on AWS: an SMS from Cognito)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        messages = requests.get(f"{stack.url}/v1/dev/outbox", params={"to": to}, timeout=10).json()[
            "messages"
        ]
        found = [CODE_RE.search(m["body"]) for m in messages]
        codes = [m.group(0) for m in found if m]
        if codes:
            return codes[0]
        time.sleep(0.5)
    raise AssertionError(f"no reset code for {to} in the outbox")


def test_a_citizen_signs_up_with_a_phone_number_and_resets_a_forgotten_password(
    stack: Stack, phones: Callable[[], Page], shots: Path
) -> None:
    page = phones()
    number, e164 = "0388 123 456", "+84388123456"

    # Given a citizen who signs up with their mobile number, written the way people write it
    page.goto(f"{stack.url}/#/sign-up")
    page.get_by_label("Họ và tên").fill("Vũ Thị Hoa")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill(number)
    page.get_by_label("Mật khẩu", exact=True).fill("hoa sen ho tay")  # a phrase: no digits or capitals asked
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận tài khoản")
    expect(page.locator("main")).to_contain_text(f"Nếu số {e164} chưa có tài khoản")
    # (the local stack's Cognito confirms a sign-up with any code: docs/sign-in.md)
    page.get_by_label("Mã xác nhận").fill("123456")
    page.get_by_role("button", name="Xác nhận").click()

    # When they sign in with the number
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    expect(page.get_by_label("Thư điện tử hoặc số điện thoại")).to_have_value(e164)
    page.get_by_label("Mật khẩu", exact=True).fill("hoa sen ho tay")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#userbar")).to_contain_text("Vũ Thị Hoa")

    # Then, on another phone, having forgotten the password, they ask for a code by SMS
    other = phones()
    other.goto(f"{stack.url}/#/sign-in")
    other.get_by_role("link", name="Quên mật khẩu?").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Đặt lại mật khẩu")
    other.get_by_label("Thư điện tử hoặc số điện thoại").fill(number)
    other.get_by_role("button", name="Gửi mã").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Nhập mã và mật khẩu mới")
    code = outbox_code(stack, e164)
    # A wrong code changes nothing; the code sent, with a new password, does
    other.get_by_label("Mã xác nhận").fill("moto-confirmation-code:000000")
    other.get_by_label("Mật khẩu mới").fill("ho guom mua thu")
    other.get_by_role("button", name="Đặt mật khẩu mới").click()
    expect(other.locator(".error-summary")).to_be_visible()
    other.get_by_label("Mã xác nhận").fill(code)
    other.get_by_role("button", name="Đặt mật khẩu mới").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    other.screenshot(path=str(shots / "citizen-password-reset.png"), full_page=True)

    # And the old password no longer signs in; the new one does
    other.get_by_label("Mật khẩu", exact=True).fill("hoa sen ho tay")
    other.get_by_role("button", name="Đăng nhập").click()
    expect(other.locator(".error-summary")).to_contain_text("Sai tên đăng nhập hoặc mật khẩu")
    other.get_by_label("Mật khẩu", exact=True).fill("ho guom mua thu")
    other.get_by_role("button", name="Đăng nhập").click()
    expect(other.locator("#userbar")).to_contain_text("Vũ Thị Hoa")
