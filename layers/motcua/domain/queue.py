"""Queue tickets (số thứ tự) at a centre: numbering, the order counters call them, opening hours.

A ticket is numbered per ticket service per day (`A-001`, gap-free, up to the service's daily
capacity). Counters call priority tickets first (the elderly, people with disabilities, pregnant women,
people with small children), then appointment check-ins, then walk-ins, each in arrival order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.errors import Conflict
from motcua.domain.i18n import Language, Text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from motcua.domain.calendar import WorkingCalendar

    # A centre's openings on a weekday (Monday 0), in order: `Centre.hours_on`.
    Hours = Callable[[int], tuple[tuple[time, time], ...]]

TICKET_ID_PATTERN = r"^[A-Z]-\d{3}$"


class TicketKind(StrEnum):
    """Why a ticket is called when it is: a priority, an appointment, or a walk-in."""

    WALK_IN = "walk_in"
    ELDERLY = "elderly"  # người cao tuổi
    DISABILITY = "disability"  # người khuyết tật
    PREGNANT = "pregnant"  # phụ nữ mang thai
    SMALL_CHILDREN = "small_children"  # người đưa con nhỏ
    APPOINTMENT = "appointment"  # an appointment checked in at the kiosk

    @property
    def rank(self) -> int:
        """The class a counter calls first: priority 0, appointments 1, walk-ins 2."""
        if self is TicketKind.WALK_IN:
            return 2
        if self is TicketKind.APPOINTMENT:
            return 1
        return 0

    @property
    def priority(self) -> bool:
        return self.rank == 0


PRIORITY_KINDS = tuple(kind for kind in TicketKind if kind.priority)


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"  # at a counter now
    DONE = "done"
    NO_SHOW = "no_show"


class Ticket(BaseModel):
    """A queue ticket (phiếu số thứ tự) of one centre's day."""

    model_config = ConfigDict(frozen=True)

    centre: str
    day: date  # the centre's day (Vietnam time)
    number: int = Field(ge=1, le=999)
    letter: str  # the service it was issued for: its id is `<letter>-<number>`, for good
    service: str  # the service it waits for now (a transfer changes it)
    kind: TicketKind = TicketKind.WALK_IN
    issued_at: datetime  # its place in its class: arrival order
    state: TicketState = TicketState.WAITING
    appointment: str | None = None  # the booking it checked in for
    counter: int | None = None  # called at; while waiting: the only counter that may call it
    called_at: datetime | None = None
    closed_at: datetime | None = None
    recalls: int = 0
    transferred_from: str | None = None  # "service A", "counter 2"

    @property
    def id(self) -> str:
        return f"{self.letter}-{self.number:03d}"

    @property
    def order(self) -> tuple[int, datetime, str]:
        """Priority first, then appointments, then walk-ins, each in arrival order."""
        return (self.kind.rank, self.issued_at, self.id)


class CounterCall(BaseModel):
    """What a counter shows on the board: the ticket it called (none: free), and how many calls it made
    (`seq` moves on each call and recall: the board announces when it sees it move)."""

    model_config = ConfigDict(frozen=True)

    counter: int
    seq: int = 0
    ticket: Ticket | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class QueueDay:
    """One centre's day as one read finds it: the counters' calls, the numbers given, who waits."""

    calls: dict[int, CounterCall]
    last_numbers: dict[str, int]  # per service letter
    waiting: tuple[Ticket, ...]  # in the order `Ticket.order`

    def call_at(self, counter: int) -> CounterCall:
        return self.calls.get(counter) or CounterCall(counter=counter)

    def waiting_for(self, service: str) -> tuple[Ticket, ...]:
        return tuple(t for t in self.waiting if t.service == service)

    def ahead_of(self, ticket: Ticket) -> int:
        """The people of the same service who will be called before `ticket`."""
        return sum(1 for t in self.waiting_for(ticket.service) if t.order < ticket.order)


def candidates(day: QueueDay, counter: int, services: tuple[str, ...]) -> list[Ticket]:
    """What counter number `counter`, calling `services`, may call, best first: priority, then
    appointments, then walk-ins; within a class, tickets sent to this very counter, then its services in
    the order it prefers them, then arrival."""
    preference = {code: n for n, code in enumerate(services)}

    def rank(ticket: Ticket) -> tuple[int, int, datetime, str]:
        place = -1 if ticket.counter == counter else preference[ticket.service]
        return (ticket.kind.rank, place, ticket.issued_at, ticket.id)

    mine = [t for t in day.waiting if t.counter == counter or (t.counter is None and t.service in preference)]
    return sorted(mine, key=rank)


def centre_day(now: datetime) -> date:
    return now.astimezone(VIETNAM_TZ).date()


# --- opening hours ----------------------------------------------------------------------------


class ClosedReason(StrEnum):
    HOURS = "hours"  # outside the opening hours
    HOLIDAY = "holiday"  # a public holiday
    FULL = "full"  # the service gave its last number of the day


@dataclass(frozen=True, slots=True)
class Opening:
    """Whether a centre takes tickets now; when closed, why and when it opens next."""

    open: bool
    reason: ClosedReason | None = None
    next_open: datetime | None = None


def is_holiday(calendar: WorkingCalendar, day: date) -> bool:
    """A public holiday of the province's calendar (a Saturday or Sunday is not one)."""
    return calendar.holiday_name(day) is not None


def openings(hours: Hours, calendar: WorkingCalendar, day: date) -> tuple[tuple[time, time], ...]:
    """The centre's openings on `day`: none on a public holiday."""
    if is_holiday(calendar, day):
        return ()
    return hours(day.weekday())


def opening_at(hours: Hours, calendar: WorkingCalendar, now: datetime) -> Opening:
    local = now.astimezone(VIETNAM_TZ)
    today, clock = local.date(), local.time()
    for opens, closes in openings(hours, calendar, today):
        if opens <= clock < closes:
            return Opening(open=True)
    reason = ClosedReason.HOLIDAY if is_holiday(calendar, today) else ClosedReason.HOURS
    return Opening(open=False, reason=reason, next_open=next_opening(hours, calendar, now))


def next_opening(
    hours: Hours, calendar: WorkingCalendar, now: datetime, *, after_today: bool = False
) -> datetime | None:
    """The next time the centre opens after `now` (from tomorrow with `after_today`); None when it
    never opens in the coming year."""
    local = now.astimezone(VIETNAM_TZ)
    for ahead in range(1 if after_today else 0, 367):
        day = local.date() + timedelta(days=ahead)
        for opens, _ in openings(hours, calendar, day):
            moment = datetime.combine(day, opens, tzinfo=VIETNAM_TZ)
            if moment > local:
                return moment
    return None


# --- what the kiosk says ----------------------------------------------------------------------

_WEEKDAYS = (
    ("thứ Hai", "Monday"),
    ("thứ Ba", "Tuesday"),
    ("thứ Tư", "Wednesday"),
    ("thứ Năm", "Thursday"),
    ("thứ Sáu", "Friday"),
    ("thứ Bảy", "Saturday"),
    ("Chủ nhật", "Sunday"),
)


def when_text(moment: datetime) -> Text:
    """`07:30 thứ Hai, 07/12/2026` / `07:30 on Monday, 07/12/2026`, in Vietnam time."""
    local = moment.astimezone(VIETNAM_TZ)
    vi, en = _WEEKDAYS[local.weekday()]
    return Text(vi=f"{local:%H:%M} {vi}, {local:%d/%m/%Y}", en=f"{local:%H:%M} on {en}, {local:%d/%m/%Y}")


class QueueClosed(Conflict):
    """The kiosk gives no ticket now: outside the hours, a holiday, or the service's day is full
    (HTTP 409); says when it opens next."""

    code = "queue_closed"

    def __init__(self, opening: Opening, service: Text | None = None) -> None:
        self.opening = opening
        self.reason = opening.reason or ClosedReason.HOURS
        when = when_text(opening.next_open) if opening.next_open else None
        again_vi = f" Mời quay lại lúc {when.vi}." if when else ""
        again_en = f" Please come back at {when.en}." if when else ""
        if self.reason is ClosedReason.FULL and service is not None:
            message = Text(
                vi=f"Đã hết số thứ tự hôm nay cho dịch vụ “{service.vi}”.{again_vi}",
                en=f"No more tickets today for “{service.en}”.{again_en}",
            )
        elif self.reason is ClosedReason.HOLIDAY:
            message = Text(
                vi=f"Hôm nay là ngày nghỉ lễ, trung tâm không làm việc.{again_vi}",
                en=f"Today is a public holiday; the centre is closed.{again_en}",
            )
        else:
            message = Text(
                vi=f"Ngoài giờ làm việc, chưa cấp số thứ tự.{again_vi}",
                en=f"The centre is closed now; no tickets are given.{again_en}",
            )
        super().__init__(message, code="service_full" if self.reason is ClosedReason.FULL else "queue_closed")

    def details(self, language: Language) -> dict[str, object]:
        return {
            "reason": self.reason.value,
            "next_open": self.opening.next_open.isoformat() if self.opening.next_open else None,
        }


def ordered(tickets: Iterable[Ticket]) -> tuple[Ticket, ...]:
    return tuple(sorted(tickets, key=lambda t: t.order))
