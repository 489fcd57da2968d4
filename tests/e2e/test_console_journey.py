"""A console for a full day's work: the desk's width, an inbox searched, filtered and sorted with its
filters in the URL, the decision beside the dossier, papers previewed in place; desk screens and a phone,
both languages, axe on every page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.support import (
    BIRTH_REGISTRATION,
    assert_accessible,
    file_through_api,
    officer_signs_in,
    receiving_agency,
    staff_member,
)
from tests.examples import EXAMPLES

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.support import Stack

DEATH_REGISTRATION = "1.000656"
WARD = receiving_agency(BIRTH_REGISTRATION)
APPLICANTS = [
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Nguyễn Văn Bình",
    "Hoàng Văn Em",
    "Đỗ Thị Giang",
]


def applicant(name: str) -> dict[str, str]:
    return {"full_name": name, "id_number": "001090012345", "phone": "0901234567", "address": "Số 1 Lê Lợi"}


@pytest.fixture(scope="module")
def ward_inbox(stack: Stack) -> dict[str, str]:
    """Six dossiers at the ward, five birth registrations and a death registration, by applicant."""
    filed = {}
    for name in APPLICANTS[:-1]:
        filed[name] = file_through_api(
            stack, BIRTH_REGISTRATION, applicant(name), EXAMPLES[BIRTH_REGISTRATION], "giay_chung_sinh"
        )
    last = APPLICANTS[-1]
    filed[last] = file_through_api(
        stack, DEATH_REGISTRATION, applicant(last), EXAMPLES[DEATH_REGISTRATION], "giay_bao_tu"
    )
    return filed


def api_inbox(stack: Stack, **query: str) -> dict[str, Any]:
    leader = staff_member(WARD, "leader")
    tokens = requests.post(
        f"{stack.url}/v1/auth/staff/sign-in",
        json={"username": leader.username, "password": leader.password},
        timeout=10,
    ).json()
    answer = requests.get(
        f"{stack.url}/v1/agencies/{WARD}/tasks",
        params={"limit": 100, "count": "true", **query},
        headers={"Authorization": f"Bearer {tokens['id_token']}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def rows(page: Page) -> list[str]:
    return page.locator(".worklist__code").all_inner_texts()


def shows(page: Page, codes: list[str]) -> None:
    """The list drawn for the filters now in the URL holds exactly `codes`, in this order."""
    if codes:
        expect(page.locator(".worklist__code")).to_have_text(codes)
    else:
        expect(page.locator(".worklist__empty")).to_be_visible()


def search(page: Page, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).fill(text)
    page.get_by_label(label, exact=True).press("Enter")
    expect(page).to_have_url(re.compile(r"#/inbox\?q="))


def to_english(page: Page) -> None:
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")


@pytest.mark.parametrize(
    ("width", "height", "language"), [(1366, 768, "vi"), (1920, 1080, "en")], ids=["1366-vi", "1920-en"]
)
def test_a_leader_searches_filters_and_sorts_the_inbox_on_a_desk_and_reload_keeps_it(
    desk: Page, stack: Stack, ward_inbox: dict[str, str], width: int, height: int, language: str
) -> None:
    desk.set_viewport_size({"width": width, "height": height})
    officer_signs_in(desk, stack, staff_member(WARD, "leader"))
    words = {
        "q": "Mã hồ sơ hoặc tên người nộp",
        "due": "Hạn xử lý",
        "sort": "Sắp xếp",
        "count": r"\d+ hồ sơ, \d+ quá hạn",
    }
    if language == "en":
        to_english(desk)
        words = {
            "q": "Dossier code or applicant's name",
            "due": "Due",
            "sort": "Sort by",
            "count": r"\d+ dossiers, \d+ overdue",
        }

    # The console uses the desk's width, and a leader's whole menu stays on one line.
    main = desk.locator("#main").bounding_box()
    assert main is not None and main["width"] >= width - 100
    links = desk.locator(".site-nav__link")
    assert links.count() >= 5
    tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(links.count())) if box}
    assert len(tops) == 1, tops

    # A count, and a table with its headers
    total = api_inbox(stack)["count"]
    expect(desk.locator("#work-count")).to_have_text(re.compile(f"^{words['count']}$"))
    assert f"{total['total']} " in desk.locator("#work-count").inner_text()
    expect(desk.locator(".worklist__table thead")).to_be_visible()
    assert_accessible(desk, what=f"the inbox at {width}px ({language})")

    # Search by code: one row; the URL keeps it, and a reload too
    code = ward_inbox["Phạm Thị Dung"]
    search(desk, words["q"], code)
    shows(desk, [code])
    desk.reload()
    expect(desk.get_by_label(words["q"], exact=True)).to_have_value(code)
    shows(desk, [code])

    # By name, without diacritics, words in any order
    search(desk, words["q"], "binh tran")
    expect(desk.locator(".worklist__row").first).to_contain_text("Trần Thị Bình")
    found = rows(desk)
    assert ward_inbox["Trần Thị Bình"] in found and ward_inbox["Nguyễn Văn Bình"] not in found

    # Back returns to the search before
    desk.go_back()
    expect(desk.get_by_label(words["q"], exact=True)).to_have_value(code)
    shows(desk, [code])

    # Overdue only: what the API says is overdue, no more
    desk.goto(f"{stack.url}/#/inbox")
    desk.get_by_label(words["due"], exact=True).select_option("overdue")
    expect(desk).to_have_url(re.compile(r"due=overdue"))
    overdue = api_inbox(stack, due="overdue")
    shows(desk, [t["dossier_code"] for t in overdue["items"]][:20])
    desk.reload()
    expect(desk.get_by_label(words["due"], exact=True)).to_have_value("overdue")

    # Newest filed first, across the whole inbox
    desk.goto(f"{stack.url}/#/inbox")
    desk.get_by_label(words["sort"], exact=True).select_option("-filed")
    expect(desk).to_have_url(re.compile(r"sort=-filed"))
    expect(desk.locator(".worklist__code").first).to_have_text(ward_inbox["Đỗ Thị Giang"])
    shows(desk, [t["dossier_code"] for t in api_inbox(stack, sort="-filed")["items"]][:20])
    assert_accessible(desk, what=f"the sorted inbox at {width}px ({language})")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_decision_stays_in_view_beside_the_dossier_and_a_pdf_is_previewed(
    desk: Page, stack: Stack, ward_inbox: dict[str, str], language: str
) -> None:
    officer_signs_in(desk, stack, stack.receiver_for(BIRTH_REGISTRATION))
    if language == "en":
        to_english(desk)
    code = ward_inbox["Lê Văn Cường"]
    desk.goto(f"{stack.url}/#/tasks/{code}-T1")
    panel = desk.locator(".task-layout__side")
    expect(panel).to_be_visible()

    # The next action in words, the decision beside the dossier
    expected = (
        "Kiểm tra hồ sơ, rồi tiếp nhận, yêu cầu bổ sung hoặc từ chối."
        if language == "vi"
        else "Check the dossier, then accept it, ask for papers or refuse it."
    )
    expect(desk.locator("#next-action")).to_have_text(expected)
    side, dossier = panel.bounding_box(), desk.locator(".task-layout__dossier").bounding_box()
    assert side is not None and dossier is not None and side["x"] > dossier["x"] + dossier["width"] - 1

    # Scrolled to the dossier's end, the decision is still in view
    desk.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    desk.wait_for_function("window.scrollY > 200")
    accept = desk.locator("#decision [data-action=accept]")
    expect(accept).to_be_in_viewport()
    box = panel.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + 40 < 768

    # The PDF previewed in place, from a short-lived link to the attachments bucket
    preview = desk.get_by_role("button", name=re.compile("^(Xem trước|Preview)"))
    preview.first.scroll_into_view_if_needed()
    with desk.expect_response(lambda r: "response-content-disposition=inline" in r.url) as shown:
        preview.first.press("Enter")
    assert shown.value.status == 200
    assert shown.value.headers["content-type"] == "application/pdf"
    frame = desk.locator("iframe.preview__frame")
    expect(frame).to_be_visible()
    assert (frame.get_attribute("src") or "").startswith(stack.moto_url)
    expect(desk.locator(".preview__toggle").first).to_have_attribute("aria-expanded", "true")
    expect(desk.get_by_role("link", name=re.compile("^(Tải về|Download)")).first).to_be_visible()
    assert_accessible(desk, what=f"the task page ({language})")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_on_a_phone_the_inbox_is_cards_and_the_decision_follows_the_summary(
    phone: Page, stack: Stack, ward_inbox: dict[str, str], language: str
) -> None:
    officer_signs_in(phone, stack, stack.receiver_for(BIRTH_REGISTRATION))
    label = "Mã hồ sơ hoặc tên người nộp"
    if language == "en":
        to_english(phone)
        label = "Dossier code or applicant's name"

    # Cards: the table's headers are for screen readers only, each row a block of its own
    expect(phone.locator(".worklist__row").first).to_be_visible()
    head = phone.locator(".worklist__table thead").bounding_box()
    assert head is not None and head["height"] <= 1
    assert phone.locator(".worklist__row").first.evaluate("row => getComputedStyle(row).display") == "block"
    search(phone, label, "giang do")
    shows(phone, [ward_inbox["Đỗ Thị Giang"]])
    card = phone.locator(".worklist__row").first.bounding_box()
    assert card is not None and card["width"] <= 390
    assert_accessible(phone, what=f"the inbox on a phone ({language})")

    phone.locator(".worklist__code").first.click()
    expect(phone.locator("#next-action")).to_be_visible()
    summary = phone.locator(".task-layout__summary").bounding_box()
    side = phone.locator(".task-layout__side").bounding_box()
    dossier = phone.locator(".task-layout__dossier").bounding_box()
    assert summary and side and dossier
    assert summary["y"] < side["y"] < dossier["y"]
    assert_accessible(phone, what=f"the task page on a phone ({language})")
