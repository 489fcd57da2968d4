"""The online-payment indicator on the leaders' dashboard (#/stats, Decision 766 section), on the local
stack's real counters: two driving licence renewals filed online, one paid in the sandbox gateway; the
row says the API's rate, in Vietnamese on a desk and in English on a phone (docs/indicators.md)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.support import (
    DRIVING_LICENCE,
    assert_accessible,
    driving_licence_through_api,
    officer_signs_in,
    payment_through_api,
    receiving_agency,
    staff_member,
)
from tests.e2e.test_statistics_dashboard import (
    COUNTED_WITHIN_S,
    count_vi,
    rate_en,
    rate_vi,
    staff_headers,
    this_month,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e


def payment_rate(stack: Stack, headers: dict[str, str], month: str, language: str = "vi") -> dict[str, Any]:
    answer = requests.get(
        f"{stack.url}/v1/statistics/indicators",
        params={"from": month, "to": month},
        headers=headers | {"Accept-Language": language},
        timeout=10,
    )
    assert answer.ok, answer.text
    return next(item for item in answer.json()["items"] if item["key"] == "online_payment_rate")


def test_the_fees_paid_online_show_on_the_dashboard_as_the_api_counts_them(
    stack: Stack, desk: Page, phone: Page
) -> None:
    leader = staff_member(receiving_agency(DRIVING_LICENCE), "leader")
    auth, month = staff_headers(stack, leader), this_month()
    before = payment_rate(stack, auth, month)
    assert before["held"] is True

    # Two renewals filed online this month, one of them paid in the sandbox (its IPN marks the fee paid)
    paid = driving_licence_through_api(stack)
    driving_licence_through_api(stack)
    payment_through_api(stack, paid, "success")
    deadline = time.monotonic() + COUNTED_WITHIN_S
    while True:
        now = payment_rate(stack, auth, month)
        if (now["denominator"], now["numerator"]) >= (before["denominator"] + 2, before["numerator"] + 1):
            break
        assert time.monotonic() < deadline, f"the counters did not count the fees within {COUNTED_WITHIN_S} s"
        time.sleep(0.5)
    assert now["value"] is not None and now["value"] > 0

    # The leader's dashboard says the API's rate and fraction, with its definition one click away
    officer_signs_in(desk, stack, leader)
    desk.goto(f"{stack.url}/#/stats?from={month}&to={month}")
    row = desk.locator("#stats-ind-section tr[data-key=online_payment_rate]")
    expect(row.locator("td").nth(1)).to_have_text(rate_vi(now["value"]))
    expect(row.locator("td").nth(2)).to_have_text(
        f"{count_vi(now['numerator'])} / {count_vi(now['denominator'])}"
    )
    row.get_by_text("Định nghĩa").click()
    expect(row.locator("details dd").nth(1)).to_have_text(now["clause"])
    assert_accessible(desk, what="the dashboard with fees paid online")

    # In English on a phone: the same numbers
    officer_signs_in(phone, stack, leader)
    phone.locator(".lang__btn[data-lang=en]").click()
    phone.goto(f"{stack.url}/#/stats?from={month}&to={month}")
    english = payment_rate(stack, auth, month, "en")
    row = phone.locator("#stats-ind-section tr[data-key=online_payment_rate]")
    expect(row.locator("th")).to_contain_text("Fees paid online")
    expect(row.locator("td").nth(1)).to_have_text(rate_en(english["value"]))
    expect(row.locator("td").nth(2)).to_have_text(f"{english['numerator']:,} / {english['denominator']:,}")
    assert_accessible(phone, what="the dashboard with fees paid online, in English on a phone")
