"""Queue tickets on moto: conditional writes under real races, and the AWS calls each step costs."""

from __future__ import annotations

import threading
from collections import Counter as Tally
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from motcua.adapters import clients
from motcua.adapters.queue import DynamoQueueStore
from motcua.config.centres import Centre, Counter, OpeningHours, TicketService, Weekday
from motcua.config.province import load_province
from motcua.domain.i18n import Text
from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.queue import Ticket, TicketKind
from motcua.domain.roles import Role
from motcua.services.queue import QueueService
from tests.conftest import DEMO_PROVINCE, REGION

FINANCE = "000.00.01.H99"
# Tuesday 17 November 2026, 09:00 in Vietnam.
MORNING = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)


class TickingClock:
    """Every reading is a microsecond after the one before, whichever thread reads: the order of
    readings is the order of times."""

    def __init__(self, start: datetime) -> None:
        self.current = start
        self.lock = threading.Lock()

    def now(self) -> datetime:
        with self.lock:
            self.current += timedelta(microseconds=1)
            return self.current


def _six_counters() -> Any:
    """The demo province with one centre whose six counters all call service A."""
    province = load_province(DEMO_PROVINCE)
    centre = Centre(
        id="sau-quay",
        name=Text(vi="Trung tâm sáu quầy", en="Six-counter centre"),
        address=Text(vi="Minh Họa", en="Minh Hoa"),
        hours=(OpeningHours(days=tuple(Weekday), open="00:00", close="23:59"),),  # type: ignore[arg-type]
        services=(
            TicketService(
                code="A", name=Text(vi="Một cửa", en="One stop"), agencies=(FINANCE,), daily_capacity=999
            ),
        ),
        counters=tuple(Counter(number=n, agency=FINANCE, services=("A",)) for n in range(1, 7)),
    )
    return province.model_copy(update={"centres": (centre,)})


def _officer(n: int) -> Principal:
    return Principal(
        sub=f"canbo-{n}", kind=PrincipalKind.STAFF, username=f"canbo-{n}", agency=FINANCE, role=Role.RECEIVER
    )


def test_six_counters_calling_two_hundred_tickets_serve_each_once_in_order(
    outputs: Any, aws_requests_atomic: Any
) -> None:
    store = DynamoQueueStore(clients.client("dynamodb", REGION), outputs.table_name)
    queue = QueueService(province=_six_counters(), store=store, clock=TickingClock(MORNING))
    kinds = [TicketKind.ELDERLY if i % 7 == 3 else TicketKind.WALK_IN for i in range(200)]
    for i in range(0, 200, 25):  # a few appointments checked in among them
        kinds[i] = TicketKind.APPOINTMENT

    # Given 200 tickets waiting (stored as the kiosk stores them, one after the other)
    issued = []
    for i, kind in enumerate(kinds):
        appointment = f"HEN-{i:04d}" if kind is TicketKind.APPOINTMENT else None
        ticket = Ticket(
            centre="sau-quay",
            day=MORNING.date(),
            number=i + 1,
            letter="A",
            service="A",
            kind=kind,
            issued_at=MORNING + timedelta(seconds=i),
            appointment=appointment,
        )
        store.issue(ticket)
        issued.append(ticket)

    # When six counters call next at the same time until nobody waits
    def work(n: int) -> list[Any]:
        served = []
        while (call := queue.call_next(_officer(n), "sau-quay", n)).ticket is not None:
            served.append(call.ticket)
        return served

    with ThreadPoolExecutor(max_workers=6) as pool:
        by_counter = list(pool.map(work, range(1, 7)))

    # Then every ticket was called exactly once
    called = [ticket for served in by_counter for ticket in served]
    assert Tally(t.id for t in called) == Tally(t.id for t in issued)
    assert sum(1 for served in by_counter if served) > 1  # the counters shared the work
    assert "TransactionCanceledException" in aws_requests_atomic.errors  # and really raced
    # In priority, then appointment, then arrival order: sorted by the time of the call, the classes
    # never go back and, within a class, neither does arrival.
    in_time = sorted(called, key=lambda t: t.called_at)
    assert [t.order for t in in_time] == sorted(t.order for t in in_time)
    assert [t.kind for t in in_time[:3]] == [TicketKind.ELDERLY] * 3


def test_six_kiosks_at_once_number_without_gaps(outputs: Any, aws_requests_atomic: Any) -> None:
    store = DynamoQueueStore(clients.client("dynamodb", REGION), outputs.table_name)
    queue = QueueService(province=_six_counters(), store=store, clock=TickingClock(MORNING))

    with ThreadPoolExecutor(max_workers=6) as pool:
        issued = list(pool.map(lambda _: queue.issue("sau-quay", "A").ticket, range(30)))

    assert sorted(t.number for t in issued) == list(range(1, 31))
    assert "TransactionCanceledException" in aws_requests_atomic.errors  # the kiosks really raced
    _, day = queue.day("sau-quay")
    assert len(day.waiting) == 30 and day.last_numbers == {"A": 30}


def test_a_call_next_costs_one_query_and_one_transaction(
    outputs: Any, aws_requests_atomic: Any, clock: Any
) -> None:
    province = load_province(DEMO_PROVINCE)
    store = DynamoQueueStore(clients.client("dynamodb", REGION), outputs.table_name)
    queue = QueueService(province=province, store=store, clock=clock)
    for _ in range(3):
        queue.issue("tinh", "A")
    officer = _officer(1)
    queue.call_next(officer, "tinh", 1)

    before = len(aws_requests_atomic.calls)
    call = queue.call_next(officer, "tinh", 1)  # closes A-001, calls A-002
    assert call.ticket is not None and call.ticket.id == "A-002"
    assert aws_requests_atomic.calls[before:] == ["Query", "TransactWriteItems"]

    before = len(aws_requests_atomic.calls)
    _, day = queue.day("tinh")  # what a board poll reads
    assert aws_requests_atomic.calls[before:] == ["Query"]
    assert [t.id for t in day.waiting] == ["A-003"]
    assert day.calls[1].ticket is not None and day.calls[1].ticket.id == "A-002"
    assert store.ticket("tinh", day.calls[1].ticket.day, "A-001").state.value == "done"  # type: ignore[union-attr]


def test_an_appointment_checks_in_once_on_the_table(outputs: Any, clock: Any) -> None:
    from motcua.domain.errors import Conflict

    store = DynamoQueueStore(clients.client("dynamodb", REGION), outputs.table_name)
    queue = QueueService(province=load_province(DEMO_PROVINCE), store=store, clock=clock)
    first = queue.issue("tinh", "B", appointment="HEN-ABCD").ticket
    with pytest.raises(Conflict) as again:
        queue.issue("tinh", "B", appointment="HEN-ABCD")
    assert again.value.code == "appointment_checked_in" and first.id in again.value.message.en
    # The refused check-in took no number: the next ticket is B-002.
    assert queue.issue("tinh", "B").ticket.id == "B-002"
