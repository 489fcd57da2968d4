"""Queue tickets at a centre: the kiosk and the board (public), a ticket's place, the counter console."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access, Header
from chalicelib.http.responses import Reply
from motcua.domain.errors import NotFound
from motcua.domain.i18n import Text
from motcua.domain.queue import TicketState, candidates
from motcua.presentation.queue import (
    BoardView,
    CallView,
    CentreList,
    ConsoleView,
    KioskView,
    TicketView,
    board_view,
    call_view,
    centre_view,
    console_view,
    kiosk_view,
    ticket_view,
)
from motcua.services.queue import IssueRequest, TransferRequest

if TYPE_CHECKING:
    from chalicelib.http.call import Call
    from motcua.domain.queue import CounterCall

area = Area(__name__, tag="queue")


class CounterAction(BaseModel):
    """An action at the counter: nothing to say but which counter (`{}`)."""

    model_config = ConfigDict(extra="forbid")


IF_NONE_MATCH = Header(
    "If-None-Match",
    "The ETag of the board last shown: 304 without a body when nothing changed since.",
)


@area.route("GET", "/v1/centres", access=Access.PUBLIC, response=CentreList, cache="public, max-age=300")
def centres(call: Call) -> CentreList:
    """The province's centres: their ticket services and counters (from the province file)."""
    return CentreList(items=[centre_view(c) for c in call.container.province.centres])


@area.route("GET", "/v1/centres/{centre_id}/kiosk", access=Access.PUBLIC, response=KioskView, errors=(404,))
def kiosk(call: Call, centre_id: str) -> KioskView:
    """The kiosk's screen: the services it offers and whether it gives tickets now (else when it opens)."""
    queue = call.container.queue
    return kiosk_view(queue.centre(centre_id), queue.opening(centre_id))


@area.route(
    "POST",
    "/v1/centres/{centre_id}/tickets",
    access=Access.PUBLIC,
    body=IssueRequest,
    response=TicketView,
    status=201,
    errors=(404, 409),
)
def issue(call: Call, centre_id: str) -> TicketView:
    """Take a number (bấm số): the service's next ticket of the day, priority if the person is one.

    409 `queue_closed` outside the opening hours or on a holiday, `service_full` past the service's
    daily capacity: the message says when the centre opens next (`next_open`).
    """
    request = call.body(IssueRequest)
    queue = call.container.queue
    issued = queue.issue(centre_id, request.service, request.kind, appointment=request.appointment)
    portal = call.container.presenter.portal_url
    return ticket_view(queue.centre(centre_id), issued.ticket, issued.ahead, portal_url=portal)


@area.route(
    "GET",
    "/v1/centres/{centre_id}/board",
    access=Access.PUBLIC,
    response=BoardView,
    headers=(IF_NONE_MATCH,),
    response_headers={"ETag": "The board's version: send it back as If-None-Match."},
    errors=(404,),
    cache="no-cache",
)
def board(call: Call, centre_id: str) -> BoardView | Reply:
    """The display board: the ticket at each counter, the next ones, how many wait (one table read).

    Polled every second or two with If-None-Match: 304 without a body when nothing changed (the
    same single read, no write).
    """
    queue = call.container.queue
    centre, day = queue.day(centre_id)
    view = board_view(centre, queue.today(), day, queue.opening(centre_id))
    etag = view.etag()
    if call.header("If-None-Match") == etag:
        return Reply(view, status=304, headers={"ETag": etag})
    return Reply(view, headers={"ETag": etag})


@area.route(
    "GET",
    "/v1/centres/{centre_id}/tickets/{day}/{ticket_id}",
    access=Access.PUBLIC,
    response=TicketView,
    errors=(404,),
)
def ticket(call: Call, centre_id: str, day: str, ticket_id: str) -> TicketView:
    """A ticket's place (the QR on the printed ticket): waiting with n people before it, called, done."""
    try:
        on = date.fromisoformat(day)
    except ValueError:
        raise NotFound(
            Text(vi="số thứ tự", en="ticket"), f"{day}/{ticket_id}", code="ticket_not_found"
        ) from None
    queue = call.container.queue
    found, ahead, _ = queue.place(centre_id, on, ticket_id)
    return ticket_view(queue.centre(centre_id), found, ahead)


# --- the counter console (receivers and leaders of the counter's agency) -----------------------


@area.route(
    "GET",
    "/v1/centres/{centre_id}/counters/{number}",
    access=Access.STAFF,
    response=ConsoleView,
    errors=(404,),
)
def console(call: Call, centre_id: str, number: str) -> ConsoleView:
    """The counter console: its ticket, how many wait per service, what it would call next."""
    queue = call.container.queue
    centre, counter = queue.counter(call.principal, centre_id, _number(number))
    _, day = queue.day(centre.id)
    return console_view(centre, counter.number, day, candidates(day, counter.number, counter.services))


def _number(number: str) -> int:
    if not number.isdigit() or not 1 <= int(number) <= 99:
        raise NotFound(Text(vi="quầy", en="counter"), number, code="counter_not_found")
    return int(number)


def _call(call: Call, centre_id: str, after: CounterCall) -> CallView:
    return call_view(call.container.queue.centre(centre_id), after)


@area.route(
    "POST",
    "/v1/centres/{centre_id}/counters/{number}/next",
    access=Access.STAFF,
    body=CounterAction,
    response=CallView,
    errors=(404, 409),
)
def call_next(call: Call, centre_id: str, number: str) -> CallView:
    """Call the next ticket (gọi số tiếp theo); the one the counter had is done. No ticket: nobody waits."""
    return _call(call, centre_id, call.container.queue.call_next(call.principal, centre_id, _number(number)))


@area.route(
    "POST",
    "/v1/centres/{centre_id}/counters/{number}/recall",
    access=Access.STAFF,
    body=CounterAction,
    response=CallView,
    errors=(404, 409),
)
def recall(call: Call, centre_id: str, number: str) -> CallView:
    """Call the counter's ticket again: the board announces it again."""
    return _call(call, centre_id, call.container.queue.recall(call.principal, centre_id, _number(number)))


@area.route(
    "POST",
    "/v1/centres/{centre_id}/counters/{number}/no-show",
    access=Access.STAFF,
    body=CounterAction,
    response=CallView,
    errors=(404, 409),
)
def no_show(call: Call, centre_id: str, number: str) -> CallView:
    """The person called did not come (vắng mặt): the ticket is closed, the counter free."""
    queue = call.container.queue
    return _call(
        call, centre_id, queue.finish(call.principal, centre_id, _number(number), TicketState.NO_SHOW)
    )


@area.route(
    "POST",
    "/v1/centres/{centre_id}/counters/{number}/done",
    access=Access.STAFF,
    body=CounterAction,
    response=CallView,
    errors=(404, 409),
)
def done(call: Call, centre_id: str, number: str) -> CallView:
    """The counter is done with its ticket: the counter is free."""
    queue = call.container.queue
    return _call(call, centre_id, queue.finish(call.principal, centre_id, _number(number), TicketState.DONE))


@area.route(
    "POST",
    "/v1/centres/{centre_id}/counters/{number}/transfer",
    access=Access.STAFF,
    body=TransferRequest,
    response=TicketView,
    errors=(404, 409),
)
def transfer(call: Call, centre_id: str, number: str) -> TicketView:
    """Send the counter's ticket to another service or counter (`service` or `counter`): it waits there
    with its number and its place in the order."""
    queue = call.container.queue
    moved = queue.transfer(call.principal, centre_id, _number(number), call.body(TransferRequest))
    _, day = queue.day(centre_id)
    return ticket_view(queue.centre(centre_id), moved, day.ahead_of(moved))
