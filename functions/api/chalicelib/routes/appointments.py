"""Appointments: the centres' free places per slot (public), booking and cancelling (citizens), the
kiosk's check-in (no sign-in: the booking's code is what the citizen holds)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from chalicelib.http.responses import Reply
from motcua.services.appointments import BookingRequest, BookingView, CentreAppointments, DaySlots

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="appointments")


class AppointmentCentres(BaseModel):
    items: list[CentreAppointments]


class SlotsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    centre: str = Field(max_length=40, description="The centre's id (`tinh`).")
    service: str = Field(max_length=2, description="The service's letter (`A`).")
    day: date = Field(description="The day, `2026-12-07`: one of the centre's bookable `days`.")


class MyAppointments(BaseModel):
    items: list[BookingView]


class Cancellation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=500, description="Why, if the citizen says.")


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    centre: str | None = Field(default=None, max_length=40, description="The kiosk's centre, if it says.")


@area.route("GET", "/v1/appointments/centres", access=Access.PUBLIC, response=AppointmentCentres)
def appointment_centres(call: Call) -> AppointmentCentres:
    """The centres that take appointments, their services that do and the days one may book."""
    return AppointmentCentres(items=call.container.appointments.centres())


@area.route(
    "GET", "/v1/appointments/slots", access=Access.PUBLIC, query=SlotsQuery, response=DaySlots, errors=(422,)
)
def appointment_slots(call: Call) -> DaySlots:
    """A service's slots on a day with the places left in each (one table read)."""
    query = call.query(SlotsQuery)
    return call.container.appointments.day(query.centre, query.service, query.day)


@area.route(
    "POST",
    "/v1/appointments",
    access=Access.CITIZEN,
    body=BookingRequest,
    response=BookingView,
    status=201,
    errors=(409,),
    response_headers={"Location": "Where the booking is: `/v1/appointments/{booking_code}`."},
)
def book_appointment(call: Call) -> Reply:
    """Book a place in a slot, as the signed-in citizen (their name and verified contacts).

    A full slot answers 409 `slot_full` with `next_slots`, the next slots with free places; a second
    active booking of the same service and day answers 409 `already_booked`. The booking's email (with
    the QR of its code) and SMS follow.
    """
    services = call.container.appointments
    booking = services.book(call.principal, call.body(BookingRequest), call.language)
    return Reply(services.view(booking), headers={"Location": f"/v1/appointments/{booking.code}"})


@area.route("GET", "/v1/me/appointments", access=Access.CITIZEN, response=MyAppointments)
def my_appointments(call: Call) -> MyAppointments:
    """The signed-in citizen's appointments from yesterday on, the soonest first."""
    services = call.container.appointments
    return MyAppointments(items=[services.view(b) for b in services.mine(call.principal)])


@area.route(
    "GET", "/v1/appointments/{booking_code}", access=Access.CITIZEN, response=BookingView, errors=(404,)
)
def get_appointment(call: Call, booking_code: str) -> BookingView:
    """One of the signed-in citizen's appointments."""
    services = call.container.appointments
    return services.view(services.get(call.principal, booking_code))


@area.route(
    "POST",
    "/v1/appointments/{booking_code}/cancel",
    access=Access.CITIZEN,
    body=Cancellation,
    response=BookingView,
    errors=(404, 409),
)
def cancel_appointment(call: Call, booking_code: str) -> BookingView:
    """Cancel one's appointment and free its place; not once its slot began (409 `slot_started`)."""
    services = call.container.appointments
    call.body(Cancellation)
    return services.view(services.cancel(call.principal, booking_code))


@area.route(
    "POST",
    "/v1/appointments/{booking_code}/check-in",
    access=Access.PUBLIC,
    body=CheckIn,
    response=BookingView,
    errors=(404, 409),
)
def check_in_appointment(call: Call, booking_code: str) -> BookingView:
    """The kiosk checks an appointment in by its code, from 30 minutes before its slot to its end, and
    issues its queue ticket (kind `appointment`, called within the slot ahead of walk-ins)."""
    services = call.container.appointments
    return services.view(services.check_in(booking_code, call.body(CheckIn).centre))
