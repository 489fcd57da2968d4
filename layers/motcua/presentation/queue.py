"""What the kiosk, the board, a ticket's page and the counter console are answered (docs/counter.md).

Names come in both languages (`Text`): the kiosk and the board switch language without asking again.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel

from motcua.domain.i18n import Text
from motcua.domain.queue import PRIORITY_KINDS, Ticket, TicketKind, TicketState

if TYPE_CHECKING:
    from motcua.config.centres import Centre
    from motcua.domain.queue import CounterCall, Opening, QueueDay

BOARD_NEXT = 8  # the next tickets the board lists


class ServiceView(BaseModel):
    code: str
    name: Text
    appointments: bool  # takes appointments (per_slot > 0)


class CounterView(BaseModel):
    number: int
    name: Text
    agency: str
    services: list[str]


class CentreView(BaseModel):
    id: str
    name: Text
    address: Text
    services: list[ServiceView]
    counters: list[CounterView]


class CentreList(BaseModel):
    items: list[CentreView]


class KioskView(BaseModel):
    """The kiosk's screen: the services, the priority kinds, and whether it gives tickets now."""

    centre: CentreView
    open: bool
    closed_reason: str | None
    next_open: datetime | None
    priority_kinds: list[TicketKind]


class TicketView(BaseModel):
    id: str
    centre: str
    day: date
    service: str
    service_name: Text
    kind: TicketKind
    state: TicketState
    issued_at: datetime
    ahead: int  # people of its service called before it
    counter: int | None  # where it is called (or sent)
    counter_name: Text | None
    path: str  # its page (the QR on the printed ticket): /#/queue/<centre>/<day>/<id>
    qr: str | None = None  # the QR of the page's whole URL, an SVG data: URI (the kiosk prints it)


class CallView(BaseModel):
    counter: int
    name: Text
    ticket: str | None
    service: str | None
    seq: int  # moves on each call and recall: the board announces it
    at: datetime | None


class WaitingView(BaseModel):
    ticket: str
    service: str
    kind: TicketKind
    counter: int | None


class BoardView(BaseModel):
    """The centre's TV: the ticket at each counter, the next ones, how many wait per service."""

    centre: str
    name: Text
    day: date
    open: bool
    next_open: datetime | None
    calls: list[CallView]
    next: list[WaitingView]
    waiting: dict[str, int]
    issued: dict[str, int]

    def etag(self) -> str:
        return '"' + hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:32] + '"'


class ConsoleView(BaseModel):
    """The counter console: the counter's call, who waits for what, and where a ticket can be sent."""

    centre: CentreView
    counter: int
    call: CallView
    waiting: dict[str, int]  # per service of the centre
    mine: list[WaitingView]  # what this counter would call, best first (the first few)


def counter_name(centre: Centre, number: int) -> Text:
    counter = centre.counters_by_number.get(number)
    if counter is not None and counter.name is not None:
        return counter.name
    return Text(vi=f"Quầy {number}", en=f"Counter {number}")


def centre_view(centre: Centre) -> CentreView:
    return CentreView(
        id=centre.id,
        name=centre.name,
        address=centre.address,
        services=[
            ServiceView(code=s.code, name=s.name, appointments=s.per_slot > 0) for s in centre.services
        ],
        counters=[
            CounterView(
                number=c.number,
                name=counter_name(centre, c.number),
                agency=c.agency,
                services=list(c.services),
            )
            for c in centre.counters
        ],
    )


def kiosk_view(centre: Centre, opening: Opening) -> KioskView:
    return KioskView(
        centre=centre_view(centre),
        open=opening.open,
        closed_reason=opening.reason.value if opening.reason else None,
        next_open=opening.next_open,
        priority_kinds=list(PRIORITY_KINDS),
    )


def ticket_path(ticket: Ticket) -> str:
    return f"/#/queue/{ticket.centre}/{ticket.day:%Y-%m-%d}/{ticket.id}"


def ticket_qr(portal_url: str, ticket: Ticket) -> str:
    import segno  # only the kiosk's answer draws one

    return str(segno.make_qr(portal_url.rstrip("/") + ticket_path(ticket), error="m").svg_data_uri(scale=4))


def ticket_view(centre: Centre, ticket: Ticket, ahead: int, *, portal_url: str | None = None) -> TicketView:
    service = centre.services_by_code.get(ticket.service)
    return TicketView(
        qr=ticket_qr(portal_url, ticket) if portal_url else None,
        id=ticket.id,
        centre=ticket.centre,
        day=ticket.day,
        service=ticket.service,
        service_name=service.name if service else Text(vi=ticket.service, en=ticket.service),
        kind=ticket.kind,
        state=ticket.state,
        issued_at=ticket.issued_at,
        ahead=ahead if ticket.state is TicketState.WAITING else 0,
        counter=ticket.counter,
        counter_name=counter_name(centre, ticket.counter) if ticket.counter else None,
        path=ticket_path(ticket),
    )


def call_view(centre: Centre, call: CounterCall) -> CallView:
    return CallView(
        counter=call.counter,
        name=counter_name(centre, call.counter),
        ticket=call.ticket.id if call.ticket else None,
        service=call.ticket.service if call.ticket else None,
        seq=call.seq,
        at=call.at,
    )


def _waiting(ticket: Ticket) -> WaitingView:
    return WaitingView(ticket=ticket.id, service=ticket.service, kind=ticket.kind, counter=ticket.counter)


def _counts(centre: Centre, day: QueueDay) -> dict[str, int]:
    return {s.code: len(day.waiting_for(s.code)) for s in centre.services}


def board_view(centre: Centre, day: date, queue: QueueDay, opening: Opening) -> BoardView:
    return BoardView(
        centre=centre.id,
        name=centre.name,
        day=day,
        open=opening.open,
        next_open=opening.next_open,
        calls=[call_view(centre, queue.call_at(c.number)) for c in centre.counters],
        next=[_waiting(t) for t in queue.waiting[:BOARD_NEXT]],
        waiting=_counts(centre, queue),
        issued={s.code: queue.last_numbers.get(s.code, 0) for s in centre.services},
    )


def console_view(centre: Centre, number: int, queue: QueueDay, mine: list[Ticket]) -> ConsoleView:
    return ConsoleView(
        centre=centre_view(centre),
        counter=number,
        call=call_view(centre, queue.call_at(number)),
        waiting=_counts(centre, queue),
        mine=[_waiting(t) for t in mine[:BOARD_NEXT]],
    )
