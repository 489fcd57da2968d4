"""Appointments on in-memory fakes: slots from the hours and the calendar, capacity, the windows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from motcua.domain.appointments import BookingState, SlotFull
from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from motcua.domain.queue import TicketKind
from motcua.domain.roles import Role
from motcua.services.appointments import BookingRequest, slots_on
from tests.fakes.world import World

WEDNESDAY = date(2026, 11, 18)  # the day after the fakes' Tuesday morning


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=VIETNAM_TZ)


def request(hhmm: str = "09:30", day: date = WEDNESDAY, service: str = "A") -> BookingRequest:
    return BookingRequest(centre="tinh", service=service, start=at(day, hhmm))


def test_slots_cut_the_opening_hours_in_slot_minutes(world: World) -> None:
    centre = next(c for c in world.province.centres if c.id == "tinh")
    service = centre.services_by_code["A"]
    calendar = world.province.working_calendar
    wednesday = slots_on(centre, service, calendar, WEDNESDAY)
    # 07:30–11:30 and 13:30–17:00 in quarters of an hour
    assert len(wednesday) == 16 + 14
    assert (wednesday[0].start, wednesday[0].end) == (at(WEDNESDAY, "07:30"), at(WEDNESDAY, "07:45"))
    assert wednesday[15].end == at(WEDNESDAY, "11:30")
    assert wednesday[16].start == at(WEDNESDAY, "13:30")
    assert len(slots_on(centre, service, calendar, date(2026, 11, 21))) == 16  # Saturday morning only
    assert slots_on(centre, service, calendar, date(2026, 11, 22)) == []  # Sunday: closed
    assert slots_on(centre, centre.services_by_code["C"], calendar, WEDNESDAY) == []  # per_slot 0


def test_a_holiday_has_no_slots_and_cannot_be_booked(world: World) -> None:
    # 1 July 2027: the province's own day off (a Thursday) in the demo's calendar.
    world.clock.set(datetime(2027, 6, 30, 2, 0, tzinfo=UTC))
    centres = {c.id: c for c in world.container.appointments.centres()}
    assert date(2027, 7, 1) not in centres["tinh"].days
    assert date(2027, 7, 2) in centres["tinh"].days
    with pytest.raises(InvalidInput) as refused:
        world.container.appointments.day("tinh", "A", date(2027, 7, 1))
    assert refused.value.fields[0].field == "day"
    centre = next(c for c in world.province.centres if c.id == "tinh")
    service = centre.services_by_code["A"]
    assert slots_on(centre, service, world.province.working_calendar, date(2027, 7, 1)) == []


def test_days_run_from_tomorrow_to_ten_working_days_ahead(world: World) -> None:
    days = next(c for c in world.container.appointments.centres() if c.id == "tinh").days
    assert days[0] == WEDNESDAY  # not today
    # the tenth working day after Tuesday 17 November, Tuesday 24 November (Vietnam Cultural Day) off
    assert days[-1] == date(2026, 12, 2)
    assert date(2026, 11, 24) not in days
    assert date(2026, 11, 21) in days  # Saturday morning: open
    assert date(2026, 11, 22) not in days  # Sunday
    with pytest.raises(InvalidInput):
        world.container.appointments.book(world.citizen(), request(day=date(2026, 12, 3)))
    with pytest.raises(InvalidInput):
        world.container.appointments.book(world.citizen(), request(day=date(2026, 11, 17), hhmm="15:00"))
    with pytest.raises(InvalidInput) as not_a_slot:
        world.container.appointments.book(world.citizen(), request(hhmm="09:40"))
    assert not_a_slot.value.fields[0].field == "start"


def test_a_slot_takes_per_slot_people_then_answers_full_with_the_next_free_slots(world: World) -> None:
    service = world.container.appointments
    for _ in range(2):  # service A: 2 people a slot
        service.book(world.citizen(), request("09:30"))
    service.book(world.citizen(), request("09:45"))
    service.book(world.citizen(), request("09:45"))
    assert service.day("tinh", "A", WEDNESDAY).slots[8].free == 0
    with pytest.raises(SlotFull) as full:
        service.book(world.citizen(), request("09:30"))
    starts = [s.start for s in full.value.next_slots]
    assert starts == [at(WEDNESDAY, t) for t in ("10:00", "10:15", "10:30")]  # 09:45 is full too
    assert full.value.details("en")["next_slots"][0]["free"] == 2


def test_one_active_booking_per_citizen_service_and_day(world: World) -> None:
    service, citizen = world.container.appointments, world.citizen()
    first = service.book(citizen, request("09:30"))
    with pytest.raises(Conflict) as twice:
        service.book(citizen, request("10:00"))
    assert twice.value.code == "already_booked"
    service.book(citizen, request("10:00", service="B"))  # another service the same day
    service.book(citizen, request("10:00", day=date(2026, 11, 19)))  # another day
    service.cancel(citizen, first.code)
    service.book(citizen, request("10:00"))  # after cancelling, again


def test_cancelling_frees_the_place_but_not_once_the_slot_began(world: World) -> None:
    service, citizen = world.container.appointments, world.citizen()
    booking = service.book(citizen, request("09:30"))
    assert service.day("tinh", "A", WEDNESDAY).slots[8].taken == 1
    with pytest.raises(NotFound):
        service.cancel(world.citizen(), booking.code)  # someone else's
    service.cancel(citizen, booking.code)
    assert service.day("tinh", "A", WEDNESDAY).slots[8].taken == 0
    with pytest.raises(Conflict):
        service.cancel(citizen, booking.code)  # once
    late = service.book(citizen, request("09:30"))
    world.clock.set(at(WEDNESDAY, "09:30").astimezone(UTC))
    with pytest.raises(Conflict) as refused:
        service.cancel(citizen, late.code)
    assert refused.value.code == "slot_started"


def test_check_in_opens_30_minutes_before_the_slot_and_closes_at_its_end(world: World) -> None:
    service, citizen = world.container.appointments, world.citizen()
    booking = service.book(citizen, request("09:30"))
    other = service.book(world.citizen(), request("09:30"))
    world.clock.set(at(WEDNESDAY, "08:59").astimezone(UTC))
    with pytest.raises(Conflict) as early:
        service.check_in(booking.code)
    assert early.value.code == "check_in_closed"
    world.clock.set(at(WEDNESDAY, "09:00").astimezone(UTC))
    with pytest.raises(Conflict) as elsewhere:
        service.check_in(booking.code, "phuong-minh-hoa")
    assert elsewhere.value.code == "other_centre"
    checked = service.check_in(f"http://portal.example.invalid/#/checkin/{booking.code.lower()}")  # the QR
    assert checked.state is BookingState.CHECKED_IN
    assert checked.checked_in_at == world.clock.now()
    with pytest.raises(Conflict):
        service.check_in(booking.code)  # once
    with pytest.raises(Conflict):
        service.cancel(citizen, booking.code)  # checked in: nothing to cancel
    world.clock.set(at(WEDNESDAY, "09:45").astimezone(UTC))
    with pytest.raises(Conflict):
        service.check_in(other.code)  # the slot is over
    with pytest.raises(NotFound):
        service.check_in("ZZZZZZZZ")


def test_a_booking_not_checked_in_by_the_slots_end_is_a_no_show_and_counted(world: World) -> None:
    service = world.container.appointments
    came = service.book(world.citizen(), request("09:30"))
    missed = service.book(world.citizen(), request("09:30"))
    later = service.book(world.citizen(), request("10:00"))
    world.clock.set(at(WEDNESDAY, "09:20").astimezone(UTC))
    service.check_in(came.code)
    world.clock.set(at(WEDNESDAY, "09:45").astimezone(UTC))
    assert service.view(missed).state is BookingState.NO_SHOW  # as the citizen sees it, before the sweep
    assert service.mark_no_shows() == 1
    assert world.bookings.bookings[missed.code].state is BookingState.NO_SHOW
    assert world.bookings.bookings[came.code].state is BookingState.CHECKED_IN
    assert world.bookings.bookings[later.code].state is BookingState.BOOKED
    assert sum(world.bookings.no_shows.values()) == 1
    assert service.mark_no_shows() == 0  # once


def test_the_booking_goes_out_by_email_with_its_qr_and_by_sms(world: World) -> None:
    citizen = world.citizen(phone="+84912345678")
    booking = world.container.appointments.book(citizen, request("09:30"), "vi")
    sent = world.deliver()
    email = next(m for m in sent if m.channel == "email")
    sms = next(m for m in sent if m.channel == "sms")
    assert booking.code in email.subject
    assert booking.code in sms.text
    assert "Số 1 đường Trần Hưng Đạo" in email.text  # the centre's address
    assert "data:image/png;base64," in email.html
    assert len(sms.text) <= 160
    assert sms.text.isascii()
    assert world.deliver() == sent  # each once


def test_the_booking_takes_the_account_s_name_and_verified_contacts(world: World) -> None:
    citizen = world.citizen("Trần Thị Bình", phone="+84912345678", phone_verified=False)
    booking = world.container.appointments.book(citizen, request("09:30"), "en")
    assert booking.name == "Trần Thị Bình"
    assert booking.phone is None  # not verified: never written to
    assert [m.channel for m in world.deliver()] == ["email"]


def test_only_citizens_book(world: World) -> None:
    with pytest.raises(Forbidden):
        world.container.appointments.book(world.staff("000.00.01.H99"), request())


def test_the_check_in_issues_an_appointment_ticket_called_ahead_of_walk_ins(world: World) -> None:
    service = world.container.appointments
    booking = service.book(world.citizen(), request("09:30"))
    world.clock.set(at(WEDNESDAY, "09:10").astimezone(UTC))
    walk_in = world.container.queue.issue("tinh", "A").ticket  # came earlier, without an appointment
    checked = service.check_in(booking.code, "tinh")
    assert checked.ticket == "A-002"
    assert world.bookings.bookings[booking.code].ticket == "A-002"
    officer = world.staff("000.00.01.H99", Role.RECEIVER)
    called = [world.container.queue.call_next(officer, "tinh", 1).ticket for _ in range(2)]
    assert [t.id for t in called if t] == ["A-002", walk_in.id]
    assert called[0] is not None
    assert called[0].kind is TicketKind.APPOINTMENT


@pytest.mark.parametrize(
    ("now", "today"),
    [
        (datetime(2026, 11, 17, 2, 0, tzinfo=UTC), 1),  # Tuesday 09:00: a booking of today too
        (datetime(2026, 11, 17, 12, 0, tzinfo=UTC), 0),  # Tuesday 19:00: no slot left today
        (datetime(2026, 11, 22, 2, 0, tzinfo=UTC), 0),  # Sunday: closed today
    ],
)
def test_the_demo_books_for_its_citizens_whatever_the_hour(world: World, now: datetime, today: int) -> None:
    from infra.devstack.accounts import demo_accounts
    from infra.devstack.appointments import seed_appointments

    world.clock.set(now)
    accounts = demo_accounts(world.province)
    subs = {f"citizens/{a.username}": f"sub-{a.username}" for a in accounts if a.pool == "citizens"}
    codes = seed_appointments(world.container, accounts, subs)
    assert len(codes) == 2 * (2 + today)  # two citizens, the next two days (and today)
    assert seed_appointments(world.container, accounts, subs) == []  # once
    local_today = now.astimezone(VIETNAM_TZ).date()
    booked_today = [b for b in world.bookings.bookings.values() if b.slot.day == local_today]
    assert len(booked_today) == 2 * today
    assert all(b.end > now for b in booked_today)


def test_the_notify_lambda_sends_a_new_booking_s_messages_from_its_stream_record(world: World) -> None:
    import json

    from notify.app import handler

    from motcua import container as composition
    from tests.unit.test_rules_no_personal_data_in_logs import Context, Once, sqs

    booking = world.container.appointments.book(world.citizen(phone="+84912345678"), request("09:30"))
    record = {
        "eventName": "INSERT",
        "dynamodb": {
            "NewImage": {
                "PK": {"S": f"BOOKING#{booking.code}"},
                "type": {"S": "booking"},
                "data": {"S": booking.model_dump_json()},
                "notify": {"S": "booked"},
            }
        },
    }
    world.container.__dict__["once"] = Once()
    composition.use(world.container)
    try:
        answer = handler(sqs([json.dumps(record)]), Context())
    finally:
        composition.use(None)
    assert answer == {"batchItemFailures": []}
    assert sorted(m.channel for m in [*world.mail.sent, *world.sms.sent]) == ["email", "sms"]
    assert all(booking.code in (m.subject or m.text) for m in [*world.mail.sent, *world.sms.sent])


@pytest.mark.parametrize(
    ("now", "states"),
    [
        # Tuesday 09:00: 07:30 and 08:15 missed, 09:15's check-in open, the rest to come, one cancelled
        (
            datetime(2026, 11, 17, 2, 0, tzinfo=UTC),
            {"no_show": 2, "checked_in": 1, "booked": 4, "cancelled": 1, "called": 0},
        ),
        (datetime(2026, 11, 22, 2, 0, tzinfo=UTC), {}),  # Sunday: closed today, nothing to show
    ],
)
def test_the_demo_gives_the_counter_a_day_of_bookings(
    world: World, now: datetime, states: dict[str, int]
) -> None:
    from infra.devstack.appointments import seed_day_of_bookings

    world.clock.set(now)
    codes = seed_day_of_bookings(world.container)
    assert len(codes) == sum(states.values())
    assert seed_day_of_bookings(world.container) == []  # once a day
    receiver = world.staff("000.00.01.H99", Role.RECEIVER)
    day = world.container.day_bookings.day(receiver, "tinh")
    if states:
        assert {state.value: n for state, n in day.counts.items()} == states
        assert [b.name for b in day.no_shows] == ["Đỗ V. H.", "Phạm T. L."]
    else:
        assert day.slots == []
