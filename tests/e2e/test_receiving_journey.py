"""Receiving anywhere in the province, in the console: a department's procedure handed in at a ward's
desk; the ward's receiver accepts it, the department's officer issues the result and approves it, the
ward's desk returns it. Desk screens, both languages, axe on every page."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import DESK, watch
from tests.e2e.support import (
    assert_accessible,
    citizen_headers,
    citizen_signs_in,
    officer_signs_in,
    staff_member,
)
from tests.examples import EXAMPLES, PDF

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from playwright.sync_api import Browser, BrowserContext, Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

DELEGATION = "2.002151"  # the Department of Foreign Affairs' procedure, received at two wards' desks too
WARD, DEPARTMENT = "000.01.01.H99", "000.00.06.H99"
WARD_NAME, DEPARTMENT_NAME = "Phường Minh Họa", "Sở Ngoại vụ"
PAPERS = ("van_ban_de_nghi", "danh_sach_thanh_vien_doan", "chuong_trinh_lam_viec")


@pytest.fixture
def desks(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Opens one more desk PC (1366×768), each its own browser context: one officer each."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_desk() -> Page:
        context = browser.new_context(viewport=DESK, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return watch(context.new_page(), errors)

    yield open_desk
    for context in contexts:
        context.close()
    assert not errors, f"the console raised script errors or broke its security policy: {errors}"


def file_at_the_ward(stack: Stack) -> str:
    """The citizen files the department's procedure choosing the ward's desk (the portal's choice on
    the check page sends the same `desk`); returns the dossier code."""
    api, auth = f"{stack.url}/v1", citizen_headers(stack)
    attachments = []
    for paper in PAPERS:
        slot = requests.post(
            f"{api}/uploads",
            json={"filename": f"{paper}.pdf", "content_type": "application/pdf", "size": len(PDF)},
            headers=auth,
            timeout=10,
        ).json()
        posted = requests.post(
            slot["url"],
            data=slot["fields"],
            files={"file": (f"{paper}.pdf", PDF, "application/pdf")},
            timeout=10,
        )
        assert posted.ok, posted.text
        attachments.append({"upload_id": slot["upload_id"], "paper_code": paper})
    applicant = {
        "full_name": "Trần Thị Bình",
        "id_number": "001090012345",
        "phone": "0901234567",
        "address": "Số 1 Lê Lợi",
    }
    created = requests.post(
        f"{api}/dossiers",
        json={
            "procedure_code": DELEGATION,
            "applicant": applicant,
            "form": EXAMPLES[DELEGATION],
            "attachments": attachments,
            "desk": WARD,
        },
        headers=auth | {"Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["code"])


def switch_language(page: Page, to: str) -> None:
    page.get_by_role("button", name=to.upper(), exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", to)


def test_the_portal_offers_the_desks_that_may_receive_the_procedure(stack: Stack, desk: Page) -> None:
    citizen_signs_in(desk, stack)
    desk.goto(f"{stack.url}/#/file/{DELEGATION}?step=check")
    choice = desk.get_by_label("Nơi nộp hồ sơ và nhận kết quả")
    expect(choice).to_be_visible()
    expect(choice.locator("option")).to_have_text([DEPARTMENT_NAME, WARD_NAME, "Phường Bình An"])
    expect(choice).to_have_value(DEPARTMENT)  # the procedure's own agency unless the citizen chooses
    choice.select_option(label=WARD_NAME)
    assert_accessible(desk, what="the desk choice")
    switch_language(desk, "en")
    expect(desk.get_by_label("Where to hand in the dossier and collect the result")).to_have_value(WARD)
    assert_accessible(desk, what="the desk choice, in English")
    switch_language(desk, "vi")


def show_in_inbox(page: Page, code: str) -> None:
    """Follow the inbox's "More" until the dossier's task is shown (the inbox shows 20 a page, by
    due date: a shared stack's other dossiers may come first)."""
    link = page.locator(".task").get_by_role("link", name=code)
    more = page.locator("button.more")
    expect(page.locator(".task").first).to_be_visible()
    while link.count() == 0 and more.is_visible():
        shown = page.locator(".task").count()
        more.click()
        expect(page.locator(".task")).not_to_have_count(shown)


def open_from_inbox(page: Page, code: str) -> None:
    """Open the dossier's task from the inbox (`show_in_inbox`)."""
    show_in_inbox(page, code)
    page.locator(".task").get_by_role("link", name=code).click()


def test_a_ward_receives_the_department_decides_and_the_ward_returns(
    stack: Stack, desks: Callable[[], Page], shots: Path
) -> None:
    code = file_at_the_ward(stack)
    assert code.startswith(f"{WARD}-"), code  # the ward's code and sequence (Circular 01/2018)

    # The ward's receiver finds it in the ward's inbox and accepts it: it goes to the department
    ward = desks()
    officer_signs_in(ward, stack, stack.receivers[WARD])
    open_from_inbox(ward, code)
    expect(ward.get_by_role("heading", level=1)).to_contain_text(code)
    expect(ward.locator(".dossier-head")).to_contain_text(DEPARTMENT_NAME)  # the deciding agency
    assert_accessible(ward, what="the ward's desk task")
    ward.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(ward.locator(".dossier-head__status")).to_have_text("Đang xử lý")
    expect(ward.get_by_role("button", name="Phê duyệt", exact=True)).to_have_count(0)  # not the ward's
    expect(ward.get_by_role("heading", name="Ban hành kết quả")).to_have_count(0)

    # The department's officer has it, issues the signed result and approves it
    department = desks()
    officer_signs_in(department, stack, staff_member(DEPARTMENT, "officer"))
    open_from_inbox(department, code)
    expect(department.locator(".dossier-head__status")).to_have_text("Đang xử lý")
    expect(department.locator(".timeline")).to_contain_text(f"Chuyển đến {DEPARTMENT_NAME}")
    assert_accessible(department, what="the department's task")
    issue = department.locator("#issue-result")
    issue.get_by_label("Nội dung quyết định", exact=True).fill("Đồng ý cho đoàn vào làm việc tại tỉnh.")
    issue.get_by_role("button", name="Ký số và ban hành").click()
    done = issue.locator(".issue__done")
    expect(done).to_contain_text(f"{code}-KQ1", timeout=30_000)  # its first signature issues its certificate
    expect(done).to_contain_text(DEPARTMENT_NAME)  # signed by the department, not the ward
    department.get_by_role("button", name="Phê duyệt", exact=True).click()
    expect(department.locator(".dossier-head__status")).to_have_text("Đã xử lý xong")
    department.screenshot(path=str(shots / "anywhere-department.png"), full_page=True)

    # Back at the ward's desk, which returns it to the citizen; in English too
    ward.goto(f"{stack.url}/#/inbox")
    show_in_inbox(ward, code)
    back = ward.locator(".task", has=ward.get_by_role("link", name=code, exact=True))
    expect(back).to_contain_text("Đã xử lý xong")
    back.get_by_role("link", name=code, exact=True).click()
    expect(ward.locator(".timeline")).to_contain_text(f"Chuyển đến {WARD_NAME}")
    switch_language(ward, "en")
    expect(ward.locator(".dossier-head")).to_contain_text("Department of Foreign Affairs")
    expect(ward.locator(".timeline")).to_contain_text("Sent to Minh Hoa Ward")
    assert_accessible(ward, what="the ward's task, back from the department, in English")
    ward.get_by_role("button", name="Return the result", exact=True).click()
    expect(ward.locator(".dossier-head__status")).to_have_text("Result returned")
    switch_language(ward, "vi")
    ward.screenshot(path=str(shots / "anywhere-ward.png"), full_page=True)

    # The citizen's tracking shows it returned, and both hand-overs
    tracking = requests.get(f"{stack.url}/v1/tracking/{code}", timeout=10).json()
    assert tracking["status"] == 10
    sent = [(e["status"], e["agency"]) for e in tracking["timeline"] if e["action"] is None][1:]
    assert sent == [(4, DEPARTMENT), (9, WARD)]
    assert re.match(rf"^{re.escape(WARD)}-\d{{6}}-\d{{4}}$", tracking["code"])
