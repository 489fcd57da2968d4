"""Payment receipts in a real browser on the local stack: a fee paid in the sandbox gateway gives a
receipt listed on the dossier page, downloaded as a PDF by the citizen (Vietnamese) and by the desk
(English); axe on the page that lists it (docs/payments.md)."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.support import (
    assert_accessible,
    citizen_signs_in,
    driving_licence_through_api,
    officer_signs_in,
)

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Locator, Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e


def download(page: Page, button: Locator, path: Path) -> str:
    """Tap the receipt's download button; the text of the PDF the browser saved."""
    with page.expect_download() as info:
        button.click()
    info.value.save_as(path)
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF-")
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_the_citizen_pays_and_downloads_the_receipt_and_the_desk_downloads_it_in_english(
    stack: Stack, phone: Page, desk: Page, tmp_path: Path
) -> None:
    code = driving_licence_through_api(stack)
    citizen_signs_in(phone, stack)
    phone.goto(f"{stack.url}/#/dossiers/{code}")
    expect(phone.locator("#fee-state")).to_have_text("Chưa thanh toán")

    phone.locator(".fee-panel").get_by_role("button", name="Thanh toán trực tuyến").click()
    phone.get_by_role("button", name="Thanh toán thành công").click()
    expect(phone.locator("#payment-state")).to_have_attribute("data-shown", "paid")
    phone.get_by_role("link", name=code).click()

    panel = phone.locator(".payment-receipts")
    expect(panel.get_by_role("heading", name="Biên lai thanh toán")).to_be_visible()
    expect(panel).to_contain_text("135.000")
    assert_accessible(phone, what="the dossier page with its payment receipt")
    text = download(phone, panel.get_by_role("button", name=re.compile("^Tải biên lai")), tmp_path / "vi.pdf")
    for part in ("BIÊN LAI THU PHÍ, LỆ PHÍ", "135.000 VND", "Một trăm ba mươi lăm nghìn đồng", code):
        assert part in text, part

    officer_signs_in(desk, stack, stack.receiver_for("3.000347"))
    desk.get_by_role("button", name="EN", exact=True).click()
    expect(desk.locator("html")).to_have_attribute("lang", "en")
    desk.goto(f"{stack.url}/#/dossiers/{code}")
    panel = desk.locator(".payment-receipts")
    expect(panel.get_by_role("heading", name="Payment receipts")).to_be_visible()
    assert_accessible(desk, what="the desk's dossier page with its payment receipt, in English")
    text = download(
        desk, panel.get_by_role("button", name=re.compile("^Download the receipt")), tmp_path / "en.pdf"
    )
    assert "RECEIPT OF FEES AND CHARGES" in text and "Một trăm ba mươi lăm nghìn đồng" in text
