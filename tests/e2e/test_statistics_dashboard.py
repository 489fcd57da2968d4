"""The leaders' dashboard (#/stats) and the public results page (#/results) in the browser, on the
local stack's real statistics (the counters kept from the table's stream, docs/statistics.md).

The test files what it counts itself (a birth registration, received online this month), waits for
the counters to take it in, then checks that the page says what the API says, that a number leads to
the dossiers behind it and on to the dossier, and that the XLSX downloads under the API's name.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import requests
from playwright.sync_api import expect

from infra.devstack.accounts import demo_accounts
from motcua.config.province import load_province
from tests.conftest import DEMO_PROVINCE
from tests.e2e.support import (
    BIRTH_REGISTRATION,
    Person,
    assert_accessible,
    birth_registration_through_api,
    officer_signs_in,
    open_menu_item,
    receiving_agency,
    staff_member,
)

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

COUNTED_WITHIN_S = 300  # the stats worker reads the stream's queue every second or so; a stack shared by
# every browser test of a CI worker may have a backlog of changes before it (ten records a poll: a CI
# run waited over 30 s)


def this_month() -> str:
    return (datetime.now(UTC) + timedelta(hours=7)).strftime("%Y-%m")


def staff_headers(stack: Stack, person: Person) -> dict[str, str]:
    tokens = requests.post(
        f"{stack.url}/v1/auth/staff/sign-in",
        json={"username": person.username, "password": person.password},
        timeout=10,
    ).json()
    return {"Authorization": f"Bearer {tokens['id_token']}"}


def report(stack: Stack, auth: dict[str, str], **query: str) -> dict[str, Any]:
    answer = requests.get(f"{stack.url}/v1/statistics", params=query, headers=auth, timeout=10)
    assert answer.ok, answer.text
    body: dict[str, Any] = answer.json()
    return body


def decide(stack: Stack, auth: dict[str, str], code: str, action: str) -> None:
    """`action` on the open task of dossier `code` that the staff member of `auth` holds."""
    agency = receiving_agency(BIRTH_REGISTRATION)
    tasks = requests.get(
        f"{stack.url}/v1/agencies/{agency}/tasks", params={"limit": 100}, headers=auth, timeout=10
    )
    tasks.raise_for_status()
    task = next(item["task_id"] for item in tasks.json()["items"] if item["dossier_code"] == code)
    decided = requests.post(
        f"{stack.url}/v1/tasks/{task}/decision", json={"action": action}, headers=auth, timeout=10
    )
    assert decided.ok, decided.text


@pytest.fixture(scope="module")
def resolved(stack: Stack) -> str:
    """A birth registration filed, accepted by the ward's desk and its result issued by its officer
    and approved (resolved, early); its code once the counters have it."""
    agency = receiving_agency(BIRTH_REGISTRATION)
    receiver = staff_headers(stack, stack.receivers[agency])
    officer = staff_headers(stack, staff_member(agency, "officer"))
    leader = staff_headers(stack, staff_member(agency, "leader"))
    month = {"from": this_month(), "to": this_month(), "agency": agency}
    before = report(stack, leader, **month)["total"]["resolved"]
    code = birth_registration_through_api(stack)
    decide(stack, receiver, code, "accept")
    issued = requests.post(
        f"{stack.url}/v1/dossiers/{code}/results",
        json={"render": True, "summary": "Đồng ý đăng ký khai sinh."},
        headers=officer,
        timeout=30,
    )
    assert issued.ok, issued.text
    decide(stack, officer, code, "approve")
    deadline = time.monotonic() + COUNTED_WITHIN_S
    while report(stack, leader, **month)["total"]["resolved"] <= before:
        assert time.monotonic() < deadline, (
            f"the counters did not count {code} resolved within {COUNTED_WITHIN_S} s"
        )
        time.sleep(0.5)
    return code


def rate_vi(rate: float | None) -> re.Pattern[str]:
    """How the page writes a rate in Vietnamese: 81,8 % (one decimal at most)."""
    if rate is None:
        return re.compile("^—$")
    text = f"{rate * 100:.1f}".removesuffix(".0").replace(".", ",")
    return re.compile(rf"^{re.escape(text)}\s?%$")


def count_vi(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def expect_indicators(page: Page, measured: dict[str, Any], *, none: str, title: str) -> None:
    """The section of the Decision 766 indicators says each value of the API's answer `measured`."""
    section = page.locator("#stats-ind-section")
    expect(section.get_by_role("heading", level=2)).to_have_text(title)
    expect(section.locator("tbody tr")).to_have_count(len(measured["items"]))
    for item in measured["items"]:
        row = section.locator(f"tr[data-key={item['key']}]")
        value, fraction = row.locator("td").nth(1), row.locator("td").nth(2)
        if not item["held"]:
            expect(value).to_have_text(none)
            expect(row.locator("th")).to_contain_text(item["missing"])
        elif item["value"] is None:
            expect(value).to_contain_text("—")
        else:
            expect(value).to_have_text(
                rate_vi(item["value"]) if none == "Chưa có dữ liệu" else rate_en(item["value"])
            )
        if item["held"]:
            expect(fraction).to_have_text(
                f"{count_vi(item['numerator'])} / {count_vi(item['denominator'])}"
                if none == "Chưa có dữ liệu"
                else f"{item['numerator']:,} / {item['denominator']:,}"
            )


def rate_en(rate: float) -> re.Pattern[str]:
    """How the page writes a rate in English: 81.8% (one decimal at most)."""
    return re.compile(rf"^{re.escape(f'{rate * 100:.1f}'.removesuffix('.0'))}%$")


def test_a_leader_reads_the_dashboard_drills_down_and_downloads(
    stack: Stack, resolved: str, desk: Page, tmp_path: Path
) -> None:
    agency = receiving_agency(BIRTH_REGISTRATION)
    leader = staff_member(agency, "leader")
    auth = staff_headers(stack, leader)
    month = this_month()
    year_start = f"{month[:4]}-01"
    before = report(stack, auth, **{"from": month, "to": month, "agency": agency})["total"]["received_online"]
    dossier = birth_registration_through_api(stack)
    deadline = time.monotonic() + COUNTED_WITHIN_S
    while (
        report(stack, auth, **{"from": month, "to": month, "agency": agency})["total"]["received_online"]
        <= before
    ):
        assert time.monotonic() < deadline, (
            f"the counters did not count {dossier} within {COUNTED_WITHIN_S} s"
        )
        time.sleep(0.5)

    officer_signs_in(desk, stack, leader)
    open_menu_item(desk, "Thống kê")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Thống kê giải quyết hồ sơ")
    expect(desk.locator("#stats-from")).to_have_value(year_start)
    # The key numbers are the API's, for this year's months and the leader's agency.
    total = report(stack, auth, **{"from": year_start, "to": month, "agency": agency, "by": "month"})["total"]
    assert total["received_online"] > before and total["resolved"] >= 1
    keys = desk.locator(".stats-keys")
    expect(keys.locator("[data-key=received] dd")).to_have_text(str(total["received"]))
    expect(keys.locator("[data-key=resolved] dd")).to_have_text(str(total["resolved"]))
    expect(keys.locator("[data-key=rate] dd")).to_have_text(rate_vi(total["on_time_rate"]))
    expect(keys.locator("[data-key=overdue] dd")).to_have_text(str(total["overdue"]))
    # Each chart has its table, with a caption; this month's row says the API's numbers.
    months = desk.get_by_role("table", name=re.compile("Kết quả giải quyết theo tháng"))
    row = months.locator("tbody tr", has=desk.locator("th", has_text=f"{month[5:]}/{month[:4]}"))
    this = report(stack, auth, **{"from": month, "to": month, "agency": agency})["total"]
    expect(row.locator("td").first).to_have_text(str(this["new"]))
    # Every count of every month is a link to its dossiers (the rate, the sixth column, is not a count).
    expect(months.locator("tbody tr td a")).to_have_count(5 * int(month[5:]))
    expect(desk.locator("#stats-months-section svg.chart rect")).to_have_count(int(month[5:]))
    expect(desk.get_by_role("table", name=re.compile("theo cơ quan"))).to_have_count(1)
    period = {"from": year_start, "to": month, "agency": agency}
    late = requests.get(
        f"{stack.url}/v1/statistics/late-procedures", params=period, headers=auth, timeout=10
    ).json()
    expect(desk.locator("#stats-late-section tbody tr")).to_have_count(len(late["rows"]))
    due = requests.get(
        f"{stack.url}/v1/statistics/due", params={"agency": agency}, headers=auth, timeout=10
    ).json()
    expect(desk.locator("#stats-due-section tbody tr")).to_have_count(len(due["days"]))
    for day, cells in zip(due["days"], desk.locator("#stats-due-section tbody tr td").all(), strict=True):
        expect(cells).to_have_text(str(day["count"]))
    # The Decision 766 indicators: the API's values, a definition and its clause one click away.
    measured = requests.get(
        f"{stack.url}/v1/statistics/indicators", params=period, headers=auth, timeout=10
    ).json()
    assert {item["key"] for item in measured["items"] if item["held"]} >= {
        "on_time_rate",
        "dossier_satisfaction",
    }
    expect_indicators(desk, measured, none="Chưa có dữ liệu", title="Chỉ số theo Quyết định 766")
    on_time = desk.locator("#stats-ind-section tr[data-key=on_time_rate]")
    on_time.get_by_text("Định nghĩa").click()
    expect(on_time.locator("details dd").nth(1)).to_have_text(
        next(item["clause"] for item in measured["items"] if item["key"] == "on_time_rate")
    )
    assert_accessible(desk, what="the dashboard")

    # The XLSX of the month table: a workbook, under the API's name.
    with desk.expect_download() as info:
        desk.locator("[data-export='thang.xlsx']").click()
    assert info.value.suggested_filename == f"thong-ke-{agency}-{year_start}-{month}-month.xlsx"
    saved = tmp_path / "thang.xlsx"
    info.value.save_as(saved)
    assert saved.read_bytes()[:4] == b"PK\x03\x04"  # a zip: what an .xlsx is

    # This month's new dossiers lead to the dossiers behind the number, the one filed among them.
    row.locator("td").first.get_by_role("link").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Hồ sơ theo số liệu")
    found = desk.get_by_role("link", name=dossier, exact=True)
    more = desk.locator("#main button.more")
    while not found.count() and more.is_visible():
        more.click()
    assert_accessible(desk, what="the drill-down")
    found.click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text(dossier)


def test_the_dashboard_in_english_on_a_phone(stack: Stack, phone: Page) -> None:
    agency = receiving_agency(BIRTH_REGISTRATION)
    leader = staff_member(agency, "leader")
    officer_signs_in(phone, stack, leader)
    phone.locator(".lang__btn[data-lang=en]").click()
    month = this_month()
    phone.goto(f"{stack.url}/#/stats?from={month}&to={month}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Dossier statistics")
    total = report(stack, staff_headers(stack, leader), **{"from": month, "to": month, "agency": agency})[
        "total"
    ]
    expect(phone.locator(".stats-keys [data-key=received] dd")).to_have_text(f"{total['received']:,}")
    expect(phone.get_by_role("table", name=re.compile("Results by month"))).to_be_visible()
    measured = requests.get(
        f"{stack.url}/v1/statistics/indicators",
        params={"from": month, "to": month, "agency": agency},
        headers={**staff_headers(stack, leader), "Accept-Language": "en"},
        timeout=10,
    ).json()
    expect_indicators(phone, measured, none="No data yet", title="Decision 766 indicators")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone, what="the dashboard in English on a phone")


def test_the_public_results_open_without_sign_in(
    stack: Stack, resolved: str, phone: Page, desk: Page
) -> None:
    results = requests.get(f"{stack.url}/v1/public/results", timeout=10).json()
    assert results["province"]["resolved"] >= 1
    phone.goto(f"{stack.url}/")
    phone.get_by_role("link", name="Kết quả giải quyết hồ sơ của tỉnh").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Kết quả giải quyết hồ sơ")
    expect(phone.locator(".stats-keys [data-key=year] dd")).to_have_text(
        rate_vi(results["province"]["on_time_rate"])
    )
    expect(phone.locator(".stats-keys [data-key=year-count] dd")).to_have_text(
        str(results["province"]["resolved"])
    )
    table = phone.get_by_role("table", name=re.compile("theo cơ quan"))
    expect(table.locator("tbody tr")).to_have_count(len(results["rows"]))
    for row, shown in zip(results["rows"], table.locator("tbody tr").all(), strict=True):
        expect(shown.locator("th")).to_have_text(row["name"])
        year = row["year"]
        expect(shown.locator("td")).to_have_text(
            [
                str(year["resolved"]),
                str(year["on_time"]),
                rate_vi(year["on_time_rate"]),
                re.compile("."),
                re.compile("."),
                re.compile("."),
            ]
        )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone, what="the public results on a phone")

    desk.goto(f"{stack.url}/#/results")
    desk.locator(".lang__btn[data-lang=en]").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Results of dossier handling")
    expect(desk.get_by_role("table", name=re.compile("by agency"))).to_be_visible()
    assert_accessible(desk, what="the public results in English")


def test_an_administrator_reads_the_province_and_drills_down(stack: Stack, resolved: str, desk: Page) -> None:
    admin = next(a for a in demo_accounts(load_province(DEMO_PROVINCE)) if a.role == "admin")
    auth = staff_headers(stack, Person(admin.username, admin.password, admin.name))
    desk.goto(f"{stack.url}/#/staff")
    desk.get_by_label("Tên đăng nhập").fill(admin.username)
    desk.get_by_label("Mật khẩu", exact=True).fill(admin.password)
    desk.get_by_role("button", name="Đăng nhập").click()
    expect(desk.locator("#userbar")).to_contain_text(admin.name)
    open_menu_item(desk, "Thống kê")
    # The province by default, and every agency to pick from.
    expect(desk.locator("#stats-agency")).to_have_value("")
    agencies = requests.get(f"{stack.url}/v1/agencies", timeout=10).json()["items"]
    expect(desk.locator("#stats-agency option")).to_have_count(1 + len(agencies))
    month = this_month()
    total = report(stack, auth, **{"from": f"{month[:4]}-01", "to": month})["total"]
    expect(desk.locator(".stats-keys [data-key=resolved] dd")).to_have_text(str(total["resolved"]))
    # The province's resolved this month: the dossiers of every agency, the one resolved among them.
    months = desk.get_by_role("table", name=re.compile("Kết quả giải quyết theo tháng"))
    row = months.locator("tbody tr", has=desk.locator("th", has_text=f"{month[5:]}/{month[:4]}"))
    row.locator("td").nth(1).get_by_role("link").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Hồ sơ theo số liệu")
    found = desk.get_by_role("link", name=resolved, exact=True)
    more = desk.locator("#main button.more")
    while not found.count() and more.is_visible():
        more.click()
    expect(found).to_be_visible()
