"""An in-memory QueueStore: the DynamoDB adapter's items and conditions, under one lock."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from motcua.domain.ports import AppointmentCheckedIn, QueueChanged, QueueStore, SequenceTaken
from motcua.domain.queue import CounterCall, QueueDay, Ticket, TicketState, ordered

if TYPE_CHECKING:
    from datetime import date


class InMemoryQueueStore:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.numbers: dict[tuple[str, date, str], int] = {}
        self.tickets: dict[tuple[str, date, str], Ticket] = {}
        self.calls: dict[tuple[str, date, int], CounterCall] = {}
        self.appointments: dict[tuple[str, date, str], str] = {}
        self.reads = 0
        self.writes = 0

    def day(self, centre: str, day: date) -> QueueDay:
        with self.lock:
            self.reads += 1
            return QueueDay(
                calls={n: call for (c, d, n), call in self.calls.items() if (c, d) == (centre, day)},
                last_numbers={s: n for (c, d, s), n in self.numbers.items() if (c, d) == (centre, day)},
                waiting=ordered(
                    t
                    for (c, d, _), t in self.tickets.items()
                    if (c, d) == (centre, day) and t.state is TicketState.WAITING
                ),
            )

    def ticket(self, centre: str, day: date, ticket_id: str) -> Ticket | None:
        with self.lock:
            self.reads += 1
            return self.tickets.get((centre, day, ticket_id))

    def issue(self, ticket: Ticket) -> None:
        with self.lock:
            self.writes += 1
            key = (ticket.centre, ticket.day, ticket.letter)
            if self.numbers.get(key, 0) != ticket.number - 1:
                raise SequenceTaken(ticket.id)
            if ticket.appointment is not None:
                booked = (ticket.centre, ticket.day, ticket.appointment)
                if booked in self.appointments:
                    raise AppointmentCheckedIn(self.appointments[booked])
                self.appointments[booked] = ticket.id
            self.numbers[key] = ticket.number
            self.tickets[(ticket.centre, ticket.day, ticket.id)] = ticket

    def change(
        self,
        *,
        tickets: tuple[tuple[Ticket, Ticket], ...],
        counter: tuple[CounterCall, CounterCall] | None = None,
        centre: str,
        day: date,
    ) -> None:
        with self.lock:
            self.writes += 1
            for before, _ in tickets:
                if self.tickets.get((before.centre, before.day, before.id)) != before:
                    raise QueueChanged(before.id)
            if counter is not None:
                was, _ = counter
                stored = self.calls.get((centre, day, was.counter)) or CounterCall(counter=was.counter)
                if stored.seq != was.seq or stored.ticket != was.ticket:
                    raise QueueChanged(f"counter {was.counter}")
            for _, after in tickets:
                self.tickets[(after.centre, after.day, after.id)] = after
            if counter is not None:
                _, now = counter
                self.calls[(centre, day, now.counter)] = now


def _conforms() -> QueueStore:
    return InMemoryQueueStore()
