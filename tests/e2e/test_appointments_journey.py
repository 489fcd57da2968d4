"""Appointments in Chromium: book a slot on a phone, the booking in the outbox, cancel one, check in at the
kiosk and get a queue ticket; in Vietnamese and English, with axe on each page.

Nothing depends on the hour or the day the test runs: the booking page offers the days from tomorrow
on (there always are some), and the booking checked in at the kiosk is put in the table for the slot
running now (as if booked yesterday), since the kiosk's window is the only thing that depends on the
clock and the portal books from tomorrow only. An appointment's queue ticket is issued whatever the
centre's hours (its window decides), so the check-in works at night and on Sundays too.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from datetime import UTC, datetime, timedelta

import boto3
import requests
from playwright.sync_api import Page, expect

from infra.devstack.config import REGION
from motcua.adapters.appointments import DynamoAppointmentBook
from motcua.domain.appointments import CODE_ALPHABET, CODE_LENGTH, Booking
from tests.e2e.support import Stack, assert_accessible, citizen_headers, citizen_signs_in, open_menu_item

OUTBOX_WAIT_MS = 20_000  # the booking's email goes out through the local stack's stream and queue


def _book_table(stack: Stack) -> DynamoAppointmentBook:
    client = boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=stack.moto_url,
        aws_access_key_id="motcua-local",
        aws_secret_access_key="motcua-local",
    )
    table = next(name for name in client.list_tables()["TableNames"] if name.startswith("motcua-demo"))
    return DynamoAppointmentBook(client, table)


def _citizen_sub(stack: Stack) -> str:
    token = citizen_headers(stack)["Authorization"].removeprefix("Bearer ")
    claims = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["sub"])


def a_booking_of_the_slot_running_now(stack: Stack) -> str:
    """Given a booking, made earlier, whose slot runs now: its code."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    booking = Booking(
        code=code,
        owner=_citizen_sub(stack),
        name=stack.citizen.name,
        centre="tinh",
        service="B",
        start=now - timedelta(minutes=5),
        end=now + timedelta(minutes=10),
        booked_at=now - timedelta(days=1),
    )
    _book_table(stack).book(booking, capacity=50, expires_at=now + timedelta(days=1))
    return code


def test_a_citizen_books_on_a_phone_gets_the_message_and_checks_in_at_the_kiosk(
    stack: Stack, phone: Page
) -> None:
    # Given the demo citizen, signed in on a phone
    citizen_signs_in(phone, stack)
    # When they open "Đặt lịch hẹn" and choose the police service on the first day offered
    open_menu_item(phone, "Đặt lịch hẹn")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Đặt lịch hẹn tại trung tâm")
    phone.get_by_label("Dịch vụ").select_option("B")
    expect(phone.locator(".appt-slot").first).to_be_visible()
    assert_accessible(phone, what="the booking page on a phone")
    # Booking without a slot says to choose one
    phone.get_by_role("button", name="Đặt lịch").click()
    expect(phone.locator(".appt-message .notice")).to_contain_text("Vui lòng chọn một khung giờ còn chỗ")
    free = phone.locator(".appt-slot:not(.appt-slot--full) label").first
    chosen = free.locator(".appt-slot__time").inner_text()
    free.click()
    phone.get_by_role("button", name="Đặt lịch").click()
    # Then the booking is confirmed with its code, time and place
    expect(phone.get_by_role("heading", level=1)).to_have_text("Đã đặt lịch hẹn")
    code = phone.locator(".appt__code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{8}", code), code
    expect(phone.locator("#main")).to_contain_text(chosen)
    expect(phone.locator("#main")).to_contain_text("Số 1 đường Trần Hưng Đạo")
    assert_accessible(phone, what="the booking confirmed")

    # The demo outbox has its email (with the QR) and its SMS
    phone.goto(f"{stack.url}/#/outbox?code={code}")
    email = phone.locator(".msg--email", has_text=code).first
    expect(email).to_be_visible(timeout=OUTBOX_WAIT_MS)
    expect(email.frame_locator("iframe.msg__html").locator("img[alt^='QR']")).to_be_visible()
    expect(phone.locator(".msg--sms", has_text=code).first).to_be_visible(
        timeout=OUTBOX_WAIT_MS
    )  # sent apart from the email

    # My appointments lists it; the citizen cancels it and its place is free again
    phone.goto(f"{stack.url}/#/me/appointments")
    card = phone.locator(".appt-card", has_text=code)
    expect(card).to_contain_text("Đã đặt")
    assert_accessible(phone, what="my appointments")
    card.get_by_role("button", name=f"Huỷ lịch hẹn {code}").click()
    expect(phone.locator(".appt-card", has_text=code)).to_contain_text("Đã huỷ")
    expect(phone.locator(".appt-message")).to_contain_text(f"Đã huỷ lịch hẹn {code}")

    # At the kiosk (no sign-in), a booking whose slot runs now checks in and gets a queue ticket
    now_code = a_booking_of_the_slot_running_now(stack)
    kiosk = phone.context.new_page()
    kiosk.goto(f"{stack.url}/#/kiosk/tinh")
    kiosk.get_by_role("link", name="Tôi có lịch hẹn").click()
    expect(kiosk.get_by_role("heading", level=1)).to_have_text("Xác nhận có mặt theo lịch hẹn")
    kiosk.get_by_label("Mã lịch hẹn").fill(f"{stack.url}/#/checkin/{now_code}")  # what the QR holds
    kiosk.get_by_role("button", name="Xác nhận có mặt").click()
    expect(kiosk.locator(".checkin__big")).to_have_text(re.compile(r"Số thứ tự của bạn: B-\d{3}"))
    assert_accessible(kiosk, what="the kiosk's check-in done")
    # Once only
    kiosk.get_by_label("Mã lịch hẹn").fill(now_code)
    kiosk.get_by_role("button", name="Xác nhận có mặt").click()
    expect(kiosk.locator(".checkin__result .notice--error")).to_contain_text("đã xác nhận có mặt")
    answer = requests.get(
        f"{stack.url}/v1/me/appointments", headers=citizen_headers(stack), timeout=10
    ).json()
    checked = next(b for b in answer["items"] if b["code"] == now_code)
    assert checked["state"] == "checked_in"
    assert checked["ticket"].startswith("B-")
    kiosk.close()


def test_in_english_the_booking_page_and_the_kiosk_speak_english(stack: Stack, phone: Page) -> None:
    citizen_signs_in(phone, stack)
    phone.evaluate("() => localStorage.setItem('motcua.lang', 'en')")
    phone.goto(f"{stack.url}/?lang=en#/appointments")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Book an appointment at a centre")
    expect(phone.locator(".appt-slot").first).to_be_visible()
    expect(phone.locator(".appt-slot__free").first).to_have_text(re.compile(r"places? left|full"))
    assert_accessible(phone, what="the booking page in English")
    phone.goto(f"{stack.url}/?lang=en#/checkin/ZZZZ2345")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Check in for an appointment")
    phone.get_by_role("button", name="Check in").click()
    expect(phone.locator(".checkin__result .notice--error")).to_contain_text("was found")
    assert_accessible(phone, what="the kiosk's check-in, an unknown code, in English")
