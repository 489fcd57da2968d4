"""The queue's API on fakes: the kiosk, the board's ETag and 304, a ticket's page, the counter console."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from motcua.domain.roles import Role
from tests.conftest import DEMO_PROVINCE
from tests.fakes.world import World

pytestmark = pytest.mark.offline

FINANCE, POLICE = "000.00.01.H99", "000.00.21.H99"


@pytest.fixture
def world() -> World:
    return World(DEMO_PROVINCE)  # Tuesday 09:00: the centre is open


def test_kiosk_board_counter_and_the_tickets_page(world: World) -> None:
    receiver = world.staff(FINANCE, Role.RECEIVER)
    with world.api() as api:
        kiosk = api.call("GET", "/v1/centres/tinh/kiosk")
        assert kiosk.status == 200 and kiosk.body["open"] is True
        assert [s["code"] for s in kiosk.body["centre"]["services"]] == ["A", "B", "C"]

        taken = api.call("POST", "/v1/centres/tinh/tickets", body={"service": "A", "kind": "elderly"})
        assert taken.status == 201, taken.body
        assert (taken.body["id"], taken.body["ahead"], taken.body["kind"]) == ("A-001", 0, "elderly")
        assert taken.body["qr"].startswith("data:image/svg+xml")
        assert taken.body["path"] == "/#/queue/tinh/2026-11-17/A-001"

        board = api.call("GET", "/v1/centres/tinh/board")
        etag = board.headers["etag"]
        assert board.body["next"][0]["ticket"] == "A-001" and board.body["waiting"]["A"] == 1
        # Nothing changed: 304 without a body.
        same = api.call("GET", "/v1/centres/tinh/board", If_None_Match=etag)
        assert (same.status, same.body, same.headers["etag"]) == (304, "", etag)

        called = api.call("POST", "/v1/centres/tinh/counters/1/next", receiver, {})
        assert called.status == 200 and called.body["ticket"] == "A-001" and called.body["seq"] == 1
        # The call changed the board: a new ETag, the number at counter 1.
        moved = api.call("GET", "/v1/centres/tinh/board", If_None_Match=etag)
        assert moved.status == 200 and moved.headers["etag"] != etag
        assert moved.body["calls"][0] == moved.body["calls"][0] | {"counter": 1, "ticket": "A-001"}

        page = api.call("GET", "/v1/centres/tinh/tickets/2026-11-17/A-001")
        assert page.status == 200 and page.body["state"] == "called" and page.body["counter"] == 1

        console = api.call("GET", "/v1/centres/tinh/counters/1", receiver)
        assert console.status == 200 and console.body["call"]["ticket"] == "A-001"


def test_who_may_work_a_counter(world: World) -> None:
    with world.api() as api:
        officer = api.call("POST", "/v1/centres/tinh/counters/1/next", world.staff(FINANCE, Role.OFFICER), {})
        assert officer.status == 403 and officer.error_code == "role_required"
        police = api.call("POST", "/v1/centres/tinh/counters/1/next", world.staff(POLICE, Role.RECEIVER), {})
        assert police.status == 403
        citizen = api.call("POST", "/v1/centres/tinh/counters/1/next", world.citizen(), {})
        assert citizen.status == 403
        anonymous = api.call("POST", "/v1/centres/tinh/counters/1/next", None, {})
        assert anonymous.status == 401


def test_a_closed_kiosk_says_when_it_opens_in_both_languages(world: World) -> None:
    world.clock.set(datetime(2026, 11, 17, 11, 0, tzinfo=UTC))  # 18:00
    with world.api() as api:
        vi = api.call("POST", "/v1/centres/tinh/tickets", body={"service": "A"})
        en = api.call("POST", "/v1/centres/tinh/tickets", body={"service": "A"}, Accept_Language="en")
        kiosk = api.call("GET", "/v1/centres/tinh/kiosk")
    assert vi.status == en.status == 409
    assert vi.error_code == "queue_closed"
    assert "07:30 thứ Tư, 18/11/2026" in vi.body["error"]["message"]
    assert "07:30 on Wednesday, 18/11/2026" in en.body["error"]["message"]
    assert kiosk.body["open"] is False and kiosk.body["next_open"] == "2026-11-18T07:30:00+07:00"


def test_bad_kiosk_input_names_the_field(world: World) -> None:
    with world.api() as api:
        unknown = api.call("POST", "/v1/centres/tinh/tickets", body={"service": "Z"})
        kind = api.call("POST", "/v1/centres/tinh/tickets", body={"service": "A", "kind": "vip"})
        centre = api.call("POST", "/v1/centres/nowhere/tickets", body={"service": "A"})
    assert unknown.status == 422 and unknown.body["error"]["fields"][0]["field"] == "service"
    assert kind.status == 422 and kind.body["error"]["fields"][0]["field"] == "kind"
    assert centre.status == 404
