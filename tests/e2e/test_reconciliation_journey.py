"""The daily reconciliation in Chromium on the local stack (docs/payments.md, "Reconciliation"): the
stack ran yesterday's at start, with the demo's payment the sandbox took and whose IPN never came; the
collecting agency's leader opens the report and the day's payments, in Vietnamese and English; axe on
each page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.e2e.support import assert_accessible, officer_signs_in, receiving_agency, staff_member

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

# The ward receives An's birth registration, whose financial obligation the demo paid yesterday.
WARD = receiving_agency("1.001193")
WORDS = {
    "vi": {
        "report": "Đối soát thanh toán",
        "kind": "Cổng đã thu, hệ thống chưa ghi nhận",
        "payments": "Các khoản thanh toán trong ngày",
        "pending": "Chờ thanh toán",
    },
    "en": {
        "report": "Payment reconciliation",
        "kind": "Paid at the gateway, not recorded here",
        "payments": "Payments of the day",
        "pending": "Waiting for payment",
    },
}


def _yesterday() -> str:
    return (datetime.now(UTC).astimezone(timezone(timedelta(hours=7))).date() - timedelta(days=1)).isoformat()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_leader_reads_the_days_report_and_its_payments(stack: Stack, desk: Page, language: str) -> None:
    words = WORDS[language]
    day = _yesterday()
    officer_signs_in(desk, stack, staff_member(WARD, "leader"))
    if language == "en":
        desk.get_by_role("button", name="EN", exact=True).click()
        expect(desk.locator("html")).to_have_attribute("lang", "en")

    # The report of yesterday: the payment whose IPN was lost, in plain words, and the counts.
    desk.goto(f"{stack.url}/#/payments/reconciliation?day={day}")
    expect(desk.get_by_role("heading", level=1)).to_have_text(words["report"])
    expect(desk.locator("#recon-count-paid_there_not_here")).to_have_text("1")
    expect(desk.locator("#recon-count-here_not_there")).to_have_text("0")
    row = desk.locator(".recon-table tbody tr", has_text=words["kind"])
    expect(row).to_have_count(1)
    dossier = row.get_by_role("link").inner_text()
    assert dossier
    assert_accessible(desk, what=f"the reconciliation report ({language})")

    # The day's payments: the same order, still waiting for its payment here.
    desk.goto(f"{stack.url}/#/payments?day={day}")
    expect(desk.get_by_role("heading", level=1)).to_have_text(words["payments"])
    line = desk.locator(".recon-table tbody tr", has_text=dossier)
    expect(line).to_contain_text(words["pending"])
    assert_accessible(desk, what=f"the payments of the day ({language})")
