"""Appointments on moto: parallel bookings never exceed a slot's places; the booking reaches the notifier."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime
from typing import Any

from infra.devstack.streams import matches
from motcua.adapters.appointments import booking_from_stream, booking_key
from motcua.domain.appointments import BookingState, SlotFull
from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.models import Principal, PrincipalKind
from motcua.resources import NOTIFY_PATTERN
from motcua.services.appointments import BookingRequest

WEDNESDAY = date(2026, 11, 18)  # the day after the test clock's Tuesday morning


def citizen() -> Principal:
    sub = str(uuid.uuid4())
    return Principal(
        sub=sub,
        kind=PrincipalKind.CITIZEN,
        username=sub,
        name="Lê Văn Cường",
        email=f"{sub}@example.vn",
        email_verified=True,
    )


def slot(hhmm: str, service: str = "A") -> BookingRequest:
    hours, minutes = map(int, hhmm.split(":"))
    start = datetime(2026, 11, 18, hours, minutes, tzinfo=VIETNAM_TZ)
    return BookingRequest(centre="tinh", service=service, start=start)


def book_in_parallel(container: Any, request: BookingRequest, people: int) -> tuple[list[str], int]:
    """`people` threads book the same slot at once; the codes booked and how many were told it is full."""
    booked: list[str] = []
    full: list[int] = []
    start = threading.Barrier(people)

    def one() -> None:
        who = citizen()
        start.wait()
        try:
            booked.append(container.appointments.book(who, request).code)
        except SlotFull:
            full.append(1)

    threads = [threading.Thread(target=one) for _ in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return booked, len(full)


def test_parallel_bookings_never_exceed_the_slots_places(container: Any, aws_requests_atomic: Any) -> None:
    # Service B takes 3 people a slot; 12 book the 10:00 slot at the same moment.
    booked, full = book_in_parallel(container, slot("10:00", "B"), 12)
    assert len(booked) == 3
    assert full == 9
    day = container.appointments.day("tinh", "B", WEDNESDAY)
    assert next(s for s in day.slots if s.start.astimezone(VIETNAM_TZ).hour == 10).taken == 3
    assert all(container.appointment_book.get(code).state is BookingState.BOOKED for code in booked)
    assert aws_requests_atomic.errors.count("TransactionCanceledException") == 9  # the slot's condition


def test_two_people_booking_the_last_place_one_gets_it(container: Any, aws_requests_atomic: Any) -> None:
    # Service A takes 2 a slot: one place is gone, two people want the last one.
    container.appointments.book(citizen(), slot("09:30"))
    booked, full = book_in_parallel(container, slot("09:30"), 2)
    assert len(booked) == 1
    assert full == 1
    # Freed by a cancellation, the place can be booked again, once.
    first = container.appointment_book.get(booked[0])
    owner = Principal(sub=first.owner, kind=PrincipalKind.CITIZEN, username=first.owner)
    container.appointments.cancel(owner, first.code)
    booked, full = book_in_parallel(container, slot("09:30"), 4)
    assert (len(booked), full) == (1, 3)
    # and its owner, whose day's booking was cancelled, may book that service that day again
    assert container.appointments.book(owner, slot("10:00")).code


def test_the_booking_reaches_the_notification_pipe_and_an_unchecked_one_becomes_a_no_show(
    container: Any,
) -> None:
    booking = container.appointments.book(citizen(), slot("08:00"))
    missed = container.appointments.book(citizen(), slot("08:00"))  # never checked in
    client = container.appointment_book.client
    item = client.get_item(TableName=container.settings.table_name, Key=booking_key(booking.code))["Item"]
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": item}}
    assert matches(NOTIFY_PATTERN, record)
    assert booking_from_stream(record) == booking
    # A check-in rewrites the item (a MODIFY, which the pipe lets by): no second message.
    container.clock.set(datetime(2026, 11, 18, 0, 45, tzinfo=UTC))  # 07:45 in Vietnam
    container.appointments.check_in(booking.code)
    item = client.get_item(TableName=container.settings.table_name, Key=booking_key(booking.code))["Item"]
    assert not matches(NOTIFY_PATTERN, {"eventName": "MODIFY", "dynamodb": {"NewImage": item}})
    assert "GSI3PK" not in item  # no longer awaited: the sweep will not mark it
    # The other booking of the slot, never checked in: the sweep after its end marks it a no-show.
    container.clock.set(datetime(2026, 11, 18, 1, 16, tzinfo=UTC))  # 08:16: the slot is over
    assert container.appointments.mark_no_shows() == 1
    assert container.appointment_book.get(missed.code).state is BookingState.NO_SHOW
    assert container.appointment_book.get(booking.code).state is BookingState.CHECKED_IN
    assert container.appointments.mark_no_shows() == 0


def test_the_centres_day_is_one_query_of_the_bookings_index_in_every_state(container: Any) -> None:
    early = container.appointments.book(citizen(), slot("08:00"))
    late = container.appointments.book(citizen(), slot("10:00", "B"))
    cancelled = container.appointments.book(citizen(), slot("09:00"))
    container.appointments.book(
        citizen(),
        BookingRequest(centre="tinh", service="A", start=datetime(2026, 11, 19, 8, 0, tzinfo=VIETNAM_TZ)),
    )  # Thursday's: another day
    owner = Principal(sub=cancelled.owner, kind=PrincipalKind.CITIZEN, username=cancelled.owner)
    container.appointments.cancel(owner, cancelled.code)
    container.clock.set(datetime(2026, 11, 18, 0, 45, tzinfo=UTC))  # 07:45 in Vietnam
    container.appointments.check_in(early.code)
    day = container.appointment_book.on_day("tinh", WEDNESDAY)
    assert [(b.code, b.state) for b in day] == [
        (early.code, BookingState.CHECKED_IN),
        (cancelled.code, BookingState.CANCELLED),
        (late.code, BookingState.BOOKED),
    ]
    assert container.appointment_book.on_day("phuong-minh-hoa", WEDNESDAY) == []
