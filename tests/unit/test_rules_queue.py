"""Queue tickets on fakes: numbering per service per day, calling order, opening hours, capacity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from motcua.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from motcua.domain.queue import QueueClosed, TicketKind, TicketState
from motcua.domain.roles import Role
from motcua.services.queue import TransferRequest
from tests.fakes.world import World

# Tuesday 17 November 2026, 09:00 in Vietnam: the centre `tinh` is open (07:30–11:30).
OPEN = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
FINANCE, POLICE, HOME = "000.00.01.H99", "000.00.21.H99", "000.00.02.H99"


@pytest.fixture
def open_world(world: World) -> World:
    world.clock.set(OPEN)
    return world


def test_numbers_run_per_service_per_day_without_gaps(open_world: World) -> None:
    queue = open_world.container.queue
    given = [queue.issue("tinh", service).ticket.id for service in "AABAC"]
    assert given == ["A-001", "A-002", "B-001", "A-003", "C-001"]
    # Another centre numbers on its own.
    assert queue.issue("phuong-minh-hoa", "H").ticket.id == "H-001"
    # The next day starts again at 001.
    open_world.clock.set(OPEN + timedelta(days=1))
    assert queue.issue("tinh", "A").ticket.id == "A-001"


def test_a_number_another_kiosk_took_is_not_given_twice(open_world: World) -> None:
    """The store refuses a number that is no longer the next (as a racing kiosk makes it); the
    service reads again and takes the one after."""
    queue, store = open_world.container.queue, open_world.queue
    first = queue.issue("tinh", "A").ticket
    real_day = store.day
    raced = {"done": False}

    def stale_day(centre, day):  # type: ignore[no-untyped-def]
        seen = real_day(centre, day)
        if not raced["done"]:
            raced["done"] = True
            store.numbers[(centre, day, "A")] += 1  # another kiosk's A-002 lands after our read
        return seen

    store.day = stale_day  # type: ignore[method-assign]
    second = queue.issue("tinh", "A").ticket
    assert (first.id, second.id) == ("A-001", "A-003")


def test_priority_then_appointments_then_walk_ins_each_in_arrival_order(open_world: World) -> None:
    queue = open_world.container.queue
    officer = open_world.staff(FINANCE, Role.RECEIVER)
    issued = []
    for kind, appointment in [
        (TicketKind.WALK_IN, None),
        (TicketKind.ELDERLY, None),
        (TicketKind.WALK_IN, None),
        (TicketKind.APPOINTMENT, "HEN-0001"),
        (TicketKind.PREGNANT, None),
    ]:
        open_world.clock.advance(timedelta(seconds=30))
        issued.append(queue.issue("tinh", "A", kind, appointment=appointment).ticket.id)
    called = [queue.call_next(officer, "tinh", 1).ticket for _ in issued]
    assert [t.id for t in called if t] == ["A-002", "A-005", "A-004", "A-001", "A-003"]
    assert [t.kind for t in called if t][:3] == [
        TicketKind.ELDERLY,
        TicketKind.PREGNANT,
        TicketKind.APPOINTMENT,
    ]
    # Nobody left: the counter is free and the last ticket is done.
    free = queue.call_next(officer, "tinh", 1)
    assert free.ticket is None
    assert open_world.queue.ticket("tinh", OPEN.date(), "A-003").state is TicketState.DONE  # type: ignore[union-attr]


def test_a_counter_calls_its_own_services_in_the_order_it_prefers(open_world: World) -> None:
    queue = open_world.container.queue
    queue.issue("tinh", "A")
    queue.issue("tinh", "B")
    queue.issue("tinh", "C")
    home = open_world.staff(HOME, Role.RECEIVER)  # counter 3 calls C, then A; never B
    assert [queue.call_next(home, "tinh", 3).ticket.id for _ in range(2)] == ["C-001", "A-001"]  # type: ignore[union-attr]
    assert queue.call_next(home, "tinh", 3).ticket is None
    assert [t.id for t in open_world.queue.day("tinh", OPEN.date()).waiting] == ["B-001"]


def test_the_kiosk_is_closed_outside_hours_and_says_when_it_opens(open_world: World) -> None:
    queue = open_world.container.queue
    open_world.clock.set(datetime(2026, 11, 17, 5, 0, tzinfo=UTC))  # 12:00, the lunch break
    with pytest.raises(QueueClosed) as closed:
        queue.issue("tinh", "A")
    assert closed.value.details("vi")["next_open"] == "2026-11-17T13:30:00+07:00"
    assert "13:30 thứ Ba, 17/11/2026" in closed.value.message.vi
    assert "13:30 on Tuesday, 17/11/2026" in closed.value.message.en
    open_world.clock.set(datetime(2026, 11, 21, 6, 0, tzinfo=UTC))  # Saturday 13:00: opens Monday
    with pytest.raises(QueueClosed) as closed:
        queue.issue("tinh", "A")
    assert closed.value.details("en")["next_open"] == "2026-11-23T07:30:00+07:00"


def test_a_public_holiday_is_closed(open_world: World) -> None:
    # 2 September 2027 (National Day), a Thursday, 09:00.
    open_world.clock.set(datetime(2027, 9, 2, 2, 0, tzinfo=UTC))
    with pytest.raises(QueueClosed) as closed:
        open_world.container.queue.issue("tinh", "A")
    assert closed.value.details("vi")["reason"] == "holiday"
    assert "nghỉ lễ" in closed.value.message.vi


def test_past_the_days_capacity_the_kiosk_says_so_and_when_to_come(open_world: World) -> None:
    queue = open_world.container.queue
    centre = queue.centre("tinh")
    capacity = centre.services_by_code["C"].daily_capacity
    open_world.queue.numbers[("tinh", OPEN.date(), "C")] = capacity - 1
    assert queue.issue("tinh", "C").ticket.number == capacity
    with pytest.raises(QueueClosed) as full:
        queue.issue("tinh", "C")
    assert full.value.code == "service_full"
    assert full.value.details("vi")["next_open"] == "2026-11-18T07:30:00+07:00"
    assert "Lao động" in full.value.message.vi
    # Other services still give numbers; an appointment checks in past the capacity.
    assert queue.issue("tinh", "A").ticket.id == "A-001"
    assert queue.issue("tinh", "C", appointment="HEN-0002").ticket.number == capacity + 1


def test_an_appointment_checks_in_once(open_world: World) -> None:
    queue = open_world.container.queue
    first = queue.issue("tinh", "B", appointment="HEN-0003").ticket
    assert first.kind is TicketKind.APPOINTMENT and first.appointment == "HEN-0003"
    with pytest.raises(Conflict) as again:
        queue.issue("tinh", "B", appointment="HEN-0003")
    assert first.id in again.value.message.vi
    with pytest.raises(InvalidInput):
        queue.issue("tinh", "B", TicketKind.APPOINTMENT)


def test_recall_no_show_done_and_transfer(open_world: World) -> None:
    queue = open_world.container.queue
    finance = open_world.staff(FINANCE, Role.RECEIVER)
    for _ in range(3):
        queue.issue("tinh", "A")
    call = queue.call_next(finance, "tinh", 1)
    again = queue.recall(finance, "tinh", 1)
    assert again.seq == call.seq + 1 and again.ticket.recalls == 1  # type: ignore[union-attr]
    assert queue.finish(finance, "tinh", 1, TicketState.NO_SHOW).ticket is None
    assert open_world.queue.ticket("tinh", OPEN.date(), "A-001").state is TicketState.NO_SHOW  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        queue.recall(finance, "tinh", 1)
    # A-002 goes to service B, where the police's counter calls it before B's walk-ins.
    queue.issue("tinh", "B")
    queue.call_next(finance, "tinh", 1)
    moved = queue.transfer(finance, "tinh", 1, TransferRequest(service="B"))
    assert (moved.id, moved.service, moved.state) == ("A-002", "B", TicketState.WAITING)
    police = open_world.staff(POLICE, Role.RECEIVER)
    assert queue.call_next(police, "tinh", 2).ticket.id == "A-002"  # type: ignore[union-attr]
    # A-003 goes to counter 3 only: counter 1 does not see it.
    queue.call_next(finance, "tinh", 1)
    queue.transfer(finance, "tinh", 1, TransferRequest(counter=3))
    assert queue.call_next(finance, "tinh", 1).ticket is None
    home = open_world.staff(HOME, Role.RECEIVER)
    assert queue.call_next(home, "tinh", 3).ticket.id == "A-003"  # type: ignore[union-attr]
    assert queue.finish(home, "tinh", 3, TicketState.DONE).ticket is None
    queue.issue("tinh", "A")
    queue.call_next(finance, "tinh", 1)
    with pytest.raises(InvalidInput) as unknown:
        queue.transfer(finance, "tinh", 1, TransferRequest(service="Z"))
    assert unknown.value.fields[0].field == "service"


def test_only_the_counters_agency_desk_works_it(open_world: World) -> None:
    queue = open_world.container.queue
    with pytest.raises(Forbidden):
        queue.call_next(open_world.staff(POLICE, Role.RECEIVER), "tinh", 1)
    with pytest.raises(Forbidden):
        queue.call_next(open_world.staff(FINANCE, Role.OFFICER), "tinh", 1)
    with pytest.raises(Forbidden):
        queue.call_next(open_world.citizen(), "tinh", 1)
    assert queue.call_next(open_world.staff(FINANCE, Role.LEADER), "tinh", 1).ticket is None
    with pytest.raises(NotFound):
        queue.call_next(open_world.staff(FINANCE, Role.LEADER), "tinh", 9)


def test_people_ahead_count_the_same_service_in_calling_order(open_world: World) -> None:
    queue = open_world.container.queue
    assert queue.issue("tinh", "A").ahead == 0
    assert queue.issue("tinh", "B").ahead == 0
    assert queue.issue("tinh", "A").ahead == 1
    open_world.clock.advance(timedelta(seconds=1))
    elderly = queue.issue("tinh", "A", TicketKind.ELDERLY)
    assert elderly.ahead == 0
    ticket, ahead, _ = queue.place("tinh", OPEN.date(), "A-002")
    assert (ticket.id, ahead) == ("A-002", 2)
