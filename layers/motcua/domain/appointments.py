"""Appointments (đặt lịch hẹn): a place in a centre's slot, booked online, checked in at the kiosk.

Slots come from the centre's opening hours on the province's calendar (public holidays closed), each
`slot_minutes` long, for the services that take `per_slot` > 0 people a slot; they are bookable from
tomorrow up to the centre's `book_ahead_days` working days ahead. The rules here are pure; the
service (`motcua.services.appointments`) applies them and the book (`AppointmentBook`) stores them
under conditions, so that two people booking the last place in a slot cannot both get it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, computed_field

from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.errors import Conflict
from motcua.domain.i18n import Language, Text

# Codes are typed at the kiosk when the QR cannot be read: no 0/O, 1/I/L to mix up.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CHECK_IN_EARLY = timedelta(minutes=30)  # the kiosk checks a booking in from 30 minutes before its slot
NEXT_SLOTS = 3  # a full slot's 409 offers this many free slots after it


class BookingState(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class Slot(BaseModel):
    """One appointment slot of a centre: from `start` to `end`, in Vietnam's time."""

    model_config = ConfigDict(frozen=True)

    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """`0930`: the slot within its day, as the book keys it."""
        return self.start.astimezone(VIETNAM_TZ).strftime("%H%M")

    @property
    def day(self) -> date:
        return self.start.astimezone(VIETNAM_TZ).date()


class SlotPlaces(BaseModel):
    """A slot and how many places are left in it (what the booking page shows)."""

    model_config = ConfigDict(frozen=True)

    start: datetime
    end: datetime
    capacity: int
    taken: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)


class Booking(BaseModel):
    """A citizen's place in a slot (lịch hẹn), under its code; the name and phone are the account's."""

    model_config = ConfigDict(frozen=True)

    code: str
    owner: str  # the account (Cognito sub) that booked
    name: str
    phone: str | None = None
    email: str | None = None
    language: Language = "vi"
    centre: str
    service: str
    start: datetime
    end: datetime
    state: BookingState = BookingState.BOOKED
    booked_at: datetime
    checked_in_at: datetime | None = None
    cancelled_at: datetime | None = None
    no_show_at: datetime | None = None
    ticket: str | None = None  # the queue ticket the check-in issued

    @property
    def slot(self) -> Slot:
        return Slot(start=self.start, end=self.end)

    def state_at(self, now: datetime) -> BookingState:
        """The state as a person sees it: a booking whose slot ended unchecked is a no-show, even before
        the sweep marks it so."""
        if self.state is BookingState.BOOKED and now >= self.end:
            return BookingState.NO_SHOW
        return self.state


class SlotFull(Conflict):
    """The slot has no place left (HTTP 409), with the next free slots to offer instead."""

    code = "slot_full"

    def __init__(self, next_slots: tuple[SlotPlaces, ...]) -> None:
        super().__init__(
            Text(
                vi="Khung giờ này vừa hết chỗ. Vui lòng chọn khung giờ khác còn chỗ.",
                en="This slot has just been filled. Please choose another slot with free places.",
            )
        )
        self.next_slots = next_slots

    def details(self, language: Language) -> dict[str, Any]:
        return {"next_slots": [slot.model_dump(mode="json") for slot in self.next_slots]}


class AlreadyBooked(Conflict):
    """One active booking per citizen, service and day (HTTP 409)."""

    code = "already_booked"

    def __init__(self) -> None:
        super().__init__(
            Text(
                vi="Bạn đã có một lịch hẹn cho dịch vụ này trong ngày đó; "
                "hãy huỷ lịch cũ trước khi đặt lịch khác.",
                en="You already have an appointment for this service on that day; "
                "cancel it before booking another.",
            )
        )


class SlotTaken(Exception):  # noqa: N818 — a signal from the book: the condition on the slot failed
    """The slot's places were all taken when the booking was written."""


class CodeTaken(Exception):  # noqa: N818 — a signal: draw another code
    """Another booking already has this code."""


class BookingChanged(Exception):  # noqa: N818 — a signal: the booking is no longer in the state read
    """The booking was checked in, cancelled or marked a no-show meanwhile."""


class AppointmentBook(Protocol):
    """Where bookings and each slot's places taken are kept; every write is conditional."""

    def taken(self, centre: str, service: str, day: date) -> dict[str, int]:
        """Places taken per slot key (`0930`) of the service on `day`; slots nobody booked are absent."""
        ...

    def book(self, booking: Booking, *, capacity: int, expires_at: datetime) -> None:
        """Store a booking and take its place, all or nothing: SlotTaken when the slot already holds
        `capacity`, AlreadyBooked when the owner holds an active booking of the service that day,
        CodeTaken when the code is another booking's."""
        ...

    def get(self, code: str) -> Booking | None: ...

    def for_owner(self, owner: str, *, since: datetime, limit: int) -> list[Booking]:
        """The owner's bookings whose slot ends after `since`, the soonest first."""
        ...

    def release(self, booking: Booking) -> None:
        """Store `booking` (now cancelled) and give its place back, if it was still booked; BookingChanged
        otherwise."""
        ...

    def update(self, booking: Booking, *, no_show: bool = False) -> None:
        """Store `booking` (checked in or a no-show), if it was still booked; BookingChanged otherwise. A
        no-show is also counted on its slot."""
        ...

    def awaiting(self, centre: str, *, ended_by: datetime, limit: int) -> list[Booking]:
        """The centre's bookings still waiting for a check-in whose slot ended by `ended_by`."""
        ...

    def on_day(self, centre: str, day: date) -> list[Booking]:
        """Every booking of the centre whose slot falls on `day` (any state), by slot start then code."""
        ...


def places(slots: list[Slot], taken: dict[str, int], capacity: int) -> list[SlotPlaces]:
    return [
        SlotPlaces(start=slot.start, end=slot.end, capacity=capacity, taken=taken.get(slot.key, 0))
        for slot in slots
    ]


def may_check_in(booking: Booking, now: datetime) -> bool:
    """From 30 minutes before the slot to its end."""
    return booking.start - CHECK_IN_EARLY <= now < booking.end
