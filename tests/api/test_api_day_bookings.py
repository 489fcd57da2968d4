"""The centre's day of bookings for its counters' staff: by slot, names masked, each booking's state as
the counter sees it (booked, checked in, called, no-show, cancelled), the no-shows; errors in vi and en."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from motcua.domain.roles import Role
from tests.conftest import DEMO_PROVINCE
from tests.fakes.world import World

pytestmark = pytest.mark.offline

WEDNESDAY = "2026-11-18"  # the day after the fakes' Tuesday morning
FINANCE, POLICE, SOCIAL_INSURANCE = "000.00.01.H99", "000.00.21.H99", "000.00.22.H99"


def start(hhmm: str) -> str:
    return f"{WEDNESDAY}T{hhmm}:00+07:00"


@pytest.fixture
def world() -> World:
    return World(DEMO_PROVINCE)


def test_the_counter_sees_the_days_bookings_by_slot_and_their_states(world: World) -> None:
    receiver = world.staff(FINANCE, Role.RECEIVER)
    booked = {}
    with world.api() as api:
        # Booked on Tuesday for Wednesday
        for name, service, hhmm in (
            ("Nguyễn Văn An", "A", "09:00"),
            ("Trần Thị Bình", "B", "09:30"),
            ("Lê Văn Chí", "A", "09:30"),
            ("Phạm Dũng", "B", "08:00"),
            ("Hoàng Thị Em", "A", "10:00"),
        ):
            answer = api.call(
                "POST",
                "/v1/appointments",
                world.citizen(name),
                {"centre": "tinh", "service": service, "start": start(hhmm)},
            )
            assert answer.status == 201, answer.body
            booked[name] = answer.body["code"]
        em = world.citizen("Hoàng Thị Em")
        em_booking = world.bookings.get(booked["Hoàng Thị Em"])
        assert em_booking is not None
        em = em.model_copy(update={"sub": em_booking.owner})
        assert api.call("POST", f"/v1/appointments/{booked['Hoàng Thị Em']}/cancel", em, {}).status == 200
        # Wednesday 09:05: An and Bình check in at the kiosk, counter 1 calls An's ticket; Dũng never came
        world.clock.set(datetime(2026, 11, 18, 2, 5, tzinfo=UTC))
        for name in ("Nguyễn Văn An", "Trần Thị Bình"):
            checked = api.call("POST", f"/v1/appointments/{booked[name]}/check-in", None, {"centre": "tinh"})
            assert checked.status == 200, checked.body
        called = api.call("POST", "/v1/centres/tinh/counters/1/next", receiver, {})
        day = api.call("GET", "/v1/centres/tinh/appointments", receiver)
        thursday = api.call("GET", "/v1/centres/tinh/appointments?day=2026-11-19", receiver)
    assert called.body["ticket"] == "A-001"
    assert day.status == 200, day.body
    assert day.body["day"] == WEDNESDAY
    rows = [
        (slot["start"][11:16], b["name"], b["service"], b["state"], b["ticket"], b["counter"])
        for slot in day.body["slots"]
        for b in slot["bookings"]
    ]
    assert rows == [
        ("08:00", "Phạm D.", "B", "no_show", None, None),
        ("09:00", "Nguyễn V. A.", "A", "called", "A-001", 1),
        ("09:30", "Lê V. C.", "A", "booked", None, None),
        ("09:30", "Trần T. B.", "B", "checked_in", "B-001", None),
        ("10:00", "Hoàng T. E.", "A", "cancelled", None, None),
    ]
    assert day.body["counts"] == {"booked": 1, "checked_in": 1, "called": 1, "no_show": 1, "cancelled": 1}
    assert [b["name"] for b in day.body["no_shows"]] == ["Phạm D."]
    assert "Phạm Dũng" not in str(day.body)  # no name in full, no code
    assert not any(code in str(day.body) for code in booked.values())
    assert thursday.status == 200
    assert thursday.body["slots"] == []


def test_only_the_centres_receivers_and_leaders_see_its_bookings(world: World) -> None:
    with world.api() as api:
        police = api.call("GET", "/v1/centres/tinh/appointments", world.staff(POLICE, Role.RECEIVER))
        leader = api.call("GET", "/v1/centres/tinh/appointments", world.staff(FINANCE, Role.LEADER))
        officer = api.call(
            "GET", "/v1/centres/tinh/appointments", world.staff(FINANCE, Role.OFFICER), Accept_Language="en"
        )
        elsewhere = api.call(
            "GET", "/v1/centres/tinh/appointments", world.staff(SOCIAL_INSURANCE, Role.RECEIVER)
        )
        elsewhere_en = api.call(
            "GET",
            "/v1/centres/tinh/appointments",
            world.staff(SOCIAL_INSURANCE, Role.RECEIVER),
            Accept_Language="en",
        )
        citizen = api.call("GET", "/v1/centres/tinh/appointments", world.citizen())
        anonymous = api.call("GET", "/v1/centres/tinh/appointments", None)
        unknown = api.call("GET", "/v1/centres/nowhere/appointments", world.staff(FINANCE, Role.RECEIVER))
        bad_day = api.call(
            "GET", "/v1/centres/tinh/appointments?day=18-11-2026", world.staff(FINANCE, Role.RECEIVER)
        )
    assert (police.status, leader.status) == (200, 200)
    assert (officer.status, elsewhere.status, citizen.status) == (403, 403, 403)
    assert "không có quầy" in elsewhere.body["error"]["message"]
    assert "no counter at this centre" in elsewhere_en.body["error"]["message"]
    assert anonymous.status == 401
    assert unknown.status == 404
    assert bad_day.status == 400
    assert [f["field"] for f in bad_day.body["error"]["fields"]] == ["day"]
