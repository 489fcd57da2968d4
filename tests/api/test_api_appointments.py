"""The appointments API: free places public, bookings the booker's, the kiosk's check-in; errors in vi, en."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import DEMO_PROVINCE
from tests.fakes.world import World

pytestmark = pytest.mark.offline

WEDNESDAY = "2026-11-18"  # the day after the fakes' Tuesday morning


def start(hhmm: str) -> str:
    return f"{WEDNESDAY}T{hhmm}:00+07:00"


@pytest.fixture
def world() -> World:
    return World(DEMO_PROVINCE)


def test_free_places_per_slot_are_public(world: World) -> None:
    with world.api() as api:
        centres = api.call("GET", "/v1/appointments/centres")
        slots = api.call("GET", f"/v1/appointments/slots?centre=tinh&service=A&day={WEDNESDAY}")
    assert centres.status == 200
    tinh = next(c for c in centres.body["items"] if c["id"] == "tinh")
    assert [s["code"] for s in tinh["services"]] == ["A", "B"]  # C takes no appointments
    assert tinh["days"][0] == WEDNESDAY
    assert slots.status == 200
    assert slots.body["slots"][0] == {
        "start": "2026-11-18T07:30:00+07:00",
        "end": "2026-11-18T07:45:00+07:00",
        "capacity": 2,
        "taken": 0,
        "free": 2,
    }


def test_a_citizen_books_sees_and_cancels_their_appointment(world: World) -> None:
    an = world.citizen("Nguyễn Văn An")
    with world.api() as api:
        booked = api.call(
            "POST", "/v1/appointments", an, {"centre": "tinh", "service": "A", "start": start("09:30")}
        )
        code = booked.body["code"]
        mine = api.call("GET", "/v1/me/appointments", an)
        others = api.call("GET", "/v1/me/appointments", world.citizen())
        cancelled = api.call("POST", f"/v1/appointments/{code}/cancel", an, {})
        slots = api.call("GET", f"/v1/appointments/slots?centre=tinh&service=A&day={WEDNESDAY}")
    assert booked.status == 201
    assert booked.headers["location"] == f"/v1/appointments/{code}"
    assert booked.body["state"] == "booked"
    assert booked.body["check_in_url"].endswith(f"/#/checkin/{code}")
    assert [b["code"] for b in mine.body["items"]] == [code]
    assert others.body["items"] == []
    assert cancelled.status == 200
    assert cancelled.body["state"] == "cancelled"
    assert slots.body["slots"][8]["free"] == 2


def test_a_full_slot_answers_409_in_the_callers_language_with_the_next_free_slots(world: World) -> None:
    body = {"centre": "tinh", "service": "A", "start": start("09:30")}
    with world.api() as api:
        for _ in range(2):
            assert api.call("POST", "/v1/appointments", world.citizen(), body).status == 201
        vi = api.call("POST", "/v1/appointments", world.citizen(), body, Accept_Language="vi")
        en = api.call("POST", "/v1/appointments", world.citizen(), body, Accept_Language="en")
    assert (vi.status, en.status) == (409, 409)
    assert vi.error_code == en.error_code == "slot_full"
    assert "hết chỗ" in vi.body["error"]["message"]
    assert "filled" in en.body["error"]["message"]
    assert [s["start"] for s in en.body["error"]["next_slots"]] == [
        start(t) for t in ("09:45", "10:00", "10:15")
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"centre": "nowhere", "service": "A", "start": start("09:30")}, "centre"),
        ({"centre": "tinh", "service": "C", "start": start("09:30")}, "service"),  # no appointments
        ({"centre": "tinh", "service": "A", "start": start("09:31")}, "start"),  # not a slot
        ({"centre": "tinh", "service": "A", "start": "2026-11-22T09:30:00+07:00"}, "start"),  # Sunday
        ({"centre": "tinh", "service": "A", "start": "tomorrow"}, "start"),
        ({"centre": "tinh", "service": "A"}, "start"),
    ],
)
def test_bad_bookings_are_4xx_naming_the_field_in_vi_and_en(
    world: World, body: dict[str, str], field: str
) -> None:
    with world.api() as api:
        vi = api.call("POST", "/v1/appointments", world.citizen(), body, Accept_Language="vi")
        en = api.call("POST", "/v1/appointments", world.citizen(), body, Accept_Language="en")
    assert vi.status in (400, 422)
    assert field in [f["field"] for f in vi.body["error"]["fields"]]
    assert vi.body["error"]["message"] != en.body["error"]["message"]


def test_the_kiosk_checks_in_by_code_without_signing_in(world: World) -> None:
    an = world.citizen()
    with world.api() as api:
        code = api.call(
            "POST", "/v1/appointments", an, {"centre": "tinh", "service": "A", "start": start("09:30")}
        )
        code = code.body["code"]
        early = api.call(
            "POST", f"/v1/appointments/{code}/check-in", None, {"centre": "tinh"}, Accept_Language="en"
        )
        world.clock.set(datetime(2026, 11, 18, 2, 5, tzinfo=UTC))  # 09:05 in Vietnam
        checked = api.call("POST", f"/v1/appointments/{code}/check-in", None, {"centre": "tinh"})
        again = api.call("POST", f"/v1/appointments/{code}/check-in", None, {"centre": "tinh"})
        unknown = api.call("POST", "/v1/appointments/ABCDEFGH/check-in", None, {})
        late_cancel = api.call("POST", f"/v1/appointments/{code}/cancel", an, {})
    assert early.status == 409
    assert early.error_code == "check_in_closed"
    assert "08:59" not in early.body["error"]["message"] and "09:00" in early.body["error"]["message"]
    assert checked.status == 200
    assert checked.body["state"] == "checked_in"
    assert checked.body["ticket"] == "A-001"  # the queue ticket, kind appointment
    assert again.status == 409
    assert unknown.status == 404
    assert late_cancel.status == 409
