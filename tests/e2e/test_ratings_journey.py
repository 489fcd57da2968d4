"""Satisfaction ratings in Chromium on the local stack (docs/ratings.md): the owner rates a returned
dossier on its page (phone, Vietnamese and English); the final message's link rates another without
signing in, once; the agency's staff see the tallies and the comment on #/ratings, and nobody's name;
axe on every state."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.support import (
    assert_accessible,
    citizen_signs_in,
    file_through_api,
    officer_signs_in,
    staff_member,
)
from tests.examples import EXAMPLES

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

DECLARATION = "1.000058"  # a company's social insurance declaration: its agency decides alone
SOCIAL_INSURANCE = "000.00.22.H99"
LINK_WAIT_S = 60
WORDS = {
    "vi": {"title": "Đánh giá mức độ hài lòng", "send": "Gửi đánh giá", "done": "Hồ sơ đã được đánh giá"},
    "en": {"title": "Rate our service", "send": "Send my rating", "done": "This dossier has been rated"},
}


def _staff_token(stack: Stack, role: str) -> str:
    person = staff_member(SOCIAL_INSURANCE, role)
    answer = requests.post(
        f"{stack.url}/v1/auth/staff/sign-in",
        json={"username": person.username, "password": person.password},
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["id_token"])


def returned(stack: Stack) -> str:
    """A declaration the demo citizen filed, accepted, approved and handed back: status 10."""
    code = file_through_api(
        stack,
        DECLARATION,
        {
            "full_name": stack.citizen.name,
            "id_number": "0101234567",
            "phone": "0901234567",
            "address": "Số 1 đường Lê Lợi, phường Minh Họa",
        },
        EXAMPLES[DECLARATION],
        "danh_sach_lao_dong_d02_lt",
    )
    desk, officer = _staff_token(stack, "receiver"), _staff_token(stack, "officer")
    for token, action in ((desk, "accept"), (officer, "approve"), (desk, "return_result")):
        answer = requests.post(
            f"{stack.url}/v1/tasks/{code}-T1/decision",
            json={"action": action},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert answer.ok, answer.text
    return code


def rating_link(stack: Stack, code: str) -> str:
    """The rating link of the dossier's final message, as the demo outbox shows it."""
    deadline = time.monotonic() + LINK_WAIT_S
    while True:
        box = requests.get(f"{stack.url}/v1/dev/outbox", params={"code": code}, timeout=10).json()
        for message in box["messages"]:
            found = re.search(r"https?://[^\s\"'<>]+/#/rate/[A-Za-z0-9._~-]+", message["body"])
            if found:
                return found.group(0)
        assert time.monotonic() < deadline, f"no rating link for {code} in the outbox"
        time.sleep(1)


def choose(page: Page, criterion: str, value: int) -> None:
    page.locator(f"fieldset[data-field={criterion}] input[value='{value}']").check()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_owner_rates_a_returned_dossier_on_its_page(stack: Stack, phone: Page, language: str) -> None:
    code = returned(stack)
    words = WORDS[language]
    citizen_signs_in(phone, stack)
    if language == "en":
        phone.get_by_role("button", name="EN", exact=True).click()
        expect(phone.locator("html")).to_have_attribute("lang", "en")

    # Given the dossier's page, its result returned
    phone.goto(f"{stack.url}/#/dossiers/{code}")
    section = phone.locator("section.rating")
    expect(section.get_by_role("heading", level=2)).to_have_text(words["title"])
    expect(section.locator("fieldset")).to_have_count(5)
    assert_accessible(phone, what=f"the rating form ({language})")

    # When she sends it with a criterion left out, the summary says which
    for criterion, value in (("overall", 4), ("convenience", 5), ("on_time", 5), ("attitude", 4)):
        choose(phone, criterion, value)
    section.get_by_role("button", name=words["send"]).click()
    expect(section.locator(".error-summary li")).to_have_count(1)
    expect(section.locator("fieldset[data-field=contacts] input").first).to_have_attribute(
        "aria-invalid", "true"
    )
    assert_accessible(phone, what=f"the rating form's error ({language})")

    # Then with it, and a comment
    choose(phone, "contacts", 1)
    section.get_by_label(re.compile("Ý kiến khác|Anything else")).fill("Nhanh, gọn.\nCảm ơn cán bộ.")
    section.get_by_role("button", name=words["send"]).click()

    # Then her rating is read back, and stays so on the next visit: once per dossier
    expect(section.locator(".notice")).to_contain_text(words["done"])
    expect(section.locator(".rating-comment")).to_have_text("Nhanh, gọn.\nCảm ơn cán bộ.")
    assert_accessible(phone, what=f"the rating given ({language})")
    phone.reload()
    expect(phone.locator("section.rating .notice")).to_contain_text(words["done"])
    expect(phone.locator("section.rating form")).to_have_count(0)


def test_the_final_messages_link_rates_without_signing_in_once_and_staff_see_it_anonymously(
    stack: Stack, desk: Page
) -> None:
    code = returned(stack)
    link = rating_link(stack, code)
    comment = f"Đánh giá qua đường dẫn {int(time.time())}"

    # Given the link of the final message, opened by someone not signed in
    desk.goto(link.replace(link.split("/#/")[0], stack.url))
    expect(desk.get_by_role("heading", level=1)).to_have_text("Đánh giá mức độ hài lòng")
    expect(desk.locator("main dl")).to_contain_text(code)
    assert_accessible(desk, what="the link's rating form")

    # When they rate it
    for criterion, value in (
        ("overall", 2),
        ("convenience", 3),
        ("on_time", 2),
        ("attitude", 3),
        ("contacts", 4),
    ):
        choose(desk, criterion, value)
    desk.get_by_label("Ý kiến khác").fill(comment)
    desk.get_by_role("button", name="Gửi đánh giá").click()
    expect(desk.locator("main .notice")).to_contain_text("Hồ sơ đã được đánh giá")

    # Then the link rates it no more
    desk.reload()
    expect(desk.locator("main .notice")).to_contain_text("Hồ sơ đã được đánh giá")
    expect(desk.locator("main form.rating-form")).to_have_count(0)
    assert_accessible(desk, what="the link, its dossier rated")

    # And a forged link says so
    desk.goto(f"{stack.url}/#/rate/{code}.ffffffff.AAAAAAAAAAAAAAAAAAAAAA")
    expect(desk.locator("main .notice--error")).to_contain_text("không hợp lệ")
    assert_accessible(desk, what="a forged rating link")

    # And the agency's officer sees the comment on #/ratings, with no code or name
    officer_signs_in(desk, stack, staff_member(SOCIAL_INSURANCE, "officer"))
    desk.goto(f"{stack.url}/#/ratings")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Đánh giá mức độ hài lòng")
    expect(desk.locator(".rating-notes")).to_contain_text(comment)
    expect(desk.locator("table caption").first).to_have_text("Điểm trung bình theo tiêu chí")
    text = desk.locator("main").inner_text()
    assert code not in text and stack.citizen.name not in text
    assert_accessible(desk, what="the agency's ratings")
    desk.get_by_role("button", name="EN", exact=True).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Satisfaction ratings")
    assert_accessible(desk, what="the agency's ratings (en)")
