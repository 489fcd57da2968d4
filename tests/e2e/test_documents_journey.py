"""Documents in a real browser: the citizen's receipt (Mẫu 01) as a PDF, the filing email in the demo
outbox, a result the ward renders and signs, and anyone's verification of it, genuine and tampered."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.e2e.support import (
    BIRTH_REGISTRATION,
    attach,
    citizen_signs_in,
    file_dossier,
    fill_birth_registration,
    officer_signs_in,
    open_menu_item,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Locator, Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

RESULT_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}-KQ1$")
VALID = re.compile(r"^Hợp lệ — ký bởi Phường Minh Họa, lúc \d{2}:\d{2} \d{2}/\d{2}/\d{4}$")
DOWNLOAD = re.compile("^Tải về")  # the button; its accessible name goes on with the document's
OPEN = re.compile("^Xem trong thẻ mới")
SUMMARY = "Đồng ý đăng ký khai sinh cho cháu Nguyễn Minh Khang."
OUTBOX_WAIT_MS = 20_000  # the filing email goes out through the local stack's queue


def download(page: Page, button: Locator, folder: Path, name: str) -> bytes:
    """Tap a "Tải về" button and return the bytes the browser saved."""
    with page.expect_download() as info:
        button.click()
    path = folder / name
    info.value.save_as(path)
    return path.read_bytes()


def tampered(pdf: bytes) -> bytes:
    """The file with one byte flipped in its middle, inside what the signature covers.

    The signature's own /Contents (the gap in /ByteRange) is not signed: a flip there would not be
    tampering with the document, so the middle of the file must fall outside it.
    """
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert found, "the result carries no signature (/ByteRange)"
    gap_start = int(found[1]) + int(found[2])
    gap_end = int(found[3])
    middle = len(pdf) // 2
    assert not gap_start <= middle < gap_end, "the middle of this PDF is its signature; pick another byte"
    copy = bytearray(pdf)
    copy[middle] ^= 0x01
    return bytes(copy)


def test_a_signed_result_reaches_the_citizen_and_anyone_can_verify_it(
    stack: Stack, phones: Callable[[], Page], pdf_file: Path, tmp_path: Path, shots: Path
) -> None:
    citizen = phones()
    # Given a citizen who files a birth registration on a phone
    citizen_signs_in(citizen, stack)
    citizen.goto(f"{stack.url}/#/file/{BIRTH_REGISTRATION}")
    fill_birth_registration(citizen)
    attach(citizen, "Giấy chứng sinh hoặc văn bản xác nhận việc sinh", pdf_file)
    file_dossier(citizen)
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Giấy tiếp nhận hồ sơ")
    code = citizen.locator("#receipt-code").inner_text().strip()

    # The receipt page offers Mẫu 01 as a PDF to its owner
    button = citizen.get_by_role("button", name="Tải giấy tiếp nhận (PDF)")
    receipt = download(citizen, button, tmp_path, "receipt.pdf")
    assert receipt.startswith(b"%PDF-"), receipt[:40]

    # The demo outbox (linked in the menu on the local stack) shows the email that says it was filed
    open_menu_item(citizen, "Hộp thư thử nghiệm")
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Hộp thư thử nghiệm")
    citizen.get_by_label("Lọc theo mã hồ sơ").fill(code)
    citizen.get_by_role("button", name="Lọc", exact=True).click()
    email = citizen.locator(".msg--email").first
    expect(email).to_be_visible(timeout=OUTBOX_WAIT_MS)  # refreshed every 5 s until it arrives
    expect(email).to_contain_text(stack.citizen.username)
    expect(email).to_contain_text(code)
    # its HTML in a frame of its own, under a policy that lets an email's inline styles apply
    expect(email.frame_locator("iframe.msg__html").locator("body")).to_contain_text(code)
    citizen.screenshot(path=str(shots / "outbox.png"), full_page=True)

    # The dossier page lists its documents; the receipt downloads as a PDF
    citizen.goto(f"{stack.url}/#/dossiers/{code}")
    documents = citizen.get_by_role("region", name="Giấy tờ", exact=True)
    receipt_row = documents.locator(".doc", has_text="Mẫu 01")
    expect(receipt_row).to_contain_text("Giấy tiếp nhận hồ sơ")
    receipt = download(citizen, receipt_row.get_by_role("button", name=DOWNLOAD), tmp_path, "mau01.pdf")
    assert receipt.startswith(b"%PDF-"), receipt[:40]
    expect(receipt_row.get_by_role("link", name=OPEN)).to_have_attribute("href", re.compile("^blob:"))
    expect(documents.locator(".doc--result")).to_have_count(0)

    # When the ward's desk accepts it, and its processing officer issues a result the platform draws
    # and signs, and approves it
    desk = phones()
    officer_signs_in(desk, stack, stack.receiver_for(BIRTH_REGISTRATION))
    desk.locator(".task").get_by_role("link", name=code).click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text(code)
    expect(desk.get_by_role("heading", name="Ban hành kết quả")).to_have_count(0)  # not while it is new
    desk.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(desk.locator(".dossier-head__status")).to_have_text("Đang xử lý")
    expect(desk.get_by_role("heading", name="Ban hành kết quả")).to_have_count(0)  # not the desk's to issue
    expect(desk.get_by_role("button", name="Phê duyệt", exact=True)).to_have_count(0)  # nor to decide
    officer = phones()
    officer_signs_in(officer, stack, stack.officer_for(BIRTH_REGISTRATION))
    officer.locator(".task").get_by_role("link", name=code).click()
    expect(officer.locator(".dossier-head__status")).to_have_text("Đang xử lý")
    issue = officer.locator("#issue-result")
    expect(issue.get_by_role("heading", name="Ban hành kết quả")).to_be_visible()
    issue.get_by_role("button", name="Ký số và ban hành").click()
    expect(issue.get_by_role("alert")).to_contain_text("Vui lòng nhập nội dung quyết định")
    issue.get_by_label("Nội dung quyết định", exact=True).fill(SUMMARY)
    issue.get_by_role("button", name="Ký số và ban hành").click()
    done = issue.locator(".issue__done")
    expect(done).to_contain_text(f"Đã ban hành kết quả {code}-KQ1")
    expect(done).to_contain_text("Phường Minh Họa")  # the signer: the ward
    result_code = done.locator(".code").first.inner_text().strip()
    assert RESULT_CODE.match(result_code), result_code
    officer.screenshot(path=str(shots / "result-issued.png"), full_page=True)
    officer.get_by_role("button", name="Phê duyệt", exact=True).click()
    expect(officer.locator(".dossier-head__status")).to_have_text("Đã xử lý xong")

    # Then the citizen finds the signed result among the documents, first
    citizen.reload()
    result_row = documents.locator(".doc--result")
    expect(result_row).to_contain_text(result_code)
    expect(result_row).to_contain_text("Kết quả đã ký số — kiểm tra tại trang Xác minh")
    expect(documents.locator(".doc").first).to_have_class(re.compile(r"\bdoc--result\b"))
    signed = download(citizen, result_row.get_by_role("button", name=DOWNLOAD), tmp_path, "kq1.pdf")
    assert signed.startswith(b"%PDF-"), signed[:40]
    citizen.screenshot(path=str(shots / "documents.png"), full_page=True)

    # And anyone, signed in or not, finds it valid by its code from the verify page
    checker = phones()
    checker.goto(f"{stack.url}/")
    open_menu_item(checker, "Xác minh kết quả")
    expect(checker.get_by_role("heading", level=1)).to_have_text("Xác minh kết quả")
    checker.get_by_label("Mã kết quả", exact=True).fill(result_code)
    checker.get_by_role("button", name="Kiểm tra mã").click()
    verdict = checker.locator(".verify__verdict")
    expect(verdict.get_by_role("heading")).to_have_text(VALID)
    expect(verdict.locator(".checks__item--ok")).to_have_count(4)
    expect(verdict.locator(".facts__row", has_text="Mã kết quả")).to_contain_text(result_code)  # the API's
    checker.screenshot(path=str(shots / "verify-valid.png"), full_page=True)

    # But a copy with one byte changed is not
    copy = tmp_path / "kq1-sua.pdf"
    copy.write_bytes(tampered(signed))
    checker.get_by_label("Tệp PDF kết quả", exact=True).set_input_files(copy)
    checker.get_by_role("button", name="Kiểm tra tệp").click()
    expect(verdict.get_by_role("heading")).to_have_text("Không hợp lệ")
    expect(verdict.locator(".verify__problem")).not_to_be_empty()
    intact = verdict.locator(".checks__item", has_text="Nội dung còn nguyên vẹn như lúc ký")
    expect(intact).to_have_class(re.compile(r"\bchecks__item--fail\b"))
    checker.screenshot(path=str(shots / "verify-tampered.png"), full_page=True)
