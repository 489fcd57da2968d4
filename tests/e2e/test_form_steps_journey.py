"""A long form in steps, dates as day / month / year, "check your answers", and a receipt that says
what happens next — on a phone and a desk PC, in Vietnamese and English, checked with axe."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.support import (
    BIRTH_REGISTRATION,
    assert_accessible,
    attach,
    citizen_signs_in,
    fill_birth_registration,
    fill_date,
    next_step,
)

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Locator, Page, Route

    from tests.e2e.support import Stack

BIRTH_PAPER = "Giấy chứng sinh hoặc văn bản xác nhận việc sinh"
DATE_OF_BIRTH = "Ngày, tháng, năm sinh"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # "today" for the form is today in Vietnam
TABS_TO_REACH = 40  # more than any step of the demo's forms has stops


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(TABS_TO_REACH):
        page.keyboard.press("Tab")
        if target.evaluate("node => node === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def choose(page: Page, target: Locator, option: str) -> None:
    """A select, by keyboard: arrow down until it shows `option`."""
    tab_to(page, target)
    for _ in range(10):
        if target.evaluate("node => node.options[node.selectedIndex].text") == option:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{option} is not among the choices")


def step_heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=2).first


def test_a_long_form_is_filed_in_steps_with_the_keyboard_only_on_a_phone(
    stack: Stack, phone: Page, pdf_file: Path, shots: Path
) -> None:
    page = phone
    citizen_signs_in(page, stack)
    page.goto(f"{stack.url}/#/file/{BIRTH_REGISTRATION}")

    # Step 1 of 4: the applicant, whose name, email and phone come from the account
    expect(step_heading(page)).to_have_text("Bước 1/4 Thông tin người nộp hồ sơ")
    assert_accessible(page, what="step 1")
    type_into(page, page.get_by_label("Số căn cước (CCCD)"), "001090012345")
    type_into(page, page.get_by_label("Địa chỉ liên hệ"), "Số 25 đường Trần Phú, phường Minh Họa")
    tab_to(page, page.get_by_role("button", name="Tiếp tục"))
    page.keyboard.press("Enter")

    # Step 2: the child; the focus is on the step's heading, Back is the browser's
    heading = step_heading(page)
    expect(heading).to_have_text("Bước 2/4 Thông tin về trẻ")
    expect(heading).to_be_focused()
    expect(page).to_have_url(re.compile(r"\?step=2$"))
    assert_accessible(page, what="step 2")

    # Nothing typed yet: the step is checked before the next one, with the error summary
    page.keyboard.press("Tab")
    tab_to(page, page.get_by_role("button", name="Tiếp tục"))
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Vui lòng nhập Họ, chữ đệm, tên của trẻ")
    expect(summary).to_contain_text(f"Vui lòng nhập {DATE_OF_BIRTH}")
    expect(step_heading(page)).to_have_text("Bước 2/4 Thông tin về trẻ")  # still on step 2
    page.screenshot(path=str(shots / "form-step-errors-phone.png"), full_page=True)

    type_into(page, page.get_by_label("Họ, chữ đệm, tên của trẻ"), "Nguyễn Minh Khang")
    choose(page, page.get_by_label("Giới tính"), "Nam")
    born = date.today() - timedelta(days=20)
    group = page.get_by_role("group", name=DATE_OF_BIRTH)
    day = group.get_by_label("Ngày", exact=True)
    expect(day).to_have_attribute("inputmode", "numeric")
    type_into(page, day, str(born.day))
    type_into(page, group.get_by_label("Tháng", exact=True), str(born.month))
    type_into(page, group.get_by_label("Năm", exact=True), str(born.year))
    type_into(page, page.get_by_label("Nơi sinh"), "Bệnh viện đa khoa tỉnh Minh Họa")
    type_into(page, page.get_by_label("Dân tộc"), "Kinh")
    page.keyboard.press("Enter")  # Enter in a field sends the step, as in any form

    # Step 3: the parents; the browser's Back returns to step 2 with its answers
    expect(step_heading(page)).to_have_text("Bước 3/4 Thông tin về cha, mẹ")
    page.go_back()
    expect(step_heading(page)).to_have_text("Bước 2/4 Thông tin về trẻ")
    expect(page.get_by_label("Họ, chữ đệm, tên của trẻ")).to_have_value("Nguyễn Minh Khang")
    expect(group.get_by_label("Năm", exact=True)).to_have_value(str(born.year))
    page.go_forward()
    expect(step_heading(page)).to_have_text("Bước 3/4 Thông tin về cha, mẹ")
    assert_accessible(page, what="step 3")
    type_into(page, page.get_by_label("Họ, chữ đệm, tên của mẹ"), "Trần Thị Hoa")
    choose(page, page.get_by_label("Quan hệ với người được khai sinh"), "Cha")
    tab_to(page, page.get_by_role("button", name="Tiếp tục"))
    page.keyboard.press("Enter")

    # Step 4: the papers, chosen from the keyboard
    expect(step_heading(page)).to_have_text("Bước 4/4 Giấy tờ kèm theo")
    assert_accessible(page, what="step 4")
    tab_to(page, page.get_by_label(BIRTH_PAPER))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(pdf_file)
    expect(page.locator(".file", has_text=pdf_file.name)).to_contain_text("Đã tải lên")
    tab_to(page, page.get_by_role("button", name="Tiếp tục"))
    page.keyboard.press("Enter")

    # Check your answers, then file from there
    check = page.get_by_role("heading", level=2, name="Kiểm tra lại thông tin")
    expect(check).to_be_focused()
    main = page.locator("main")
    expect(main).to_contain_text(born.strftime("%d/%m/%Y"))
    expect(main).to_contain_text(pdf_file.name)
    assert_accessible(page, what="check your answers")
    page.screenshot(path=str(shots / "form-check-phone.png"), full_page=True)
    tab_to(page, page.get_by_role("button", name="Nộp hồ sơ", exact=True))
    page.keyboard.press("Enter")

    # The receipt says what happens next, the appointment date once
    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy tiếp nhận hồ sơ")
    nxt = page.locator(".next-steps")
    expect(nxt.get_by_role("heading", level=2)).to_have_text("Việc tiếp theo")
    expect(nxt).to_contain_text("Phường Minh Họa xem hồ sơ của bạn trong 1 ngày làm việc")
    expect(nxt).to_contain_text(f"qua thư điện tử tới {stack.citizen.username}")
    expect(nxt).to_contain_text("trên cổng này, trong mục “Hồ sơ của tôi”")
    expect(nxt).to_contain_text("Khi nhận kết quả, mang theo:")
    expect(nxt).to_contain_text("Bản gốc giấy chứng sinh")
    due = page.locator(".receipt__due").inner_text().strip()
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", due), due
    assert main.inner_text().count(due) == 1, "the appointment date is said once"
    expect(page.locator(".facts__row", has_text="Giấy tờ đã nộp")).to_contain_text(
        f"{BIRTH_PAPER}: {pdf_file.name}"
    )
    expect(page.get_by_role("link", name="Theo dõi hồ sơ", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="In giấy tiếp nhận")).to_be_visible()
    assert_accessible(page, what="receipt")
    page.screenshot(path=str(shots / "form-receipt-phone.png"), full_page=True)


@pytest.mark.parametrize(
    ("viewport", "language", "label", "words"),
    [
        (
            "desk",
            "vi",
            DATE_OF_BIRTH,
            {
                "real": f"{DATE_OF_BIRTH} phải là một ngày có thật",
                "past": f"{DATE_OF_BIRTH} phải là hôm nay hoặc một ngày đã qua",
                "missing": f"{DATE_OF_BIRTH} cần có đủ tháng và năm",
                "next": "Tiếp tục",
            },
        ),
        (
            "phone",
            "en",
            "Date of birth",
            {
                "real": "Date of birth must be a real date",
                "past": "Date of birth must be today or in the past",
                "missing": "Date of birth must include a month and year",
                "next": "Continue",
            },
        ),
    ],
)
def test_a_date_that_does_not_exist_is_refused_with_a_clear_message(
    stack: Stack,
    request: pytest.FixtureRequest,
    viewport: str,
    language: str,
    label: str,
    words: dict[str, str],
) -> None:
    page: Page = request.getfixturevalue(viewport)
    citizen_signs_in(page, stack)
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).click()
    page.goto(f"{stack.url}/#/file/{BIRTH_REGISTRATION}?step=2")
    group = page.get_by_role("group", name=label)
    day, month, year = (
        group.get_by_label(re.compile(f"^({name})$")) for name in ("Ngày|Day", "Tháng|Month", "Năm|Year")
    )

    # 31 February: refused, the day marked as the wrong part
    fill_date(page, label, date(2025, 1, 31))
    month.fill("2")
    page.get_by_role("button", name=words["next"]).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(words["real"])
    expect(group).to_contain_text(words["real"])
    expect(day).to_have_attribute("aria-invalid", "true")
    expect(month).not_to_have_attribute("aria-invalid", "true")
    assert_accessible(page, what=f"a date refused ({language}, {viewport})")

    # A birth tomorrow: the form says the date is in the past
    fill_date(page, label, datetime.now(VIETNAM).date() + timedelta(days=1))
    page.get_by_role("button", name=words["next"]).click()
    expect(alert).to_contain_text(words["past"])

    # Only the day: the month and year are asked for
    month.fill("")
    year.fill("")
    day.fill("5")
    page.get_by_role("button", name=words["next"]).click()
    expect(alert).to_contain_text(words["missing"])
    expect(year).to_have_attribute("aria-invalid", "true")
    expect(day).not_to_have_attribute("aria-invalid", "true")
    alert.get_by_role("link", name=words["missing"]).click()  # it lands on the first box missing
    expect(month).to_be_focused()


def test_check_answers_changes_an_answer_through_its_change_link_in_english_on_a_desk(
    stack: Stack, desk: Page, pdf_file: Path, shots: Path
) -> None:
    page = desk
    citizen_signs_in(page, stack)
    page.goto(f"{stack.url}/#/file/{BIRTH_REGISTRATION}")
    born = date.today() - timedelta(days=10)
    fill_birth_registration(page, born)
    attach(page, BIRTH_PAPER, pdf_file)
    page.get_by_role("button", name="EN", exact=True).click()
    expect(step_heading(page)).to_have_text("Step 4 of 4 Papers")
    next_step(page)

    # Every answer and every paper, each with its Change link
    expect(page.get_by_role("heading", level=2, name="Check your answers")).to_be_visible()
    row = page.locator(".check__row", has_text="Child's full name")
    expect(row).to_contain_text("Nguyễn Minh Khang")
    expect(page.locator(".check__row", has_text="Date of birth")).to_contain_text(born.strftime("%d/%m/%Y"))
    expect(page.locator(".check__row", has_text="Sex")).to_contain_text("Male")  # the choice's label
    expect(page.locator(".check__row", has_text="Father's full name")).to_contain_text("Not given")
    expect(page.locator(".check__row", has_text="Medical birth certificate")).to_contain_text(pdf_file.name)
    expect(page.get_by_role("link", name=re.compile("^Change"))).to_have_count(
        page.locator(".check__row").count()
    )
    assert_accessible(page, what="check your answers (en, desk)")
    page.screenshot(path=str(shots / "form-check-desk.png"), full_page=True)

    # "Change" goes back to the step, onto the field, and returns to the check
    row.get_by_role("link", name="Change Child's full name").click()
    expect(step_heading(page)).to_have_text("Step 2 of 4 About the child")
    field = page.get_by_label("Child's full name")
    expect(field).to_be_focused()
    field.fill("Nguyễn Minh Khôi")
    page.get_by_role("button", name="Save and return to the check").click()
    expect(page.get_by_role("heading", level=2, name="Check your answers")).to_be_focused()
    expect(row).to_contain_text("Nguyễn Minh Khôi")

    # Filed from the check page: the receipt in English says what comes next
    page.get_by_role("button", name="File the dossier", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossier receipt")
    nxt = page.locator(".next-steps")
    expect(nxt.get_by_role("heading", level=2)).to_have_text("What happens next")
    expect(nxt).to_contain_text(re.compile(r"within 1 working day(?!s)"))
    expect(nxt).to_contain_text(f"by email at {stack.citizen.username}")
    expect(nxt).to_contain_text("When you collect the result, bring:")
    expect(nxt).to_contain_text("The ID card of the person collecting it")
    expect(page.locator(".facts__row", has_text="Papers filed")).to_contain_text(pdf_file.name)
    assert_accessible(page, what="receipt (en, desk)")
    page.screenshot(path=str(shots / "form-receipt-desk.png"), full_page=True)


MARRIAGE = "1.000894"  # five fields, no steps: one page


def test_a_short_form_stays_on_one_page_and_sections_become_steps(stack: Stack, phone: Page) -> None:
    page = phone
    citizen_signs_in(page, stack)

    # The marriage registration, five fields and no steps: one page, no step counter
    page.goto(f"{stack.url}/#/file/{MARRIAGE}")
    expect(page.get_by_label("Họ, chữ đệm, tên của bên nam")).to_be_visible()
    expect(page.get_by_label("Số căn cước (CCCD)")).to_be_visible()
    expect(page.locator(".step__count")).to_have_count(0)
    expect(page.get_by_role("group", name="Ngày mong muốn nhận giấy chứng nhận kết hôn")).to_be_visible()
    assert_accessible(page, what="a one-page form")

    # Given the same procedure with its form made of sections (two objects), and no steps
    def in_sections(route: Route) -> None:
        procedure = route.fetch().json()
        fields = procedure["form"]["properties"]

        def section(title: str, names: list[str]) -> dict[str, object]:
            return {
                "type": "object",
                "title": title,
                "required": names,
                "properties": {n: fields[n] for n in names},
            }

        procedure["form"] = {
            "type": "object",
            "required": ["husband", "wife", "marriage_date_wish"],
            "properties": {
                "husband": section("Bên nam", ["husband_full_name", "husband_id_number"]),
                "wife": section("Bên nữ", ["wife_full_name", "wife_id_number"]),
                "marriage_date_wish": fields["marriage_date_wish"],
            },
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(procedure))

    page.route(f"**/v1/procedures/{MARRIAGE}", in_sections)
    page.goto(f"{stack.url}/")
    page.goto(f"{stack.url}/#/file/{MARRIAGE}")

    # Then each section is a step, the loose field first
    expect(step_heading(page)).to_have_text("Bước 1/5 Thông tin người nộp hồ sơ")
    page.get_by_label("Số căn cước (CCCD)").fill("001090012345")
    page.get_by_label("Địa chỉ liên hệ").fill("Số 25 đường Trần Phú, phường Minh Họa")
    next_step(page)
    expect(step_heading(page)).to_have_text("Bước 2/5 Thông tin tờ khai")
    fill_date(
        page, "Ngày mong muốn nhận giấy chứng nhận kết hôn", datetime.now(VIETNAM).date() + timedelta(days=7)
    )
    next_step(page)
    expect(step_heading(page)).to_have_text("Bước 3/5 Bên nam")
    expect(page.get_by_label("Họ, chữ đệm, tên của bên nam")).to_be_visible()
    expect(page.get_by_label("Họ, chữ đệm, tên của bên nữ")).to_have_count(0)
