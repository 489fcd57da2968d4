"""Một cửa liên thông in a real browser: a business registration goes from the Finance desk through
Finance's and the tax office's steps and back to the desk; the citizen, the control slip (Mẫu 05)
and the audit trail show each hand-over."""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.e2e.support import (
    BIRTH_REGISTRATION,
    BUSINESS_REGISTRATION,
    PDF,
    attach,
    birth_registration_through_api,
    citizen_signs_in,
    file_dossier,
    officer_signs_in,
    open_menu_item,
    staff_member,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Locator, Page, Route

    from tests.e2e.support import Person, Stack

pytestmark = pytest.mark.e2e

FINANCE = "000.00.01.H99"  # Sở Tài chính: receives 2.001610, and checks it as step 1.1
TAX = "000.00.20.H99"  # Thuế tỉnh Minh Họa: issues the tax code as step 2.1
PROVINCE_OFFICE = "000.00.00.H99"  # the province's People's Committee: the administrator's agency
STEP_WAIT_S = 20  # how long a flow's message may take to reach an inbox on the local stack
TIMELINESS = re.compile(r"Sớm hạn|Đúng hạn|Quá hạn")


def reload_until_visible(page: Page, locator: Locator, *, seconds: float = STEP_WAIT_S) -> None:
    """Reload the page (an inbox) until `locator` shows: the flow's steps arrive asynchronously."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            expect(locator).to_be_visible(timeout=2_000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.reload()


def file_business_registration(page: Page, stack: Stack, tmp_path: Path) -> str:
    """The citizen files 2.001610 on a phone with its two PDFs; returns the dossier code."""
    citizen_signs_in(page, stack)
    page.goto(f"{stack.url}/#/file/{BUSINESS_REGISTRATION}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nộp hồ sơ trực tuyến")
    page.get_by_label("Số căn cước (CCCD)").fill("001090012345")
    page.get_by_label("Địa chỉ liên hệ").fill("Số 25 đường Trần Phú, phường Minh Họa")
    page.get_by_label("Tên doanh nghiệp bằng tiếng Việt").fill("Doanh nghiệp tư nhân Minh An")
    page.get_by_label("Địa chỉ trụ sở chính").fill("Số 8 đường Lê Lợi, phường Minh Họa")
    page.get_by_label("Ngành, nghề kinh doanh (mã ngành cấp 4)").fill("4711\n5610")
    page.get_by_label("Vốn đầu tư của chủ doanh nghiệp (đồng)").fill("500000000")
    page.get_by_label("Phương pháp tính thuế giá trị gia tăng").select_option("Khấu trừ")
    application, identity = tmp_path / "giay-de-nghi.pdf", tmp_path / "can-cuoc.pdf"
    application.write_bytes(PDF)
    identity.write_bytes(PDF)
    attach(page, "Giấy đề nghị đăng ký doanh nghiệp tư nhân", application)
    attach(page, "Bản sao giấy tờ pháp lý của chủ doanh nghiệp (căn cước hoặc hộ chiếu)", identity)
    file_dossier(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy tiếp nhận hồ sơ")
    code = page.locator("#receipt-code").inner_text().strip()
    assert code.startswith(f"{FINANCE}-"), code
    return code


def card_of(page: Page, code: str, kind: str) -> Locator:
    """The inbox card of `code`: the desk's (kind "desk") or a flow step's (kind "step")."""
    return page.locator(f".task.task--{kind}", has=page.get_by_role("link", name=code, exact=True))


def approve_step(page: Page, code: str, step: str, name: str, days: str, shot: Path | None = None) -> None:
    """In the inbox of the step's agency: wait for the step, check what it says, approve it."""
    card = card_of(page, code, "step")
    reload_until_visible(page, card)
    expect(card.locator(".task__kind")).to_contain_text(f"Bước {step} — {name}")
    expect(card.locator(".task__kind")).to_contain_text(days)
    if shot:
        page.screenshot(path=str(shot), full_page=True)
    card.get_by_role("link", name=code, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(page.locator(".task-facts")).to_contain_text(days)
    if shot:
        page.screenshot(path=str(shot.with_name("task-step.png")), full_page=True)
    # A step offers its own decisions, forwarding among them
    decision = page.locator("#decision")
    for label in ("Phê duyệt", "Yêu cầu bổ sung", "Dừng xử lý", "Chuyển xử lý"):
        expect(decision.get_by_role("button", name=label, exact=True)).to_be_visible()
    decision.get_by_role("button", name="Phê duyệt", exact=True).click()
    expect(page.locator("#status")).to_contain_text("Đã ghi nhận")
    expect(page.locator(".task-facts")).to_contain_text(TIMELINESS)
    expect(page.get_by_text("Công việc này không còn thao tác nào.")).to_be_visible()
    expect(page.get_by_role("button", name="Phê duyệt", exact=True)).to_have_count(0)


def test_a_business_registration_goes_through_finance_and_tax_and_back(
    stack: Stack, phones: Callable[[], Page], tmp_path: Path, shots: Path
) -> None:
    citizen, desk, reviewer, tax = phones(), phones(), phones(), phones()

    # Given a citizen files a business registration with its two PDFs
    code = file_business_registration(citizen, stack, tmp_path)

    # When the Finance desk accepts it from its inbox
    officer_signs_in(desk, stack, stack.receiver_for(BUSINESS_REGISTRATION))
    card = card_of(desk, code, "desk")
    expect(card).to_contain_text("Hồ sơ của bộ phận một cửa")
    card.get_by_role("link", name=code, exact=True).click()
    desk.get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(desk.locator(".dossier-head__status")).to_have_text("Đang xử lý")

    # Then the desk's task waits for the other agencies, with nothing to decide meanwhile
    waiting = desk.get_by_role("region", name="Đang chờ các cơ quan phối hợp")
    expect(waiting).to_be_visible()
    expect(desk.get_by_role("button", name="Trả kết quả")).to_have_count(0)
    desk.screenshot(path=str(shots / "flow-desk-waiting.png"), full_page=True)

    # And Finance's own step arrives in its inbox: Finance's processing officer approves it
    officer_signs_in(reviewer, stack, staff_member(FINANCE, "officer"))
    approve_step(
        reviewer,
        code,
        "1.1",
        "Thẩm định hồ sơ đăng ký doanh nghiệp",
        "2 ngày làm việc",
        shots / "inbox-step.png",
    )

    # Then the tax office gets its step, and approves it
    officer_signs_in(tax, stack, staff_member(TAX, "officer"))
    approve_step(tax, code, "2.1", "Cấp mã số thuế", "1 ngày làm việc")

    # And the dossier is back at the Finance desk, processed, for the result to be returned
    desk.goto(f"{stack.url}/#/inbox")
    back = card_of(desk, code, "desk")
    reload_until_visible(desk, back)
    expect(back).to_contain_text("Đã xử lý xong")
    back.get_by_role("link", name=code, exact=True).click()
    desk.get_by_role("button", name="Trả kết quả", exact=True).click()
    expect(desk.locator(".dossier-head__status")).to_have_text("Đã trả kết quả")

    # The citizen's tracking says so, and the dossier names the agencies it went through
    citizen.goto(f"{stack.url}/#/tracking/{code}")
    expect(citizen.locator(".dossier-head__status")).to_have_text("Đã trả kết quả")
    citizen.goto(f"{stack.url}/#/dossiers/{code}")
    agencies = citizen.get_by_role("region", name="Các cơ quan giải quyết hồ sơ")
    expect(agencies).to_contain_text("Tiếp nhận tại Sở Tài chính")
    expect(agencies).to_contain_text("Chuyển đến Sở Tài chính")
    expect(agencies).to_contain_text("Chuyển đến Thuế tỉnh Minh Họa")
    expect(citizen.get_by_role("button", name="Rút hồ sơ")).to_have_count(0)  # a result, nothing to withdraw
    citizen.screenshot(path=str(shots / "flow-dossier.png"), full_page=True)

    # The control slip (Mẫu 05): the desk, then the two steps, each judged on its own allowance
    citizen.get_by_role("link", name="Phiếu kiểm soát quá trình (Mẫu 05)").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Phiếu kiểm soát quá trình giải quyết hồ sơ")
    expect(citizen.locator(".slip__code")).to_contain_text(code)
    rows = citizen.get_by_role("table").locator("tbody").get_by_role("row")
    expect(rows).to_have_count(3)
    for index, (agency, work) in enumerate(
        [
            ("Sở Tài chính", "Tiếp nhận và trả kết quả (bộ phận một cửa)"),
            ("Sở Tài chính", "Bước 1.1 — Thẩm định hồ sơ đăng ký doanh nghiệp"),
            ("Thuế tỉnh Minh Họa", "Bước 2.1 — Cấp mã số thuế"),
        ]
    ):
        row = rows.nth(index)
        expect(row.locator(".slip-table__agency")).to_have_text(agency)
        expect(row.locator(".slip-table__step")).to_have_text(work)
        expect(row.locator(".slip-table__timeliness")).to_have_text(TIMELINESS)
        expect(row.locator(".slip-table__finished")).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4}"))
    expect(rows.nth(2).locator(".slip-table__allowance")).to_have_text("1 ngày làm việc")
    citizen.screenshot(path=str(shots / "control-slip.png"), full_page=True)

    # On paper (A4 landscape) it is a ruled table under the form's title, without the portal around it
    citizen.set_viewport_size({"width": 1123, "height": 794})
    citizen.emulate_media(media="print")
    expect(citizen.locator(".slip-table thead")).to_be_visible()
    expect(citizen.locator(".masthead")).to_be_hidden()
    expect(citizen.get_by_role("button", name="In phiếu")).to_be_hidden()
    citizen.screenshot(path=str(shots / "control-slip-print.png"), full_page=True)
    citizen.emulate_media(media="screen")
    citizen.set_viewport_size({"width": 390, "height": 844})

    # And in English, timeliness in words too
    citizen.get_by_role("button", name="EN", exact=True).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Processing control slip")
    expect(rows.first.locator(".slip-table__timeliness")).to_have_text(re.compile("Early|On time|Late"))
    expect(rows.nth(2).locator(".slip-table__step")).to_have_text("Step 2.1 — Issue of the tax code")
    citizen.get_by_role("button", name="VI", exact=True).click()

    # The desk reads the audit trail from its task: the chain holds
    desk.get_by_role("link", name="Nhật ký hồ sơ").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Nhật ký hồ sơ")
    expect(desk.get_by_role("heading", level=2, name="Nhật ký toàn vẹn")).to_be_visible()
    entries = desk.locator(".audit-entry")
    expect(entries.first).to_contain_text("Nộp hồ sơ")
    expect(desk.locator(".audit-list")).to_contain_text("Chuyển đến Thuế tỉnh Minh Họa")
    expect(entries.last).to_contain_text("Trả kết quả")
    expect(entries.last).to_contain_text("Đã xử lý xong")
    entries.last.locator("summary").click()
    expect(entries.last.locator(".hash").first).to_have_text(re.compile(r"^[0-9a-f]{12}…$"))
    desk.screenshot(path=str(shots / "audit.png"), full_page=True)


def test_the_audit_page_says_where_the_chain_broke(stack: Stack, phone: Page) -> None:
    code = birth_registration_through_api(stack)
    officer_signs_in(phone, stack, stack.receiver_for(BIRTH_REGISTRATION))

    # Given the API finds entry 1 changed after it was written
    def tampered(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        body["check"] = {
            "intact": False,
            "entries": len(body["entries"]),
            "broken_at": 1,
            "problem": "its content was changed after it was written",
        }
        route.fulfill(response=response, body=json.dumps(body))

    phone.route("**/v1/dossiers/*/audit", tampered)
    phone.goto(f"{stack.url}/#/dossiers/{code}/audit")
    verdict = phone.get_by_role("alert")
    expect(verdict).to_contain_text("Nhật ký đã bị sửa hoặc xóa tại mục 1")
    expect(verdict).to_contain_text("nội dung đã bị sửa sau khi ghi")
    expect(phone.locator(".audit-entry--broken")).to_have_count(1)


def test_inbox_flags_escalated_and_stalled_tasks_and_the_desk_forwards_one(
    stack: Stack, phone: Page, shots: Path
) -> None:
    code = birth_registration_through_api(stack)

    # Given the sweep escalated the task and the flow stalled (what the API says of them)
    def flagged(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        for item in body["items"]:
            if item["dossier_code"] == code:
                item |= {"escalated": True, "escalated_at": item["created_at"], "attention": "flow_stalled"}
        route.fulfill(response=response, body=json.dumps(body))

    phone.route("**/v1/agencies/*/tasks*", flagged)
    officer_signs_in(phone, stack, stack.receiver_for(BIRTH_REGISTRATION))
    card = card_of(phone, code, "desk")
    escalated = re.compile("^⚠(Quá hạn|Sắp quá hạn) — đã báo lãnh đạo$")
    stalled = re.compile("^!Cần xem lại: quy trình liên thông bị dừng")
    expect(card.locator(".flag")).to_have_text([escalated, stalled])
    card.screenshot(path=str(shots / "inbox-flags.png"))
    phone.unroute("**/v1/agencies/*/tasks*")

    # When the desk forwards it to a colleague, with a note
    card.get_by_role("link", name=code, exact=True).click()
    decision = phone.locator("#decision")
    decision.get_by_role("button", name="Chuyển xử lý").click()
    expect(decision.get_by_role("button", name="Chuyển xử lý")).to_have_attribute("aria-expanded", "true")
    decision.get_by_role("button", name="Chuyển cho cán bộ này").click()
    expect(phone.get_by_role("alert")).to_contain_text("Vui lòng nhập tên đăng nhập của cán bộ nhận")
    decision.get_by_label("Tên đăng nhập của cán bộ nhận").fill("lanhdao.phuongminhhoa")
    decision.get_by_label("Ghi chú cho cán bộ nhận").fill("Nhờ anh xem giúp giấy chứng sinh.")
    decision.get_by_role("button", name="Chuyển cho cán bộ này").click()
    expect(phone.locator("#status")).to_contain_text("Đã chuyển công việc cho lanhdao.phuongminhhoa")
    expect(phone.locator(".task-facts")).to_contain_text("lanhdao.phuongminhhoa")

    # Then the inbox says who has it now
    phone.goto(f"{stack.url}/#/inbox")
    expect(card_of(phone, code, "desk")).to_contain_text("Đã chuyển cho: lanhdao.phuongminhhoa")


def test_the_citizen_withdraws_a_dossier_after_confirming(stack: Stack, phone: Page, shots: Path) -> None:
    code = birth_registration_through_api(stack)
    citizen_signs_in(phone, stack)
    phone.goto(f"{stack.url}/#/dossiers/{code}")

    # Cancelling the dialog keeps the dossier
    phone.get_by_role("button", name="Rút hồ sơ").click()
    dialog = phone.get_by_role("dialog", name="Rút hồ sơ này?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Không, giữ hồ sơ").click()
    expect(dialog).to_be_hidden()
    expect(phone.locator(".dossier-head__status")).to_have_text("Mới đăng ký")

    # Confirming withdraws it, with the reason given
    phone.get_by_role("button", name="Rút hồ sơ").click()
    dialog.get_by_label("Lý do rút hồ sơ").fill("Nộp nhầm thủ tục")
    phone.screenshot(path=str(shots / "withdraw-dialog.png"))
    dialog.get_by_role("button", name="Xác nhận rút hồ sơ").click()
    expect(phone.locator("#status")).to_contain_text("Đã rút hồ sơ")
    expect(phone.locator(".dossier-head__status")).to_have_text("Công dân yêu cầu rút hồ sơ")
    expect(phone.locator(".dossier-head")).to_contain_text("Nộp nhầm thủ tục")
    expect(phone.get_by_role("button", name="Rút hồ sơ")).to_have_count(0)


def test_the_leader_opens_the_escalations_from_the_staff_menu(stack: Stack, phone: Page) -> None:
    officer_signs_in(phone, stack, staff_member(FINANCE, "leader"))
    open_menu_item(phone, "Cảnh báo quá hạn")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Công việc quá hạn, sắp quá hạn")
    # The local stack's sweep may not have run: either the list, or a plain "nothing escalated"
    expect(phone.locator("main")).to_contain_text(
        re.compile("Không có công việc nào phải báo lãnh đạo|Sở Tài chính|chưa có trên hệ thống này")
    )


def test_escalations_page_explains_a_missing_route(stack: Stack, phone: Page) -> None:
    officer_signs_in(phone, stack, staff_member(FINANCE, "leader"))
    # What an API Gateway without the route answers
    not_found = '{"message": "Not Found"}'
    phone.route(
        "**/v1/agencies/*/escalations*",
        lambda route: route.fulfill(status=404, content_type="application/json", body=not_found),
    )
    phone.goto(f"{stack.url}/#/escalations")
    expect(phone.locator("main")).to_contain_text("Danh sách cảnh báo quá hạn chưa có trên hệ thống này")
    expect(phone.get_by_role("link", name="Hộp công việc").last).to_be_visible()


def test_the_console_names_the_role_and_offers_only_the_work_of_that_role(stack: Stack, phone: Page) -> None:
    menu = phone.locator("nav")  # folded on a phone: its links are there, counted, not looked at

    def signs_in(person: Person) -> None:
        phone.goto(f"{stack.url}/#/staff")
        phone.get_by_label("Tên đăng nhập").fill(person.username)
        phone.get_by_label("Mật khẩu", exact=True).fill(person.password)
        phone.get_by_role("button", name="Đăng nhập").click()
        expect(phone.locator("#userbar")).to_contain_text(person.name)

    # A leader: the inbox and the escalations
    signs_in(staff_member(FINANCE, "leader"))
    expect(phone.locator("#userbar")).to_contain_text("Lãnh đạo")
    expect(menu.get_by_role("link", name="Hộp công việc", exact=True, include_hidden=True)).to_have_count(1)
    expect(menu.get_by_role("link", name="Cảnh báo quá hạn", exact=True, include_hidden=True)).to_have_count(
        1
    )
    phone.get_by_role("button", name="Đăng xuất").click()

    # The desk: its inbox, no escalations
    signs_in(staff_member(FINANCE, "receiver"))
    expect(phone.locator("#userbar")).to_contain_text("Cán bộ tiếp nhận")
    expect(menu.get_by_role("link", name="Hộp công việc", exact=True, include_hidden=True)).to_have_count(1)
    expect(menu.get_by_role("link", name="Cảnh báo quá hạn", exact=True, include_hidden=True)).to_have_count(
        0
    )
    phone.get_by_role("button", name="Đăng xuất").click()

    # An administrator keeps accounts: the home page, and no dossier work at all
    signs_in(staff_member(PROVINCE_OFFICE, "admin"))
    expect(phone.locator("#userbar")).to_contain_text("Quản trị")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thủ tục hành chính")
    expect(menu.get_by_role("link", name="Hộp công việc", exact=True, include_hidden=True)).to_have_count(0)
    expect(menu.get_by_role("link", name="Cảnh báo quá hạn", exact=True, include_hidden=True)).to_have_count(
        0
    )
