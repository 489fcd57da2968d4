"""Personal data in a real browser: a citizen downloads everything held about them from "Hồ sơ của tôi",
and an agency's leader reads who of its staff opened which dossier."""

from __future__ import annotations

import json
import re
import zipfile
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.e2e.support import (
    BIRTH_REGISTRATION,
    birth_registration_through_api,
    citizen_signs_in,
    officer_signs_in,
    open_menu_item,
    staff_member,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

WARD = "000.01.01.H99"  # receives birth registrations


def test_a_citizen_downloads_their_data_and_the_leader_sees_who_opened_their_dossier(
    stack: Stack, phones: Callable[[], Page], tmp_path: Path, shots: Path
) -> None:
    # Given a birth registration the demo citizen filed
    code = birth_registration_through_api(stack)

    # When the ward's receiving officer opens it in the console
    officer = phones()
    receiver = stack.receiver_for(BIRTH_REGISTRATION)
    officer_signs_in(officer, stack, receiver)
    officer.goto(f"{stack.url}/#/tasks/{code}-T1")
    expect(officer.get_by_text(code).first).to_be_visible()

    # Then the ward's leader finds the opening in the access log, with who and which dossier
    leader_page = phones()
    officer_signs_in(leader_page, stack, staff_member(WARD, "leader"))
    open_menu_item(leader_page, "Nhật ký truy cập")
    expect(leader_page.get_by_role("heading", level=1)).to_have_text("Nhật ký truy cập dữ liệu cá nhân")
    entry = leader_page.locator(".access-entry", has_text=code).first
    expect(entry).to_contain_text(receiver.username)
    expect(entry).to_contain_text("Mở công việc")
    leader_page.screenshot(path=str(shots / "access-log.png"), full_page=True)

    # and an officer who is not a leader is not offered it
    officer.goto(f"{stack.url}/#/access-log")
    expect(officer.get_by_text("Chỉ lãnh đạo cơ quan được xem nhật ký truy cập.")).to_be_visible()

    # When the citizen taps "Tải dữ liệu của tôi" in "Hồ sơ của tôi"
    citizen = phones()
    citizen_signs_in(citizen, stack)
    open_menu_item(citizen, "Hồ sơ của tôi")
    with citizen.expect_download() as info:
        citizen.get_by_role("button", name="Tải dữ liệu của tôi").click()
    path = tmp_path / "du-lieu.zip"
    info.value.save_as(path)
    assert re.match(r"^du-lieu-cua-toi-\d{8}\.zip$", info.value.suggested_filename)

    # Then the archive holds the account, the dossier with its history, and its paper
    archive = zipfile.ZipFile(path)
    data = json.loads(archive.read("du-lieu-cua-toi.json"))
    assert data["account"]["email"] == stack.citizen.username
    mine = next(d for d in data["dossiers"] if d["record"]["code"] == code)
    assert [h["status"] for h in mine["status_history"]] == [1]
    assert [f["path"] for f in mine["files"] if f["held"]] == [
        p for p in archive.namelist() if p.startswith(code)
    ]
    expect(citizen.get_by_role("status").filter(has_text="Đã tải về")).to_be_visible()
