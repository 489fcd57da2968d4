"""The leaders' dashboard (#/stats) and the public results page (#/results) in the browser.

The statistics routes' answers are FIXED here (the shapes of docs/statistics.md's API), served to the
page by Playwright in place of the API's: the test checks that what the page shows, links and
downloads is what the API says, whatever the counters hold. The dossier behind the drill-down is a
real one, filed over HTTP, so that its page opens.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.e2e.support import (
    BIRTH_REGISTRATION,
    assert_accessible,
    birth_registration_through_api,
    officer_signs_in,
    open_menu_item,
    receiving_agency,
    staff_member,
)

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page, Route

    from tests.e2e.support import Stack

pytestmark = pytest.mark.e2e

XLSX = b"PK\x03\x04 a workbook"  # what the browser saves is what the API sent


def figures(**given: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict.fromkeys(
        [
            "carried_over", "received_online", "received_counter", "received_post", "new", "received",
            "early", "on_time", "late", "resolved", "in_time", "overdue", "in_progress", "refused",
            "withdrawn", "stopped", "steps_early", "steps_on_time", "steps_late",
        ],
        0,
    )
    base |= {"waiting": None, "on_time_rate": None, "average_working_days": None}
    return base | given


class FakeStatistics:
    """The statistics routes' answers for `agency`, and what the page asked for."""

    def __init__(self, agency: str, dossier: str) -> None:
        self.agency = agency
        self.dossier = dossier
        self.asked: list[tuple[str, dict[str, list[str]]]] = []
        nov = figures(received_online=5, received_counter=2, new=7, received=9, early=3, on_time=4, late=2,
                      resolved=9, overdue=1, on_time_rate=7 / 9, average_working_days=3.25)
        dec = figures(received_online=3, new=3, received=5, early=1, on_time=1, resolved=2, overdue=1,
                      on_time_rate=1.0, average_working_days=2.0)
        self.total = figures(received_online=8, received_counter=2, new=10, received=12, early=4, on_time=5,
                             late=2, resolved=11, overdue=1, on_time_rate=9 / 11, average_working_days=3.0)
        self.months = [{"key": "2026-11", "name": "11/2026"} | nov, {"key": "2026-12", "name": "12/2026"} | dec]

    def answer(self, route: Route) -> None:
        url = urlparse(route.request.url)
        query = parse_qs(url.query)
        self.asked.append((url.path, query))
        if url.path.endswith("/statistics/export"):
            fmt = query["format"][0]
            route.fulfill(
                status=200,
                body=XLSX if fmt == "xlsx" else "\ufeffTháng,Tiếp nhận\r\n".encode(),
                headers={
                    "Content-Type": "application/octet-stream",
                    "Content-Disposition": f"attachment; filename=\"thong-ke-{query['by'][0]}.{fmt}\"",
                },
            )
            return
        if url.path.endswith("/statistics/late-procedures"):
            body: dict[str, Any] = {"rows": [{"procedure": BIRTH_REGISTRATION, "name": "Đăng ký khai sinh", "late": 2, "resolved": 9}]}
        elif url.path.endswith("/statistics/due"):
            body = {"days": [{"date": "2026-12-07", "count": 3}, {"date": "2026-12-08", "count": 0}]}
        elif url.path.endswith("/statistics/dossiers"):
            item = {"code": self.dossier, "procedure": BIRTH_REGISTRATION, "procedure_name": "Đăng ký khai sinh",
                    "status": 4, "filed_at": "2026-11-02T02:00:00Z", "due_at": "2026-11-05T10:00:00Z",
                    "finished_at": "2026-11-09T03:00:00Z"}
            body = {"items": [item] if query.get("month") == ["2026-11"] else [], "next_token": None}
        elif query.get("by") == ["agency"]:
            body = {"from": "2026-11", "to": "2026-12", "agency": {"code": self.agency, "name": "UBND"}, "by": "agency",
                    "total": self.total, "rows": [{"key": self.agency, "name": "Ủy ban nhân dân phường"} | self.total]}
        else:
            body = {"from": "2026-11", "to": "2026-12", "agency": {"code": self.agency, "name": "UBND"}, "by": "month",
                    "total": self.total, "rows": self.months}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))


RESULTS = {
    "year": 2026,
    "month": "2026-12",
    "updated_at": "2026-12-06T01:00:00Z",
    "province": {"resolved": 40, "on_time": 38, "on_time_rate": 0.95},
    "rows": [
        {"agency": "A1", "name": "Sở Tư pháp", "year": {"resolved": 30, "on_time": 29, "on_time_rate": 29 / 30, "received": 33},
         "month": {"resolved": 4, "on_time": 3, "on_time_rate": 0.75, "received": 5}},
        {"agency": "A2", "name": "Ủy ban nhân dân phường", "year": {"resolved": 10, "on_time": 9, "on_time_rate": 0.9, "received": 11},
         "month": {"resolved": 0, "on_time": 0, "on_time_rate": None, "received": 1}},
    ],
}


def test_a_leader_reads_the_dashboard_drills_down_and_downloads(stack: Stack, desk: Page, tmp_path: Path) -> None:
    agency = receiving_agency(BIRTH_REGISTRATION)
    leader = staff_member(agency, "leader")
    dossier = birth_registration_through_api(stack)
    api = FakeStatistics(agency, dossier)
    desk.route(re.compile(r".*/v1/statistics.*"), api.answer)

    officer_signs_in(desk, stack, leader)
    open_menu_item(desk, "Thống kê")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Thống kê giải quyết hồ sơ")
    # The key numbers are the API's total.
    keys = desk.locator(".stats-keys")
    expect(keys.locator("[data-key=received] dd")).to_have_text("12")
    expect(keys.locator("[data-key=resolved] dd")).to_have_text("11")
    expect(keys.locator("[data-key=rate] dd")).to_have_text(re.compile(r"^81,8\s?%$"))
    expect(keys.locator("[data-key=days] dd")).to_have_text("3")
    expect(keys.locator("[data-key=overdue] dd")).to_have_text("1")
    # The leader's own agency was asked for, and each chart has its table with a caption.
    assert all(q.get("agency") == [agency] for path, q in api.asked if path.endswith("/statistics"))
    months = desk.get_by_role("table", name=re.compile("Kết quả giải quyết theo tháng"))
    expect(months.locator("tbody tr")).to_have_count(2)
    november = months.locator("tbody tr").first
    expect(november.locator("th")).to_have_text("11/2026")
    expect(november.locator("td")).to_have_text(["7", "9", "7", "2", re.compile(r"^77,8\s?%$"), "1"])
    expect(desk.locator("#stats-months-section svg.chart rect")).to_have_count(2)
    late = desk.get_by_role("table", name=re.compile("nhiều hồ sơ giải quyết quá hạn"))
    expect(late.locator("tbody tr")).to_have_text([re.compile(r"Đăng ký khai sinh.*2\s*9")])
    assert_accessible(desk, what="the dashboard")

    # The XLSX of the month table is the API's file, under the API's name.
    with desk.expect_download() as info:
        desk.locator("[data-export='thang.xlsx']").click()
    assert info.value.suggested_filename == "thong-ke-month.xlsx"
    saved = tmp_path / "thang.xlsx"
    info.value.save_as(saved)
    assert saved.read_bytes() == XLSX
    export = next(q for path, q in api.asked if path.endswith("/export"))
    assert export["format"] == ["xlsx"] and export["by"] == ["month"] and export["agency"] == [agency]

    # November's late number leads to the dossiers behind it, and on to the dossier.
    november.get_by_role("link", name=re.compile(r"^2 — Quá hạn")).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Hồ sơ theo số liệu")
    drilled = [q for path, q in api.asked if path.endswith("/statistics/dossiers")]
    assert drilled == [{"agency": [agency], "month": ["2026-11"], "column": ["late"]}]
    assert_accessible(desk, what="the drill-down")
    desk.get_by_role("link", name=dossier).click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text(dossier)


def test_the_dashboard_in_english_on_a_phone(stack: Stack, phone: Page) -> None:
    agency = receiving_agency(BIRTH_REGISTRATION)
    api = FakeStatistics(agency, "unused")
    phone.route(re.compile(r".*/v1/statistics.*"), api.answer)
    officer_signs_in(phone, stack, staff_member(agency, "leader"))
    phone.locator(".lang__btn[data-lang=en]").click()
    phone.goto(f"{stack.url}/#/stats?from=2026-11&to=2026-12")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Dossier statistics")
    expect(phone.locator(".stats-keys [data-key=rate] dd")).to_have_text(re.compile(r"^81\.8\s?%$"))
    expect(phone.get_by_role("table", name=re.compile("Results by month"))).to_be_visible()
    phone.screenshot(path="/tmp/motcua-shots/stats-phone-en.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone, what="the dashboard in English on a phone")


def test_the_public_results_open_without_sign_in(stack: Stack, phone: Page, desk: Page) -> None:
    for page in (phone, desk):
        page.route(re.compile(r".*/v1/public/results.*"), lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(RESULTS)))
    phone.goto(f"{stack.url}/")
    phone.get_by_role("link", name="Kết quả giải quyết hồ sơ của tỉnh").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Kết quả giải quyết hồ sơ")
    expect(phone.locator(".stats-keys [data-key=year] dd")).to_have_text(re.compile(r"^95\s?%$"))
    expect(phone.locator(".stats-keys [data-key=month] dd")).to_have_text(re.compile(r"^75\s?%$"))
    table = phone.get_by_role("table", name=re.compile("theo cơ quan"))
    expect(table.locator("tbody tr").first).to_have_text(re.compile(r"Sở Tư pháp\s*30\s*29\s*96,7\s?%\s*4\s*3\s*75\s?%"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone, what="the public results on a phone")

    desk.goto(f"{stack.url}/#/results")
    desk.locator(".lang__btn[data-lang=en]").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Results of dossier handling")
    expect(desk.locator(".stats-keys [data-key=year] dd")).to_have_text(re.compile(r"^95\s?%$"))
    assert_accessible(desk, what="the public results in English")
