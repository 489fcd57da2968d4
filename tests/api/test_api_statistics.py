"""The statistics API (docs/statistics.md) on in-memory fakes, every answer held to the OpenAPI document:
a small history at the provincial Social Insurance, its numbers counted by hand; who sees what; the
exports read back; the dossiers behind a number; the public results; errors that name the field."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from chalice.test import Client

from motcua.domain.roles import Role
from tests.api.conftest import API_DIR, Api
from tests.conftest import DEMO_PROVINCE
from tests.fakes.clock import FrozenClock
from tests.fakes.world import World

if TYPE_CHECKING:
    from collections.abc import Iterator

    from motcua.domain.models import Principal

pytestmark = pytest.mark.offline

SI = "000.00.22.H99"  # the provincial Social Insurance decides its procedures alone
DECLARATION = "1.000058"  # five working days
FINANCE = "000.00.01.H99"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world() -> World:
    return World(DEMO_PROVINCE, clock=FrozenClock(datetime(2026, 10, 6, 2, tzinfo=UTC)))  # Tue 6 Oct, 09:00


@pytest.fixture
def history(world: World) -> dict[str, str]:
    """Tuesday 6 October: three declarations filed online. One accepted and approved the same day
    (early: due Tuesday 13 October), one accepted only, one refused at the desk. Tuesday 17 November:
    the accepted one is approved (late, 30 working days after receipt), and a fourth is filed (due
    Wednesday 25 November: in time)."""
    citizen = world.citizen()
    desk, officer = world.staff(SI, Role.RECEIVER), world.staff(SI, Role.OFFICER)
    early = world.file(citizen, DECLARATION).code
    world.decide(desk, f"{early}-T1", "accept")
    world.decide(officer, f"{early}-T1", "approve")
    late = world.file(citizen, DECLARATION).code
    world.decide(desk, f"{late}-T1", "accept")
    refused = world.file(citizen, DECLARATION).code
    world.decide(desk, f"{refused}-T1", "refuse", "Thiếu danh sách lao động")
    world.clock.set(datetime(2026, 11, 17, 2, tzinfo=UTC))
    world.decide(officer, f"{late}-T1", "approve")
    open_ = world.file(citizen, DECLARATION).code
    return {"early": early, "late": late, "refused": refused, "open": open_}


@pytest.fixture
def api(world: World) -> Iterator[Api]:
    from app import app

    from chalicelib import deps
    from chalicelib.openapi import document

    deps.set_container(world.container)
    try:
        with Client(app, project_dir=str(API_DIR)) as client:
            yield Api(client, document(app))
    finally:
        deps.set_container(None)


def token(world: World, who: Principal) -> str:
    return world.verifier.issue(who)


def numbers(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures that are not zero (or none)."""
    return {name: value for name, value in figures.items() if value}


def test_a_report_counted_by_hand(world: World, history: dict[str, str], api: Api) -> None:
    leader = token(world, world.staff(SI, Role.LEADER))

    october = api.get("/v1/statistics?from=2026-10&to=2026-10", token=leader)
    assert october.status == 200
    assert october.json["agency"]["code"] == SI and october.json["by"] == "agency"
    # Three new online; one early, one refused; the accepted one still open at the end of October and
    # past its due day (13 October); waiting unknown for a month before this one.
    assert numbers(october.json["total"]) == {
        "received_online": 3,
        "new": 3,
        "received": 3,
        "early": 1,
        "resolved": 1,
        "refused": 1,
        "overdue": 1,
        "in_progress": 1,
        "on_time_rate": 1.0,
    }
    assert october.json["total"]["waiting"] is None

    november = api.get("/v1/statistics?from=2026-11&to=2026-11", token=leader).json["total"]
    # Carried over: the overdue one; resolved late in November after 30 working days (6 Oct → 17 Nov);
    # the new one in time.
    assert numbers(november) == {
        "carried_over": 1,
        "received_online": 1,
        "new": 1,
        "received": 2,
        "late": 1,
        "resolved": 1,
        "in_time": 1,
        "in_progress": 1,
        "average_working_days": 30.0,
    }
    assert november["on_time_rate"] == 0.0 and november["waiting"] == 0

    both = api.get("/v1/statistics?from=2026-10&to=2026-11&by=month", token=leader).json
    assert numbers(both["total"]) | {"on_time_rate": 0.5} == numbers(both["total"])
    assert (both["total"]["received"], both["total"]["resolved"], both["total"]["in_time"]) == (4, 2, 1)
    assert [(row["key"], row["received"], row["resolved"]) for row in both["rows"]] == [
        ("2026-10", 3, 1),
        ("2026-11", 2, 1),
    ]
    assert both["rows"][0]["name"] == "Tháng 10/2026"

    by_procedure = api.get("/v1/statistics?from=2026-10&to=2026-11&by=procedure", token=leader).json
    assert [row["key"] for row in by_procedure["rows"]] == [DECLARATION]
    row = by_procedure["rows"][0]
    assert {k: v for k, v in row.items() if k not in ("key", "name")} == by_procedure["total"]

    late = api.get("/v1/statistics/late-procedures?from=2026-10&to=2026-11", token=leader).json
    assert [(r["procedure"], r["late"], r["resolved"]) for r in late["rows"]] == [(DECLARATION, 1, 2)]
    assert not api.get("/v1/statistics/late-procedures?from=2026-10&to=2026-10", token=leader).json["rows"]


def test_the_province_side_by_side_for_an_administrator(
    world: World, history: dict[str, str], api: Api
) -> None:
    admin = token(world, world.staff(FINANCE, Role.ADMIN))
    province = api.get("/v1/statistics?from=2026-10&to=2026-11", token=admin).json
    assert province["agency"] is None
    assert [row["key"] for row in province["rows"]] == [SI]  # only agencies with a number
    assert {k: v for k, v in province["rows"][0].items() if k not in ("key", "name")} == province["total"]
    assert province["rows"][0]["name"] == "Bảo hiểm xã hội tỉnh Minh Họa"
    english = api.get("/v1/statistics?from=2026-10&to=2026-11", token=admin, lang="en").json
    assert english["rows"][0]["name"] != province["rows"][0]["name"]


def test_who_sees_what(world: World, history: dict[str, str], api: Api) -> None:
    period = "/v1/statistics?from=2026-10&to=2026-11"
    finance_leader = token(world, world.staff(FINANCE, Role.LEADER))
    assert api.get(f"{period}&agency={SI}", token=finance_leader).status == 403
    assert api.get(f"{period}&agency={FINANCE}", token=finance_leader).status == 200
    # Planning and Investment merged into Finance: its leader may look at it too.
    assert api.get(f"{period}&agency=000.00.07.H99", token=finance_leader).status == 200
    for role in (Role.OFFICER, Role.RECEIVER):
        refused = api.get(period, token=token(world, world.staff(SI, role)))
        assert refused.status == 403 and refused.error["code"] == "forbidden"
    citizen = api.get(period, token=token(world, world.citizen()))
    assert citizen.status == 403
    assert (
        api.get(f"{period}&agency=000.99.99.H99", token=token(world, world.staff(SI, Role.ADMIN))).status
        == 404
    )


@pytest.mark.parametrize(
    ("query", "field", "english"),
    [
        ("from=2026-13&to=2026-11", "from", "a month is written YYYY-MM"),
        ("from=2026-11&to=november", "to", "a month is written YYYY-MM"),
        ("from=2026-11&to=2026-12", "to", "has not come yet"),
        ("from=2026-11&to=2026-10", "from", "must come before"),
        ("from=2023-10&to=2026-11", "from", "at most 36 months"),
    ],
)
def test_a_bad_period_is_a_422_naming_the_field_in_both_languages(
    world: World, api: Api, query: str, field: str, english: str
) -> None:
    world.clock.set(datetime(2026, 11, 17, 2, tzinfo=UTC))
    leader = token(world, world.staff(SI, Role.LEADER))
    answer = api.get(f"/v1/statistics?{query}", token=leader, lang="en")
    assert answer.status == 422
    assert answer.field_names() == [field] and english in answer.error["message"]
    vietnamese = api.get(f"/v1/statistics?{query}", token=leader)
    assert vietnamese.status == 422 and vietnamese.error["message"] != answer.error["message"]


def test_the_export_as_xlsx_and_csv(world: World, history: dict[str, str], api: Api) -> None:
    leader = token(world, world.staff(SI, Role.LEADER))
    query = "from=2026-10&to=2026-11&by=month"
    answer = api.get(f"/v1/statistics/export?{query}&format=xlsx", token=leader, headers={"Accept": XLSX})
    assert answer.status == 200 and answer.header("Content-Type") == XLSX
    assert "attachment" in (answer.header("Content-Disposition") or "")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.body)).active
    assert sheet is not None
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    above = [row[0] for row in cells[:4]]
    assert "từ tháng 10/2026 đến tháng 11/2026" in str(above[1])
    assert "Bảo hiểm xã hội tỉnh Minh Họa" in str(above[2])
    header = cells[5]
    assert header[:3] == ["STT", "Mã", "Tháng"]
    assert (
        "Kỳ trước chuyển qua" in header
        and "Đã giải quyết quá hạn" in header
        and "Tỷ lệ đúng hạn (%)" in header
    )
    column = {title: n for n, title in enumerate(header)}
    october, november, total = cells[6], cells[7], cells[8]
    assert (october[1], october[column["Tổng số tiếp nhận"]], october[column["Đã giải quyết trước hạn"]]) == (
        "2026-10",
        3,
        1,
    )
    assert (november[column["Kỳ trước chuyển qua"]], november[column["Đã giải quyết quá hạn"]]) == (1, 1)
    assert (total[2], total[column["Tổng số tiếp nhận"]], total[column["Tỷ lệ đúng hạn (%)"]]) == (
        "Tổng cộng",
        4,
        50,
    )

    answer = api.get(
        f"/v1/statistics/export?{query}&format=csv", token=leader, headers={"Accept": "text/csv"}
    )
    assert answer.status == 200 and answer.header("Content-Type") == "text/csv; charset=utf-8"
    assert answer.body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["STT", "Mã", "Tháng"] and rows[0] == header
    assert rows[3][2] == "Tổng cộng" and rows[3][column["Tổng số tiếp nhận"]] == "4"

    officer = token(world, world.staff(SI, Role.OFFICER))
    refused = api.get(f"/v1/statistics/export?{query}", token=officer, headers={"Accept": "*/*"})
    assert refused.status == 403


def test_the_dossiers_behind_a_number(world: World, history: dict[str, str], api: Api) -> None:
    leader = token(world, world.staff(SI, Role.LEADER))

    def codes(month: str, column: str) -> list[str]:
        """Every page's dossiers (a page reads one agency's listing; one may be empty)."""
        found, next_token = [], ""
        while next_token is not None:
            query = f"agency={SI}&month={month}&column={column}" + (
                f"&next_token={next_token}" if next_token else ""
            )
            answer = api.get(f"/v1/statistics/dossiers?{query}", token=leader)
            assert answer.status == 200, answer.json
            found += [item["code"] for item in answer.json["items"]]
            next_token = answer.json["next_token"]
        return found

    assert codes("2026-10", "early") == [history["early"]]
    assert codes("2026-11", "late") == [history["late"]]
    assert codes("2026-10", "refused") == [history["refused"]]
    assert codes("2026-10", "received_online") == [history["early"], history["late"], history["refused"]]
    assert codes("2026-10", "received_counter") == []
    assert codes("2026-11", "in_time") == [history["open"]]
    assert codes("2026-11", "overdue") == []
    item = api.get(f"/v1/statistics/dossiers?agency={SI}&month=2026-11&column=late", token=leader).json[
        "items"
    ][0]
    assert set(item) == {"code", "procedure", "procedure_name", "status", "filed_at", "due_at", "finished_at"}
    assert (item["procedure"], item["status"]) == (DECLARATION, 9)

    # Open at the end of October: the accepted one, overdue then (due 13 October), finished since.
    assert codes("2026-10", "overdue") == [history["late"]]
    assert codes("2026-10", "in_time") == []
    bad = api.get(f"/v1/statistics/dossiers?agency={SI}&month=2026-1&column=late", token=leader, lang="en")
    assert bad.status == 422 and bad.field_names() == ["month"]
    other = token(world, world.staff(FINANCE, Role.LEADER))
    assert (
        api.get(f"/v1/statistics/dossiers?agency={SI}&month=2026-10&column=early", token=other).status == 403
    )
    forged = api.get(
        f"/v1/statistics/dossiers?agency={SI}&month=2026-10&column=early&next_token=eyJhdCI6IkQjeCJ9",
        token=leader,
    )
    assert forged.status == 400 and forged.error["code"] == "invalid_next_token"


def test_what_falls_due_this_week_and_next(world: World, history: dict[str, str], api: Api) -> None:
    leader = token(world, world.staff(SI, Role.LEADER))
    days = api.get("/v1/statistics/due", token=leader).json["days"]
    # Monday 16 to Friday 27 November, the working days only; the open declaration falls due on the 25th.
    assert days[0]["date"] == "2026-11-16" and days[-1]["date"] == "2026-11-27"
    assert all(datetime.fromisoformat(day["date"]).weekday() < 5 for day in days)
    assert [day for day in days if day["count"]] == [{"date": "2026-11-25", "count": 1}]


def test_the_public_results_need_no_sign_in_and_name_no_one(
    world: World, history: dict[str, str], api: Api
) -> None:
    answer = api.get("/v1/public/results?year=2026")
    assert answer.status == 200
    assert answer.header("Cache-Control") == "public, max-age=300"
    body = answer.json
    assert (body["year"], body["month"]) == (2026, "2026-11")
    assert body["province"] == {"resolved": 2, "on_time": 1, "on_time_rate": 0.5}
    assert body["rows"] == [
        {
            "agency": SI,
            "name": "Bảo hiểm xã hội tỉnh Minh Họa",
            "year": {"resolved": 2, "on_time": 1, "on_time_rate": 0.5, "received": 4},
            "month": {"resolved": 1, "on_time": 0, "on_time_rate": 0.0, "received": 2},
        }
    ]
    assert not any(code in answer.body.decode() for code in history.values())
    assert api.get("/v1/public/results?year=2027").status == 422
