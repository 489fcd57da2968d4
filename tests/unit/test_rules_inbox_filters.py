"""The console's inbox: a count, search by code or name, filters and orders, pages, on fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest

from motcua.domain.roles import Role

if TYPE_CHECKING:
    from motcua.domain.models import Principal
    from tests.fakes.world import World

WARD, POLICE = "000.01.01.H99", "000.00.21.H99"
BIRTH, MARRIAGE, DEATH = "1.001193", "1.000894", "1.000656"  # the ward's, no flow
LICENCE = "3.000347"  # the police's


def page(world: World, who: Principal, agency: str = WARD, **query: Any) -> dict[str, Any]:
    query.setdefault("count", "true")
    with world.api() as api:
        answer = api.call("GET", f"/v1/agencies/{agency}/tasks?{urlencode(query)}", who)
    assert answer.status == 200, answer.body
    return answer.body  # type: ignore[no-any-return]


def names(body: dict[str, Any]) -> list[str]:
    return [t["applicant_name"] for t in body["items"]]


@pytest.fixture
def ward(world: World) -> dict[str, str]:
    """Five dossiers at the ward, filed a day apart, the first two already late; one at the police."""
    filed: dict[str, str] = {}
    people = [
        ("Trần Thị Bình", BIRTH),
        ("Lê Văn Cường", MARRIAGE),
        ("Phạm Thị Dung", BIRTH),
        ("Nguyễn Văn Bình", DEATH),
        ("Hoàng Văn Em", BIRTH),
    ]
    for day, (name, procedure) in enumerate(people):
        world.clock.set(datetime(2026, 11, 16 + day, 2, tzinfo=UTC))
        filed[name] = world.file(world.citizen(name), procedure).code
    world.clock.set(datetime(2026, 11, 19, 2, tzinfo=UTC))
    filed["Trần Thị Bình (police)"] = world.file(world.citizen("Trần Thị Bình"), LICENCE).code
    world.clock.set(datetime(2026, 11, 20, 3, tzinfo=UTC))
    return filed


def test_the_first_page_counts_the_inbox_and_its_overdue_tasks(world: World, ward: dict[str, str]) -> None:
    desk = world.staff(WARD, Role.RECEIVER)

    body = page(world, desk)

    overdue = [t for t in body["items"] if datetime.fromisoformat(t["due_at"]) <= world.clock.now()]
    assert body["count"] == {"total": 5, "overdue": len(overdue), "complete": True}
    assert 0 < len(overdue) < 5
    # only when asked, and the next page is not counted again
    assert page(world, desk, count="false")["count"] is None
    assert page(world, desk, q="binh", count="false")["count"] is None
    assert page(world, desk, limit=2)["next_token"]
    assert page(world, desk, limit=2, next_token=page(world, desk, limit=2)["next_token"])["count"] is None


def test_search_finds_a_dossier_by_code_or_by_name_without_diacritics_in_any_order(
    world: World, ward: dict[str, str]
) -> None:
    desk = world.staff(WARD, Role.RECEIVER)
    code = ward["Phạm Thị Dung"]

    assert names(page(world, desk, q=code)) == ["Phạm Thị Dung"]
    assert names(page(world, desk, q=code[-11:].lower())) == ["Phạm Thị Dung"]
    found = page(world, desk, q="binh")
    assert sorted(names(found)) == ["Nguyễn Văn Bình", "Trần Thị Bình"]
    assert found["count"]["total"] == 2
    assert names(page(world, desk, q="BÌNH trần")) == ["Trần Thị Bình"]
    assert page(world, desk, q="Không Ai")["items"] == []


def test_another_agencys_dossiers_never_appear(world: World, ward: dict[str, str]) -> None:
    desk, police = world.staff(WARD, Role.RECEIVER), world.staff(POLICE, Role.RECEIVER)

    ward_codes = {t["dossier_code"] for t in page(world, desk, q="Trần Thị Bình")["items"]}
    police_codes = {t["dossier_code"] for t in page(world, police, POLICE, q="Trần Thị Bình")["items"]}

    assert ward_codes == {ward["Trần Thị Bình"]}
    assert police_codes == {ward["Trần Thị Bình (police)"]}
    assert page(world, police, POLICE, q=ward["Phạm Thị Dung"])["items"] == []
    with world.api() as api:
        refused = api.call("GET", f"/v1/agencies/{POLICE}/tasks?q=binh", desk)
    assert refused.status == 403


def test_filters_by_procedure_status_and_due(world: World, ward: dict[str, str]) -> None:
    desk = world.staff(WARD, Role.RECEIVER)
    world.decide(desk, f"{ward['Hoàng Văn Em']}-T1", "accept")
    now = world.clock.now()

    births = page(world, desk, procedure=BIRTH)
    assert sorted(names(births)) == ["Hoàng Văn Em", "Phạm Thị Dung", "Trần Thị Bình"]
    assert {t["procedure_code"] for t in births["items"]} == {BIRTH}

    submitted = page(world, desk, status=1)
    assert "Hoàng Văn Em" not in names(submitted)
    assert {t["dossier_status"] for t in submitted["items"]} == {1}

    overdue = page(world, desk, due="overdue")
    assert overdue["items"]
    assert all(datetime.fromisoformat(t["due_at"]) <= now for t in overdue["items"])
    assert overdue["count"]["total"] == overdue["count"]["overdue"] == len(overdue["items"])

    soon = page(world, desk, due="soon")
    assert soon["items"]
    assert all(now < datetime.fromisoformat(t["due_at"]) <= now + timedelta(days=4) for t in soon["items"])
    assert soon["count"]["overdue"] == 0
    everything = page(world, desk)["count"]["total"]
    assert len(overdue["items"]) + len(soon["items"]) <= everything

    both = page(world, desk, due="overdue", q="binh", procedure=BIRTH)
    assert names(both) == ["Trần Thị Bình"]


def test_orders_by_due_date_or_filing_both_ways(world: World, ward: dict[str, str]) -> None:
    desk = world.staff(WARD, Role.RECEIVER)
    by_filing = ["Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Nguyễn Văn Bình", "Hoàng Văn Em"]

    assert names(page(world, desk, sort="filed")) == by_filing
    assert names(page(world, desk, sort="-filed")) == by_filing[::-1]
    due = [t["due_at"] for t in page(world, desk)["items"]]
    assert due == sorted(due)
    latest_first = [t["due_at"] for t in page(world, desk, sort="-due")["items"]]
    assert latest_first == sorted(due, reverse=True)


@pytest.mark.parametrize("query", [{"q": "van"}, {"sort": "-filed"}, {"due": "overdue"}, {}])
def test_filtered_pages_hold_every_match_once_in_order(
    world: World, ward: dict[str, str], query: dict[str, str]
) -> None:
    desk = world.staff(WARD, Role.RECEIVER)
    whole = page(world, desk, **query)
    seen: list[str] = []
    token = None
    while True:
        args = {**query, "limit": 1, **({"next_token": token} if token else {})}
        body = page(world, desk, **args)
        assert len(body["items"]) <= 1
        seen += [t["task_id"] for t in body["items"]]
        token = body["next_token"]
        if not token:
            break
    assert seen == [t["task_id"] for t in whole["items"]]
    assert len(seen) == whole["count"]["total"]


def test_a_token_continues_only_the_search_it_came_from(world: World, ward: dict[str, str]) -> None:
    desk, police = world.staff(WARD, Role.RECEIVER), world.staff(POLICE, Role.RECEIVER)
    token = page(world, desk, q="van", limit=1)["next_token"]

    with world.api() as api:
        other_search = api.call("GET", f"/v1/agencies/{WARD}/tasks?q=thi&limit=1&next_token={token}", desk)
        other_agency = api.call(
            "GET", f"/v1/agencies/{POLICE}/tasks?q=van&limit=1&next_token={token}", police
        )
        plain = api.call("GET", f"/v1/agencies/{WARD}/tasks?limit=1&next_token={token}", desk)
    assert [a.status for a in (other_search, other_agency, plain)] == [400, 400, 400]
    assert other_search.error_code == "invalid_next_token"


@pytest.mark.parametrize(
    "query", ["status=11", "due=late", "sort=name", "procedure=a%20b", "q=" + "x" * 101, "status=abc"]
)
def test_a_wrong_filter_is_refused_in_both_languages(world: World, query: str) -> None:
    desk = world.staff(WARD, Role.RECEIVER)
    with world.api() as api:
        vi = api.call("GET", f"/v1/agencies/{WARD}/tasks?{query}", desk)
        en = api.call("GET", f"/v1/agencies/{WARD}/tasks?{query}", desk, Accept_Language="en")
    assert (vi.status, en.status) == (400, 400)
    assert vi.body["error"]["message"] != en.body["error"]["message"]


def test_a_task_gives_short_lived_links_to_preview_its_pdfs_and_images_in_place(world: World) -> None:
    # Given a birth registration, its papers a PDF or a PNG
    code = world.file(world.citizen("Trần Thị Bình"), BIRTH).code
    desk = world.staff(WARD, Role.RECEIVER)

    # When its desk opens the task
    with world.api() as api:
        answer = api.call("GET", f"/v1/tasks/{code}-T1", desk)

    # Then every file can be shown in the browser as the type the filing checked, and still saved
    attachments = answer.body["dossier"]["attachments"]
    assert attachments
    for a in attachments:
        assert "response-content-disposition=attachment" in a["download_url"]
        assert "response-content-disposition=inline" in a["preview_url"]
        assert f"response-content-type={a['content_type'].replace('/', '%2F')}" in a["preview_url"]
        assert "expires=" in a["preview_url"]
