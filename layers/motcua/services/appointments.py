"""Appointments: the slots and their free places, booking, cancelling, the kiosk's check-in and no-shows."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.appointments import (
    CHECK_IN_EARLY,
    CODE_ALPHABET,
    CODE_LENGTH,
    NEXT_SLOTS,
    Booking,
    BookingChanged,
    BookingState,
    CodeTaken,
    Slot,
    SlotFull,
    SlotPlaces,
    SlotTaken,
    may_check_in,
    places,
)
from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from motcua.domain.i18n import Language, Text
from motcua.domain.models import PrincipalKind
from motcua.observability import count, logger

if TYPE_CHECKING:
    from collections.abc import Callable

    from motcua.config.centres import Centre, TicketService
    from motcua.config.province import Province
    from motcua.domain.appointments import AppointmentBook
    from motcua.domain.calendar import WorkingCalendar
    from motcua.domain.models import Principal
    from motcua.domain.ports import Clock

BOOKING = Text(vi="lịch hẹn", en="appointment")
KEEP_DAYS = 365  # a booking is kept a year after its slot (its no-show counts), then the TTL removes it
MINE_LIMIT = 50


class ServiceOffer(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: Text
    per_slot: int


class CentreAppointments(BaseModel):
    """A centre that takes appointments: its services that do and the days one may book."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: Text
    address: Text
    slot_minutes: int
    services: list[ServiceOffer]
    days: list[date]


class DaySlots(BaseModel):
    """The slots of a service on a day, with the places left in each."""

    model_config = ConfigDict(frozen=True)

    centre: str
    service: str
    day: date
    slots: list[SlotPlaces]


class BookingRequest(BaseModel):
    """A place in a slot: the centre, the service and the slot's start (`2026-12-07T09:30:00+07:00`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    centre: str = Field(max_length=40)
    service: str = Field(max_length=2)
    start: datetime


class BookingView(BaseModel):
    """A booking as its owner and the kiosk see it."""

    model_config = ConfigDict(frozen=True)

    code: str
    state: BookingState
    centre: str
    centre_name: Text
    centre_address: Text
    service: str
    service_name: Text
    start: datetime
    end: datetime
    booked_at: datetime
    checked_in_at: datetime | None = None
    ticket: str | None = None
    check_in_url: str  # what the QR holds: the kiosk's check-in page opens it


def _invalid(name: str, vi: str, en: str) -> InvalidInput:
    message = Text(vi=vi, en=en)
    return InvalidInput(message, fields=(FieldError(field=name, code="invalid", message=message),))


class AppointmentService:
    def __init__(
        self,
        *,
        province: Province,
        book: AppointmentBook,
        clock: Clock,
        portal_url: str,
        # Issues the queue ticket of a checked-in booking (the queue's issuing service); None: no queue.
        issue_ticket: Callable[[Booking, datetime], str | None] | None = None,
    ) -> None:
        self.province = province
        self.book_ = book
        self.clock = clock
        self.portal_url = portal_url.rstrip("/")
        self.issue_ticket = issue_ticket

    # --- reading -----------------------------------------------------------------------------

    def _today(self) -> date:
        return self.clock.now().astimezone(VIETNAM_TZ).date()

    def _centre(self, centre_id: str, name: str = "centre") -> Centre:
        for centre in self.province.centres:
            if centre.id == centre_id:
                return centre
        raise _invalid(name, f"Không có trung tâm “{centre_id}”.", f"There is no centre “{centre_id}”.")

    def _service(self, centre: Centre, code: str) -> TicketService:
        service = centre.services_by_code.get(code)
        if service is None or service.per_slot == 0:
            raise _invalid(
                "service",
                f"Trung tâm không nhận đặt lịch hẹn cho dịch vụ “{code}”.",
                f"The centre takes no appointments for the service “{code}”.",
            )
        return service

    def centres(self) -> list[CentreAppointments]:
        """Every centre with a service that takes appointments, and the days open for booking."""
        calendar, today = self.province.working_calendar, self._today()
        found = []
        for centre in self.province.centres:
            offers = [
                ServiceOffer(code=s.code, name=s.name, per_slot=s.per_slot)
                for s in centre.services
                if s.per_slot
            ]
            if offers:
                found.append(
                    CentreAppointments(
                        id=centre.id,
                        name=centre.name,
                        address=centre.address,
                        slot_minutes=centre.slot_minutes,
                        services=offers,
                        days=bookable_days(centre, calendar, today),
                    )
                )
        return found

    def day(self, centre_id: str, service_code: str, day: date) -> DaySlots:
        """The service's slots on `day` with their free places (one Query); a day one may not book: 422."""
        centre = self._centre(centre_id)
        service = self._service(centre, service_code)
        if day not in bookable_days(centre, self.province.working_calendar, self._today()):
            raise _invalid(
                "day",
                f"Không thể đặt lịch vào ngày {day:%d/%m/%Y}: trung tâm nghỉ, hoặc ngày đã qua hay quá xa.",
                f"{day:%d/%m/%Y} cannot be booked: the centre is closed, or the day is past or too far off.",
            )
        return self._day_slots(centre, service, day)

    def _day_slots(self, centre: Centre, service: TicketService, day: date) -> DaySlots:
        slots = slots_on(centre, service, self.province.working_calendar, day)
        taken = self.book_.taken(centre.id, service.code, day)
        return DaySlots(
            centre=centre.id, service=service.code, day=day, slots=places(slots, taken, service.per_slot)
        )

    def view(self, booking: Booking) -> BookingView:
        centre = self._centre(booking.centre)
        service = centre.services_by_code[booking.service]
        return BookingView(
            code=booking.code,
            state=booking.state_at(self.clock.now()),
            centre=centre.id,
            centre_name=centre.name,
            centre_address=centre.address,
            service=service.code,
            service_name=service.name,
            start=booking.start,
            end=booking.end,
            booked_at=booking.booked_at,
            checked_in_at=booking.checked_in_at,
            ticket=booking.ticket,
            check_in_url=self.check_in_url(booking.code),
        )

    def check_in_url(self, code: str) -> str:
        return f"{self.portal_url}/#/checkin/{code}"

    def mine(self, principal: Principal) -> list[Booking]:
        """The citizen's bookings whose slot has not ended more than a day ago, the soonest first."""
        _citizen(principal)
        return self.book_.for_owner(
            principal.sub, since=self.clock.now() - timedelta(days=1), limit=MINE_LIMIT
        )

    # --- booking -----------------------------------------------------------------------------

    def book(self, principal: Principal, request: BookingRequest, language: Language = "vi") -> Booking:
        """Take a place in the slot: a 409 with the next free slots when it is full, one booking per
        citizen, service and day."""
        _citizen(principal)
        centre = self._centre(request.centre)
        service = self._service(centre, request.service)
        start = request.start if request.start.tzinfo else request.start.replace(tzinfo=VIETNAM_TZ)
        day = start.astimezone(VIETNAM_TZ).date()
        if day not in bookable_days(centre, self.province.working_calendar, self._today()):
            raise _invalid(
                "start",
                f"Không thể đặt lịch vào ngày {day:%d/%m/%Y}: trung tâm nghỉ, hoặc ngày đã qua hay quá xa.",
                f"{day:%d/%m/%Y} cannot be booked: the centre is closed, or the day is past or too far off.",
            )
        slot = next(
            (s for s in slots_on(centre, service, self.province.working_calendar, day) if s.start == start),
            None,
        )
        if slot is None:
            raise _invalid(
                "start",
                f"Không có khung giờ bắt đầu lúc {start.astimezone(VIETNAM_TZ):%H:%M} ngày {day:%d/%m/%Y}.",
                f"No slot starts at {start.astimezone(VIETNAM_TZ):%H:%M} on {day:%d/%m/%Y}.",
            )
        contacts = principal.contacts
        for _ in range(3):
            booking = Booking(
                code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
                owner=principal.sub,
                name=principal.name or principal.username,
                phone=contacts.phone,
                email=contacts.email,
                language=language,
                centre=centre.id,
                service=service.code,
                start=slot.start,
                end=slot.end,
                booked_at=self.clock.now(),
            )
            try:
                self.book_.book(
                    booking, capacity=service.per_slot, expires_at=slot.end + timedelta(days=KEEP_DAYS)
                )
            except CodeTaken:
                continue
            except SlotTaken:
                count("AppointmentSlotFull")
                raise SlotFull(self._next_free(centre, service, slot.start)) from None
            count("AppointmentBooked")
            return booking
        raise Conflict(Text(vi="Vui lòng thử lại.", en="Please try again."), code="busy")

    def _next_free(self, centre: Centre, service: TicketService, after: datetime) -> tuple[SlotPlaces, ...]:
        """The first free slots after `after`: that day's, then the next bookable days' (a Query a day)."""
        found: list[SlotPlaces] = []
        for day in bookable_days(centre, self.province.working_calendar, self._today()):
            if day < after.astimezone(VIETNAM_TZ).date():
                continue
            for slot in self._day_slots(centre, service, day).slots:
                if slot.start > after and slot.free > 0:
                    found.append(slot)
                    if len(found) == NEXT_SLOTS:
                        return tuple(found)
        return tuple(found)

    def _owned(self, principal: Principal, code: str) -> Booking:
        _citizen(principal)
        booking = self.book_.get(code.upper())
        # Another's booking is as unknown as none: a code says nothing of whose it is.
        if booking is None or booking.owner != principal.sub:
            raise NotFound(BOOKING, code, code="booking_not_found")
        return booking

    def get(self, principal: Principal, code: str) -> Booking:
        return self._owned(principal, code)

    def cancel(self, principal: Principal, code: str) -> Booking:
        """Give the place back; not once the slot began, nor for a booking checked in or cancelled."""
        booking = self._owned(principal, code)
        now = self.clock.now()
        if booking.state is not BookingState.BOOKED:
            raise _not_booked(booking)
        if now >= booking.start:
            raise Conflict(
                Text(
                    vi="Khung giờ đã bắt đầu; không thể huỷ lịch hẹn này nữa.",
                    en="The slot has begun; this appointment can no longer be cancelled.",
                ),
                code="slot_started",
            )
        cancelled = booking.model_copy(update={"state": BookingState.CANCELLED, "cancelled_at": now})
        try:
            self.book_.release(cancelled)
        except BookingChanged:
            raise _not_booked(self.book_.get(booking.code) or booking) from None
        count("AppointmentCancelled")
        return cancelled

    # --- at the centre -----------------------------------------------------------------------

    def check_in(self, code: str, centre_id: str | None = None) -> Booking:
        """The kiosk checks a booking in, from 30 minutes before its slot to its end, and issues its
        queue ticket (kind `appointment`). No sign-in: the code is what the citizen holds."""
        cleaned = code.strip().rsplit("/", 1)[-1].upper()  # the QR's URL or the code typed
        booking = self.book_.get(cleaned) if cleaned.isalnum() and len(cleaned) == CODE_LENGTH else None
        if booking is None:
            raise NotFound(BOOKING, cleaned[: CODE_LENGTH + 2], code="booking_not_found")
        if centre_id is not None and booking.centre != centre_id:
            centre = self._centre(booking.centre)
            raise Conflict(
                Text(
                    vi=f"Lịch hẹn này ở {centre.name.vi}, không phải ở trung tâm này.",
                    en=f"This appointment is at {centre.name.en}, not at this centre.",
                ),
                code="other_centre",
            )
        now = self.clock.now()
        if booking.state is not BookingState.BOOKED:
            raise _not_booked(booking)
        if not may_check_in(booking, now):
            start = booking.start.astimezone(VIETNAM_TZ)
            opens = (booking.start - CHECK_IN_EARLY).astimezone(VIETNAM_TZ)
            raise Conflict(
                Text(
                    vi=f"Lịch hẹn lúc {start:%H:%M} ngày {start:%d/%m/%Y}: chỉ xác nhận có mặt "
                    f"từ {opens:%H:%M} đến hết khung giờ.",
                    en=f"Appointment at {start:%H:%M} on {start:%d/%m/%Y}: check-in is open "
                    f"from {opens:%H:%M} to the end of the slot.",
                ),
                code="check_in_closed",
            )
        ticket = self.issue_ticket(booking, now) if self.issue_ticket else None
        checked = booking.model_copy(
            update={"state": BookingState.CHECKED_IN, "checked_in_at": now, "ticket": ticket}
        )
        try:
            self.book_.update(checked)
        except BookingChanged:
            raise _not_booked(self.book_.get(booking.code) or booking) from None
        count("AppointmentCheckedIn")
        return checked

    def mark_no_shows(self) -> int:
        """Mark every booking whose slot ended unchecked a no-show (the daily sweep); how many."""
        now, marked = self.clock.now(), 0
        for centre in self.province.centres:
            for booking in self.book_.awaiting(centre.id, ended_by=now, limit=1000):
                try:
                    self.book_.update(
                        booking.model_copy(update={"state": BookingState.NO_SHOW, "no_show_at": now}),
                        no_show=True,
                    )
                except BookingChanged:
                    continue  # checked in or cancelled meanwhile
                marked += 1
        if marked:
            count("AppointmentNoShow", marked)
            logger.info("no-shows marked", extra={"count": marked})
        return marked


def is_open_on(centre: Centre, calendar: WorkingCalendar, day: date) -> bool:
    """Whether the centre opens on `day`: it has hours that weekday and the day is no public holiday."""
    return bool(centre.hours_on(day.weekday())) and calendar.holiday_name(day) is None


def slots_on(centre: Centre, service: TicketService, calendar: WorkingCalendar, day: date) -> list[Slot]:
    """The service's appointment slots on `day`: each opening cut in `slot_minutes`, a part too short
    for a whole slot left out; none on a holiday or for a service that takes no appointments."""
    if service.per_slot == 0 or not is_open_on(centre, calendar, day):
        return []
    length = timedelta(minutes=centre.slot_minutes)
    slots = []
    for opens, closes in centre.hours_on(day.weekday()):
        start = datetime.combine(day, opens, VIETNAM_TZ)
        end_of_opening = datetime.combine(day, closes, VIETNAM_TZ)
        while start + length <= end_of_opening:
            slots.append(Slot(start=start, end=start + length))
            start += length
    return slots


def bookable_days(centre: Centre, calendar: WorkingCalendar, today: date) -> list[date]:
    """The days one may book: from tomorrow up to `book_ahead_days` working days ahead, those the centre
    opens (a Saturday morning too, when its hours say so)."""
    last = calendar.add_working_days(today, centre.book_ahead_days)
    days, day = [], today + timedelta(days=1)
    while day <= last:
        if is_open_on(centre, calendar, day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _citizen(principal: Principal) -> None:
    if principal.kind is not PrincipalKind.CITIZEN:
        raise Forbidden(
            Text(vi="Chỉ công dân mới đặt được lịch hẹn.", en="Only citizens can book appointments.")
        )


def _not_booked(booking: Booking) -> Conflict:
    words = {
        BookingState.CHECKED_IN: Text(vi="đã xác nhận có mặt", en="already checked in"),
        BookingState.CANCELLED: Text(vi="đã bị huỷ", en="cancelled"),
        BookingState.NO_SHOW: Text(vi="đã bị đánh dấu vắng mặt", en="marked a no-show"),
        BookingState.BOOKED: Text(vi="đang chờ", en="waiting"),
    }[booking.state]
    return Conflict(
        Text(vi=f"Lịch hẹn {booking.code} {words.vi}.", en=f"Appointment {booking.code} is {words.en}."),
        code=f"booking_{booking.state.value}",
    )
