"""An in-memory AppointmentBook: the DynamoDB adapter's conditions, all or nothing under one lock."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from motcua.domain.appointments import (
    AlreadyBooked,
    AppointmentBook,
    Booking,
    BookingChanged,
    BookingState,
    CodeTaken,
    SlotTaken,
)

if TYPE_CHECKING:
    from datetime import date, datetime


def _slot(booking: Booking) -> tuple[str, str, date, str]:
    return (booking.centre, booking.service, booking.slot.day, booking.slot.key)


def _guard(booking: Booking) -> tuple[str, str, str, date]:
    return (booking.owner, booking.centre, booking.service, booking.slot.day)


class InMemoryAppointmentBook:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.bookings: dict[str, Booking] = {}
        self.places: dict[tuple[str, str, date, str], int] = {}
        self.no_shows: dict[tuple[str, str, date, str], int] = {}
        self.guards: dict[tuple[str, str, str, date], str] = {}
        self.notified: list[Booking] = []  # what the table's stream would carry to the notifier

    def taken(self, centre: str, service: str, day: date) -> dict[str, int]:
        with self.lock:
            return {k[3]: n for k, n in self.places.items() if k[:3] == (centre, service, day)}

    def book(self, booking: Booking, *, capacity: int, expires_at: datetime) -> None:
        with self.lock:
            if self.places.get(_slot(booking), 0) >= capacity:
                raise SlotTaken(booking.slot.key)
            if _guard(booking) in self.guards:
                raise AlreadyBooked()
            if booking.code in self.bookings:
                raise CodeTaken(booking.code)
            self.places[_slot(booking)] = self.places.get(_slot(booking), 0) + 1
            self.guards[_guard(booking)] = booking.code
            self.bookings[booking.code] = booking
            self.notified.append(booking)

    def get(self, code: str) -> Booking | None:
        return self.bookings.get(code)

    def for_owner(self, owner: str, *, since: datetime, limit: int) -> list[Booking]:
        mine = [b for b in self.bookings.values() if b.owner == owner and b.end > since]
        return sorted(mine, key=lambda b: (b.start, b.code))[:limit]

    def _still_booked(self, booking: Booking) -> None:
        stored = self.bookings.get(booking.code)
        if stored is None or stored.state is not BookingState.BOOKED:
            raise BookingChanged(booking.code)

    def release(self, booking: Booking) -> None:
        with self.lock:
            self._still_booked(booking)
            self.bookings[booking.code] = booking
            self.places[_slot(booking)] -= 1
            self.guards.pop(_guard(booking), None)

    def update(self, booking: Booking, *, no_show: bool = False) -> None:
        with self.lock:
            self._still_booked(booking)
            self.bookings[booking.code] = booking
            if no_show:
                self.no_shows[_slot(booking)] = self.no_shows.get(_slot(booking), 0) + 1

    def awaiting(self, centre: str, *, ended_by: datetime, limit: int) -> list[Booking]:
        waiting = [
            b
            for b in self.bookings.values()
            if b.centre == centre and b.state is BookingState.BOOKED and b.end <= ended_by
        ]
        return sorted(waiting, key=lambda b: (b.end, b.code))[:limit]

    def on_day(self, centre: str, day: date) -> list[Booking]:
        found = [b for b in self.bookings.values() if b.centre == centre and b.slot.day == day]
        return sorted(found, key=lambda b: (b.start, b.code))


def _conforms() -> AppointmentBook:
    return InMemoryAppointmentBook()  # mypy checks that the fake implements the port
