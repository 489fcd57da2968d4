"""Drafts that survive (docs/drafts.md): a form half filled on a phone, with a paper uploaded, comes back
after a reload and after the tab is killed, continues on another device, and is gone once filed (no
save still due comes after the filing); "my dossiers" lists drafts on a phone and a desk PC, in both
languages, without an accessibility violation.

The journeys run as the second demo citizen (Trần Thị Bình), whom the other browser tests leave alone:
the local stack gives her a draft of a marriage registration (devstack/demo_draft.py)."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.support import (
    BIRTH_REGISTRATION,
    assert_accessible,
    attach,
    file_dossier,
    fill_birth_registration,
    fill_date,
    next_step,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Page, Route

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

BIRTH_PAPER = "Giấy chứng sinh hoặc văn bản xác nhận việc sinh"
DEATH_REGISTRATION = "1.000656"
SAVE_DELAY_S = 1.2  # drafts.js's SERVER_DELAY: a server save waits this long after the last change


def _binh() -> tuple[str, str, str]:
    from infra.devstack.accounts import demo_accounts
    from motcua.config.province import load_province
    from tests.conftest import DEMO_PROVINCE

    citizens = [a for a in demo_accounts(load_province(DEMO_PROVINCE)) if a.pool == "citizens"]
    return citizens[1].email, citizens[1].password, citizens[1].name


def signs_in(page: Page, stack: Stack) -> None:
    email, password, name = _binh()
    page.goto(f"{stack.url}/#/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#userbar")).to_contain_text(name)


def _token(stack: Stack) -> dict[str, str]:
    email, password, _ = _binh()
    tokens = requests.post(
        f"{stack.url}/v1/auth/citizens/sign-in", json={"email": email, "password": password}, timeout=10
    ).json()
    return {"Authorization": f"Bearer {tokens['id_token']}"}


def _drafts(stack: Stack) -> list[str]:
    listed = requests.get(f"{stack.url}/v1/me/drafts", headers=_token(stack), timeout=10).json()
    return [item["procedure_code"] for item in listed["items"]]


def test_a_half_filled_form_survives_a_reload_a_killed_tab_and_another_device(
    stack: Stack, phones: Callable[[], Page], desk: Page, pdf_file: Path
) -> None:
    form = f"{stack.url}/#/file/{BIRTH_REGISTRATION}"
    phone = phones()
    signs_in(phone, stack)
    phone.goto(form)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Nộp hồ sơ trực tuyến")
    # Half the form: the first step, half the second; then the paper, then the camera app takes over
    phone.get_by_label("Số căn cước (CCCD)").fill("001090054321")
    phone.get_by_label("Địa chỉ liên hệ").fill("Số 8 đường Hai Bà Trưng, phường Minh Họa")
    next_step(phone)
    phone.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Lê Bảo Ngọc")
    phone.goto(f"{form}?step=4")
    phone.get_by_label(BIRTH_PAPER).set_input_files(pdf_file)
    expect(phone.locator(".file", has_text=pdf_file.name)).to_contain_text("Đã tải lên")
    expect(phone.locator(".draft-status")).to_contain_text("Đã lưu bản nháp lúc")

    # A reload: everything is back, and said so
    phone.reload()
    expect(phone.locator(".draft-restored")).to_contain_text(
        re.compile(r"Đã khôi phục bản nháp lưu lúc .*\d")
    )
    expect(phone.locator(".file", has_text=pdf_file.name)).to_contain_text("Đã tải lên")
    assert_accessible(phone, what="the filing form with a restored draft (phone)")
    phone.goto(f"{form}?step=2")
    expect(phone.get_by_label("Họ, chữ đệm, tên của trẻ")).to_have_value("Lê Bảo Ngọc")

    # The tab is killed (its session goes with it): signed in again, the form is back
    context = phone.context
    phone.close()
    phone = context.new_page()
    signs_in(phone, stack)
    phone.goto(form)
    expect(phone.locator(".draft-restored")).to_be_visible()
    expect(phone.get_by_label("Số căn cước (CCCD)")).to_have_value("001090054321")

    # Another device: the desk PC continues from the server's copy, paper included, and files it
    signs_in(desk, stack)
    desk.goto(form)
    expect(desk.locator(".draft-restored")).to_be_visible()
    expect(desk.get_by_label("Số căn cước (CCCD)")).to_have_value("001090054321")
    assert_accessible(desk, what="the filing form with a restored draft (desk)")
    next_step(desk)
    expect(desk.get_by_label("Họ, chữ đệm, tên của trẻ")).to_have_value("Lê Bảo Ngọc")
    desk.get_by_label("Giới tính").select_option("Nữ")
    fill_date(desk, "Ngày, tháng, năm sinh", date.today() - timedelta(days=20))
    desk.get_by_label("Nơi sinh").fill("Bệnh viện đa khoa tỉnh Minh Họa")
    desk.get_by_label("Dân tộc").fill("Kinh")
    next_step(desk)
    desk.get_by_label("Họ, chữ đệm, tên của mẹ").fill("Trần Thị Bình")
    desk.get_by_label("Quan hệ với người được khai sinh").select_option("Mẹ")
    next_step(desk)
    expect(desk.locator(".file", has_text=pdf_file.name)).to_contain_text("Đã tải lên")
    file_dossier(desk)
    expect(desk.get_by_role("heading", level=1)).to_have_text("Giấy tiếp nhận hồ sơ")

    # Filed: the draft is gone from "my dossiers", and a new form starts blank
    desk.goto(f"{stack.url}/#/me")
    expect(desk.locator(".drafts")).to_be_visible()
    expect(desk.locator(".draft-card", has_text="Đăng ký khai sinh")).to_have_count(0)
    assert BIRTH_REGISTRATION not in _drafts(stack)
    phone.goto(form)
    phone.reload()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Nộp hồ sơ trực tuyến")
    expect(phone.locator(".draft-restored")).to_have_count(0)
    expect(phone.get_by_label("Số căn cước (CCCD)")).to_have_value("")


def test_no_draft_of_an_untouched_form_nor_behind_the_filing(
    stack: Stack, phone: Page, pdf_file: Path
) -> None:
    """An untouched form is no draft. Filing removes the draft in its transaction; a save sent while the
    filing is on its way would bring it back (If-None-Match) or end in a conflict (If-Match), so none
    is sent until it is answered."""
    requests.delete(f"{stack.url}/v1/me/drafts/{BIRTH_REGISTRATION}", headers=_token(stack), timeout=10)
    signs_in(phone, stack)
    sent: list[str] = []
    phone.on("request", lambda r: sent.append(f"{r.method} {r.url}") if "/v1/" in r.url else None)
    phone.goto(f"{stack.url}/#/file/{BIRTH_REGISTRATION}")
    # "Continue" pressed on the untouched form is no draft: nothing saved, here or on the server
    next_step(phone)
    expect(phone.get_by_role("alert")).to_contain_text("Vui lòng nhập Số căn cước (CCCD)")
    phone.wait_for_timeout(SAVE_DELAY_S * 2 * 1000)
    assert not [line for line in sent if line.startswith("PUT")], sent
    assert not phone.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('motcua.draft.'))")

    fill_birth_registration(phone)
    attach(phone, BIRTH_PAPER, pdf_file)
    next_step(phone)

    # The filing's answer comes late (a slow network): long enough for a save put off after the
    # last change to fall due while it is on its way

    def answer_late(route: Route) -> None:
        response = route.fetch()
        time.sleep(SAVE_DELAY_S * 2)
        route.fulfill(response=response)

    phone.route(re.compile(r".*/v1/dossiers$"), answer_late)
    # A last correction from "check your answers", and at once filed
    phone.get_by_role("link", name="Sửa Dân tộc").click()
    phone.get_by_label("Dân tộc").fill("Tày")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", level=2, name="Kiểm tra lại thông tin")).to_be_focused()
    phone.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Giấy tiếp nhận hồ sơ")

    filing = sent.index(next(line for line in sent if re.fullmatch(r"POST .*/v1/dossiers", line)))
    assert not [line for line in sent[filing:] if line.startswith("PUT")], sent
    assert BIRTH_REGISTRATION not in _drafts(stack)
    phone.goto(f"{stack.url}/#/me")
    expect(phone.locator(".drafts")).to_be_visible()
    expect(phone.locator(".draft-card", has_text="Đăng ký khai sinh")).to_have_count(0)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("device", ["phone", "desk"])
def test_my_dossiers_lists_drafts_to_continue_or_delete(
    stack: Stack, request: pytest.FixtureRequest, device: str, language: str
) -> None:
    page: Page = request.getfixturevalue(device)
    # A draft to delete, saved from another device through the API
    saved = requests.put(
        f"{stack.url}/v1/me/drafts/{DEATH_REGISTRATION}",
        json={"answers": {"form": {"deceased_full_name": "Lê Văn Tư"}}},
        headers=_token(stack) | {"If-None-Match": "*"},
        timeout=10,
    )
    assert saved.status_code in (200, 412), saved.text  # 412: left by an earlier case that failed
    signs_in(page, stack)
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).first.click()
    words = {
        "vi": ("Bản nháp", "Đăng ký kết hôn", "Hết hạn ngày", "Tiếp tục", "Xóa", "Đăng ký khai tử"),
        "en": ("Drafts", "Marriage registration", "Expires on", "Continue", "Delete", "Death registration"),
    }[language]
    title, marriage, expires, cont, delete, death = words
    page.goto(f"{stack.url}/#/me")
    section = page.locator(".drafts")
    expect(section.get_by_role("heading", level=2)).to_have_text(title)
    card = section.locator(".draft-card", has_text=marriage)
    expect(card).to_contain_text(expires)
    expect(card).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4}"))
    assert_accessible(page, what=f"my dossiers with drafts ({device}, {language})")

    section.locator(".draft-card", has_text=death).get_by_role("button", name=delete).click()
    expect(section.locator(".draft-card", has_text=death)).to_have_count(0)
    assert DEATH_REGISTRATION not in _drafts(stack)

    card.get_by_role("link", name=cont).click()
    expect(page).to_have_url(re.compile(r"#/file/1\.000894$"))
    expect(page.locator(".draft-restored")).to_be_visible()
    expect(page.locator(".file", has_text="to-khai-ket-hon.pdf")).to_be_visible()


def test_two_devices_never_overwrite_each_other_unasked(stack: Stack, phone: Page, desk: Page) -> None:
    judicial = "3.000333"  # a judicial record certificate: no other journey opens it
    requests.delete(f"{stack.url}/v1/me/drafts/{judicial}", headers=_token(stack), timeout=10)
    for page in (phone, desk):
        signs_in(page, stack)
        page.goto(f"{stack.url}/#/file/{judicial}")
    # The phone saves first; the desk, still on the version it opened, saves after it
    phone.get_by_label("Địa chỉ liên hệ").fill("Số 1 đường Lê Lợi")
    expect(phone.locator(".draft-status")).to_contain_text("Đã lưu bản nháp lúc")
    desk.get_by_label("Địa chỉ liên hệ").fill("Số 9 đường Quang Trung")
    warning = desk.locator(".draft-conflict").get_by_role("alert")
    expect(warning).to_contain_text("thiết bị")
    assert_accessible(desk, what="a draft saved meanwhile from another device (desk)")
    saved = requests.get(f"{stack.url}/v1/me/drafts/{judicial}", headers=_token(stack), timeout=10).json()
    assert saved["answers"]["applicant"]["address"] == "Số 1 đường Lê Lợi"  # not overwritten

    # The desk keeps its own, knowingly
    warning.get_by_role("button", name="Giữ bản đang sửa").click()
    expect(desk.locator(".draft-status")).to_contain_text("Đã lưu bản nháp lúc")
    kept = requests.get(f"{stack.url}/v1/me/drafts/{judicial}", headers=_token(stack), timeout=10).json()
    assert kept["answers"]["applicant"]["address"] == "Số 9 đường Quang Trung"
    assert kept["version"] == saved["version"] + 1
    requests.delete(f"{stack.url}/v1/me/drafts/{judicial}", headers=_token(stack), timeout=10)
