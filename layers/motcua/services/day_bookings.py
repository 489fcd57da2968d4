"""The day's bookings of a centre, for its counters' staff: who comes in which slot, and who did not.

One Query of the bookings index for the day (`AppointmentBook.on_day`); for today, when a booking was
checked in, one read of the queue's day says whether its ticket waits or was called. Names are masked as
a screen in a public hall needs them (`Nguyễn V. A.`); the codes and phones are not shown.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from motcua.domain.appointments import BookingState
from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.errors import Forbidden, NotFound
from motcua.domain.i18n import Text
from motcua.domain.models import PrincipalKind
from motcua.domain.permissions import DESK, RoleRequired
from motcua.domain.queue import centre_day

if TYPE_CHECKING:
    from motcua.config.centres import Centre
    from motcua.config.province import Province
    from motcua.domain.appointments import AppointmentBook, Booking
    from motcua.domain.models import Principal
    from motcua.domain.ports import Clock, QueueStore
    from motcua.domain.queue import QueueDay


class DayState(StrEnum):
    """A booking's state as the counter sees it: the booking's, and `called` once its ticket was."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"  # its ticket waits
    CALLED = "called"  # its ticket was called (at a counter now, or served)
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class DayBooking(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str  # masked: "Nguyễn V. A."
    service: str
    service_name: Text
    start: datetime
    end: datetime
    state: DayState
    ticket: str | None = None  # the queue ticket its check-in issued
    counter: int | None = None  # where its ticket is being served now


class SlotBookings(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: datetime
    end: datetime
    bookings: list[DayBooking]


class CentreDayBookings(BaseModel):
    """A centre's bookings on a day, by slot, with how many are in each state and the no-shows."""

    model_config = ConfigDict(frozen=True)

    centre: str
    centre_name: Text
    day: date
    slots: list[SlotBookings]
    counts: dict[DayState, int]
    no_shows: list[DayBooking]


def mask_name(name: str) -> str:
    """The family name, then the initials: `Nguyễn Văn An` → `Nguyễn V. A.`."""
    words = name.split()
    if not words:
        return ""
    return " ".join([words[0], *(f"{word[0].upper()}." for word in words[1:])])


class DayBookingsService:
    def __init__(self, *, province: Province, book: AppointmentBook, queue: QueueStore, clock: Clock) -> None:
        self.province = province
        self.book = book
        self.queue = queue
        self.clock = clock

    def centre(self, principal: Principal, centre_id: str) -> Centre:
        """The centre, if `principal` is a receiver or leader of an agency staffing one of its counters."""
        centre = next((c for c in self.province.centres if c.id == centre_id), None)
        if centre is None:
            raise NotFound(Text(vi="trung tâm", en="centre"), centre_id, code="centre_not_found")
        if principal.kind is not PrincipalKind.STAFF:
            raise Forbidden(
                Text(
                    vi="Chỉ cán bộ của trung tâm mới xem được lịch hẹn.",
                    en="Only the centre's staff see its bookings.",
                )
            )
        mine = self.province.current_agency(principal.agency or "")
        staffing = {self.province.current_agency(counter.agency) for counter in centre.counters}
        if mine is None or mine not in staffing:
            raise Forbidden(
                Text(
                    vi="Cơ quan của bạn không có quầy tại trung tâm này.",
                    en="Your agency has no counter at this centre.",
                )
            )
        if principal.role not in DESK:
            raise RoleRequired(DESK, Text(vi="xem lịch hẹn của trung tâm", en="seeing the centre's bookings"))
        return centre

    def day(self, principal: Principal, centre_id: str, day: date | None = None) -> CentreDayBookings:
        centre = self.centre(principal, centre_id)
        now = self.clock.now()
        today = centre_day(now)
        day = day or today
        bookings = self.book.on_day(centre.id, day)
        queue = None
        if day == today and any(b.state is BookingState.CHECKED_IN and b.ticket for b in bookings):
            queue = self.queue.day(centre.id, day)
        rows = [self._row(centre, booking, now, queue) for booking in bookings]
        slots: dict[tuple[datetime, datetime], list[DayBooking]] = {}
        for row in sorted(rows, key=lambda r: (r.start, r.service, r.name)):
            slots.setdefault((row.start, row.end), []).append(row)
        return CentreDayBookings(
            centre=centre.id,
            centre_name=centre.name,
            day=day,
            slots=[SlotBookings(start=s, end=e, bookings=b) for (s, e), b in slots.items()],
            counts={state: sum(1 for r in rows if r.state is state) for state in DayState},
            no_shows=[r for r in rows if r.state is DayState.NO_SHOW],
        )

    @staticmethod
    def _row(centre: Centre, booking: Booking, now: datetime, queue: QueueDay | None) -> DayBooking:
        state = DayState(booking.state_at(now).value)
        counter = None
        if state is DayState.CHECKED_IN and queue is not None and booking.ticket:
            waiting = any(t.id == booking.ticket for t in queue.waiting)
            counter = next(
                (n for n, call in queue.calls.items() if call.ticket and call.ticket.id == booking.ticket),
                None,
            )
            if counter is not None or not waiting:
                state = DayState.CALLED
        service = centre.services_by_code.get(booking.service)
        return DayBooking(
            name=mask_name(booking.name),
            service=booking.service,
            service_name=service.name if service else Text(vi=booking.service, en=booking.service),
            start=booking.start.astimezone(VIETNAM_TZ),
            end=booking.end.astimezone(VIETNAM_TZ),
            state=state,
            ticket=booking.ticket,
            counter=counter,
        )
