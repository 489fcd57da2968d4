"""The day's bookings of a centre, for the receiving officers and leaders of its counters' agencies."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from motcua.services.day_bookings import CentreDayBookings

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="appointments")


class DayQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    day: date | None = Field(
        default=None, description="The day, `2026-12-07`; today (Vietnam time) if absent."
    )


@area.route(
    "GET",
    "/v1/centres/{centre_id}/appointments",
    access=Access.STAFF,
    query=DayQuery,
    response=CentreDayBookings,
    errors=(404,),
)
def centre_day_bookings(call: Call, centre_id: str) -> CentreDayBookings:
    """The centre's bookings of a day by slot: who (the name masked), the service, the state (`booked`,
    `checked_in`, `called`, `no_show`, `cancelled`), the ticket its check-in issued, and the no-shows.

    For the receivers and leaders of an agency staffing one of the centre's counters. One read of the
    day's bookings, and for today one read of the queue when a booking was checked in.
    """
    return call.container.day_bookings.day(call.principal, centre_id, call.query(DayQuery).day)
