"""Queue tickets (bấm số thứ tự): the kiosk issues them, counters call them, the board shows the calls.

`QueueService.issue` is also how an appointment checks in at the kiosk (`appointment=` the booking's
code): the ticket is of kind `appointment`, called after priority tickets and before walk-ins.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound, Unavailable
from motcua.domain.i18n import Text
from motcua.domain.models import PrincipalKind
from motcua.domain.permissions import DESK, RoleRequired
from motcua.domain.ports import AppointmentCheckedIn, QueueChanged, SequenceTaken
from motcua.domain.queue import (
    ClosedReason,
    CounterCall,
    Opening,
    QueueClosed,
    QueueDay,
    Ticket,
    TicketKind,
    TicketState,
    candidates,
    centre_day,
    next_opening,
    opening_at,
)
from motcua.observability import count

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from motcua.config.centres import Centre, Counter
    from motcua.config.province import Province
    from motcua.domain.models import Principal
    from motcua.domain.ports import Clock, QueueStore

# Kiosks racing for a service's next number, counters for the next ticket: tries before "busy".
MAX_ATTEMPTS = 50
# Call-next tries this many candidates of one read (each taken by another counter) before reading again.
TRIES_PER_READ = 4
APPOINTMENT_PATTERN = r"^[A-Za-z0-9-]{4,40}$"
BUSY = Text(
    vi="Quầy đang bận, vui lòng thử lại sau ít giây.",
    en="The queue is busy; please try again in a few seconds.",
)


class IssueRequest(BaseModel):
    """What a kiosk sends: the service, and a priority or an appointment's code if any."""

    model_config = ConfigDict(extra="forbid")

    service: str = Field(min_length=1, max_length=1)
    kind: TicketKind = TicketKind.WALK_IN
    appointment: str | None = Field(default=None, pattern=APPOINTMENT_PATTERN)


class IssuedTicket(BaseModel):
    ticket: Ticket
    ahead: int  # people of the same service called before it, when it was issued


class TransferRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service: str | None = Field(default=None, min_length=1, max_length=1)
    counter: int | None = Field(default=None, ge=1, le=99)


class QueueService:
    def __init__(
        self,
        *,
        province: Province,
        store: QueueStore,
        clock: Clock,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self.province = province
        self.store = store
        self.clock = clock
        self.pause = pause
        self._centres = {centre.id: centre for centre in province.centres}

    # --- the centre ------------------------------------------------------------------------

    def centre(self, centre_id: str) -> Centre:
        centre = self._centres.get(centre_id)
        if centre is None:
            raise NotFound(Text(vi="trung tâm", en="centre"), centre_id, code="centre_not_found")
        return centre

    def opening(self, centre_id: str) -> Opening:
        return opening_at(self.centre(centre_id).hours_on, self.province.working_calendar, self.clock.now())

    def today(self) -> date:
        return centre_day(self.clock.now())

    def day(self, centre_id: str) -> tuple[Centre, QueueDay]:
        """The centre and its day as one read finds it (the board, the counter console)."""
        centre = self.centre(centre_id)
        return centre, self.store.day(centre.id, self.today())

    # --- the kiosk -------------------------------------------------------------------------

    def issue(
        self,
        centre_id: str,
        service: str,
        kind: TicketKind = TicketKind.WALK_IN,
        *,
        appointment: str | None = None,
    ) -> IssuedTicket:
        """A ticket for `service` at the centre now: the service's next number of the day.

        With `appointment` (a booking's code, checked by its caller) the ticket is of kind
        `appointment`, issued once per booking (AppointmentCheckedIn names the ticket it has), whatever
        the opening hours and up to 999 a day: the booking holds the place, its own window says when.
        Otherwise QueueClosed outside the hours, on a holiday, or past the service's daily capacity.
        """
        centre = self.centre(centre_id)
        offered = centre.services_by_code.get(service)
        if offered is None:
            raise InvalidInput(
                Text(vi="Dịch vụ không có ở trung tâm này.", en="The centre offers no such service."),
                fields=(
                    FieldError(
                        field="service",
                        code="unknown_service",
                        message=Text(vi=f"Không có dịch vụ “{service}”.", en=f"No service “{service}”."),
                    ),
                ),
            )
        if appointment is not None:
            kind = TicketKind.APPOINTMENT
        elif kind is TicketKind.APPOINTMENT:
            raise InvalidInput(
                Text(vi="Cần mã lịch hẹn.", en="An appointment's code is needed."),
                fields=(
                    FieldError(
                        field="appointment",
                        code="required",
                        message=Text(vi="Nhập mã lịch hẹn.", en="Enter the appointment's code."),
                    ),
                ),
            )
        calendar = self.province.working_calendar
        if appointment is None:
            opening = opening_at(centre.hours_on, calendar, self.clock.now())
            if not opening.open:
                count("QueueClosed")
                raise QueueClosed(opening)
        capacity = offered.daily_capacity if appointment is None else 999
        for attempt in range(MAX_ATTEMPTS):
            now = self.clock.now()
            today = centre_day(now)
            day = self.store.day(centre.id, today)
            number = day.last_numbers.get(service, 0) + 1
            if number > capacity:
                count("QueueFull")
                full = Opening(
                    open=False,
                    reason=ClosedReason.FULL,
                    next_open=next_opening(centre.hours_on, calendar, now, after_today=True),
                )
                raise QueueClosed(full, offered.name)
            ticket = Ticket(
                centre=centre.id,
                day=today,
                number=number,
                letter=service,
                service=service,
                kind=kind,
                issued_at=now,
                appointment=appointment,
            )
            try:
                self.store.issue(ticket)
            except SequenceTaken:
                self.pause(random.uniform(0, 0.01 * (attempt + 1)))  # noqa: S311 — spreads retries only
                continue
            except AppointmentCheckedIn as already:
                raise Conflict(
                    Text(
                        vi=f"Lịch hẹn này đã được lấy số {already.ticket_id}.",
                        en=f"This appointment has checked in already: ticket {already.ticket_id}.",
                    ),
                    code="appointment_checked_in",
                ) from already
            count("TicketIssued")
            return IssuedTicket(ticket=ticket, ahead=day.ahead_of(ticket))
        raise Unavailable(BUSY, retry_after=2, code="busy")

    def place(self, centre_id: str, day: date, ticket_id: str) -> tuple[Ticket, int, QueueDay]:
        """A ticket as its holder follows it: its state, how many are called before it, the calls."""
        centre = self.centre(centre_id)
        queue = self.store.day(centre.id, day)
        for ticket in queue.waiting:
            if ticket.id == ticket_id:
                return ticket, queue.ahead_of(ticket), queue
        for call in queue.calls.values():
            if call.ticket is not None and call.ticket.id == ticket_id:
                return call.ticket, 0, queue
        found = self.store.ticket(centre.id, day, ticket_id)
        if found is None:
            raise NotFound(Text(vi="số thứ tự", en="ticket"), ticket_id, code="ticket_not_found")
        return found, 0, queue

    # --- the counter -----------------------------------------------------------------------

    def counter(self, principal: Principal, centre_id: str, number: int) -> tuple[Centre, Counter]:
        """The counter, if `principal` may work at it: a receiver or a leader of its agency."""
        centre = self.centre(centre_id)
        counter = centre.counters_by_number.get(number)
        if counter is None:
            raise NotFound(Text(vi="quầy", en="counter"), str(number), code="counter_not_found")
        if principal.kind is not PrincipalKind.STAFF:
            raise Forbidden(Text(vi="Chỉ cán bộ mới làm việc tại quầy.", en="Only staff work at a counter."))
        staffed_by = self.province.current_agency(counter.agency)
        mine = self.province.current_agency(principal.agency or "")
        if mine is None or staffed_by is None or mine.code != staffed_by.code:
            raise Forbidden(
                Text(
                    vi="Quầy này do cán bộ của cơ quan khác phụ trách.",
                    en="This counter is staffed by another agency's officers.",
                )
            )
        if principal.role not in DESK:
            raise RoleRequired(DESK, Text(vi="làm việc tại quầy", en="working at a counter"))
        return centre, counter

    def call_next(self, principal: Principal, centre_id: str, number: int) -> CounterCall:
        """The counter calls its next ticket (the one it had is done). Two counters calling at once
        never get the same ticket: each call is a conditional write; the one that loses tries the
        next candidate of its read, then reads again."""
        centre, counter = self.counter(principal, centre_id, number)
        for _ in range(MAX_ATTEMPTS):
            day = self.store.day(centre.id, self.today())
            current = day.call_at(counter.number)
            waiting = candidates(day, counter.number, counter.services)
            if not waiting:
                return self._free(centre, current)
            for ticket in waiting[:TRIES_PER_READ]:
                now = self.clock.now()  # after the read: a later call never has an earlier time
                called = ticket.model_copy(
                    update={"state": TicketState.CALLED, "counter": counter.number, "called_at": now}
                )
                after = CounterCall(counter=counter.number, seq=current.seq + 1, ticket=called, at=now)
                moves = ((ticket, called), *self._closing(current, TicketState.DONE, now))
                try:
                    self.store.change(
                        tickets=moves, counter=(current, after), centre=centre.id, day=ticket.day
                    )
                except QueueChanged:
                    count("QueueCallRace")
                    continue
                count("QueueCalled")
                return after
        raise Unavailable(BUSY, retry_after=2, code="busy")

    def recall(self, principal: Principal, centre_id: str, number: int) -> CounterCall:
        """Call the counter's ticket again (the board announces it again)."""
        centre, counter = self.counter(principal, centre_id, number)
        day = self.store.day(centre.id, self.today())
        current = day.call_at(counter.number)
        ticket = self._at_counter(current)
        now = self.clock.now()
        again = ticket.model_copy(update={"recalls": ticket.recalls + 1})
        after = CounterCall(counter=counter.number, seq=current.seq + 1, ticket=again, at=now)
        self._change(((ticket, again),), current, after, centre.id, ticket.day)
        return after

    def finish(self, principal: Principal, centre_id: str, number: int, state: TicketState) -> CounterCall:
        """The counter's ticket is done, or its holder did not come (no-show); the counter is free."""
        if state not in (TicketState.DONE, TicketState.NO_SHOW):
            raise ValueError(state)
        centre, counter = self.counter(principal, centre_id, number)
        day = self.store.day(centre.id, self.today())
        current = day.call_at(counter.number)
        ticket = self._at_counter(current)
        now = self.clock.now()
        after = CounterCall(counter=counter.number, seq=current.seq, ticket=None, at=now)
        self._change(self._closing(current, state, now), current, after, centre.id, ticket.day)
        return after

    def transfer(self, principal: Principal, centre_id: str, number: int, request: TransferRequest) -> Ticket:
        """Send the counter's ticket to another service or counter: it waits there with its number, its
        class and its arrival time (so it is called soon)."""
        centre, counter = self.counter(principal, centre_id, number)
        if (request.service is None) == (request.counter is None):
            raise InvalidInput(
                Text(vi="Chọn một dịch vụ hoặc một quầy.", en="Choose a service or a counter."),
                fields=(
                    FieldError(
                        field="service",
                        code="one_of",
                        message=Text(vi="Chọn dịch vụ hoặc quầy.", en="Choose a service or a counter."),
                    ),
                ),
            )
        day = self.store.day(centre.id, self.today())
        current = day.call_at(counter.number)
        ticket = self._at_counter(current)
        update: dict[str, object]
        if request.service is not None:
            if request.service not in centre.services_by_code:
                raise _unknown("service", request.service)
            update = {"service": request.service, "counter": None, "transferred_from": ticket.service}
        else:
            target = centre.counters_by_number.get(request.counter or 0)
            if target is None or target.number == counter.number:
                raise _unknown("counter", str(request.counter))
            update = {"counter": target.number, "transferred_from": f"#{counter.number}"}
        moved = ticket.model_copy(update={**update, "state": TicketState.WAITING, "called_at": None})
        after = CounterCall(counter=counter.number, seq=current.seq, ticket=None, at=self.clock.now())
        self._change(((ticket, moved),), current, after, centre.id, ticket.day)
        count("QueueTransferred")
        return moved

    # --- helpers ---------------------------------------------------------------------------

    def _free(self, centre: Centre, current: CounterCall) -> CounterCall:
        """Nobody waits: the counter's ticket (if any) is done, the counter shows no number."""
        if current.ticket is None:
            return current
        now = self.clock.now()
        after = CounterCall(counter=current.counter, seq=current.seq, ticket=None, at=now)
        self._change(
            self._closing(current, TicketState.DONE, now), current, after, centre.id, current.ticket.day
        )
        return after

    @staticmethod
    def _closing(current: CounterCall, state: TicketState, now: object) -> tuple[tuple[Ticket, Ticket], ...]:
        if current.ticket is None:
            return ()
        return ((current.ticket, current.ticket.model_copy(update={"state": state, "closed_at": now})),)

    @staticmethod
    def _at_counter(current: CounterCall) -> Ticket:
        if current.ticket is None:
            raise Conflict(
                Text(vi="Quầy chưa gọi số nào.", en="The counter has not called a ticket."),
                code="no_ticket_called",
            )
        return current.ticket

    def _change(
        self,
        tickets: tuple[tuple[Ticket, Ticket], ...],
        before: CounterCall,
        after: CounterCall,
        centre: str,
        day: date,
    ) -> None:
        try:
            self.store.change(tickets=tickets, counter=(before, after), centre=centre, day=day)
        except QueueChanged as changed:
            raise Conflict(
                Text(
                    vi="Quầy vừa thay đổi (một thao tác khác); vui lòng tải lại.",
                    en="The counter changed meanwhile (another action); please reload.",
                ),
                code="counter_changed",
            ) from changed


def _unknown(field: str, value: str) -> InvalidInput:
    what = Text(vi="dịch vụ", en="service") if field == "service" else Text(vi="quầy", en="counter")
    return InvalidInput(
        Text(vi=f"Không chuyển được tới {what.vi} này.", en=f"Cannot transfer to this {what.en}."),
        fields=(
            FieldError(
                field=field,
                code=f"unknown_{field}",
                message=Text(vi=f"Không có {what.vi} “{value}”.", en=f"No {what.en} “{value}”."),
            ),
        ),
    )
