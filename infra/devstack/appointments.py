"""The demo's appointments: a few bookings of the demo citizens at the province's first centre.

At every start, a demo citizen with no booking from today on gets one on each of the next two days the
centre takes bookings (through the service, as the portal books), and one today when a slot of today
is still to come or running (written straight to the book: the portal books from tomorrow only, but a
demo started in the morning shows a booking to check in at the kiosk). Nothing depends on the hour or
the day: when the centre has no slot left today, only the coming days' bookings are made.

The counter's staff see a day of bookings too (`seed_day_of_bookings`): a few people without an account
booked over today's slots, some missed theirs, one cancelled, some checked in.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from motcua.domain.appointments import (
    CODE_ALPHABET,
    CODE_LENGTH,
    AlreadyBooked,
    Booking,
    BookingState,
    SlotFull,
    may_check_in,
)
from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.models import Principal, PrincipalKind
from motcua.services.appointments import KEEP_DAYS, BookingRequest, slots_on

if TYPE_CHECKING:
    from motcua.container import Container

    from .accounts import DemoAccount


def seed_appointments(container: Container, accounts: list[DemoAccount], subs: dict[str, str]) -> list[str]:
    """Book what the demo shows; the codes booked now (none when the citizens already have theirs)."""
    service = container.appointments
    offered = service.centres()
    if not offered:
        return []
    centre_view = offered[0]
    centre = next(c for c in container.province.centres if c.id == centre_view.id)
    booked: list[str] = []
    citizens = [a for a in accounts if a.pool == "citizens"]
    for n, account in enumerate(citizens):
        sub = subs.get(f"citizens/{account.username}")
        if sub is None:
            continue
        who = Principal(
            sub=sub,
            kind=PrincipalKind.CITIZEN,
            username=account.username,
            name=account.name,
            email=account.email,
            email_verified=True,
            phone=account.phone,
            phone_verified=account.phone is not None,
        )
        if service.mine(who):
            continue
        offer = centre_view.services[n % len(centre_view.services)]
        today = _today_booking(container, centre, offer.code, who, n)
        if today is not None:
            booked.append(today)
        for day in centre_view.days[:2]:
            day_slots = service.day(centre.id, offer.code, day).slots
            free = [s for s in day_slots if s.free > 0]
            if not free:
                continue
            choice = free[min(len(free) - 1, 4 + 3 * n)]  # mid-morning, the citizens a little apart
            try:
                booked.append(
                    service.book(
                        who, BookingRequest(centre=centre.id, service=offer.code, start=choice.start)
                    ).code
                )
            except (SlotFull, AlreadyBooked):
                continue
    return booked


def _today_booking(container: Container, centre: Any, code: str, who: Principal, n: int) -> str | None:
    now = container.clock.now()
    today = now.astimezone(VIETNAM_TZ).date()
    offered = centre.services_by_code[code]
    # The slot running now or the next one of today, the second citizen's one slot later.
    coming = [s for s in slots_on(centre, offered, container.province.working_calendar, today) if s.end > now]
    if len(coming) <= n:
        return None
    slot = coming[n]
    booking = Booking(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
        owner=who.sub,
        name=who.name or who.username,
        phone=who.contacts.phone,
        email=who.contacts.email,
        centre=centre.id,
        service=code,
        start=slot.start,
        end=slot.end,
        booked_at=now,
    )
    try:
        container.appointment_book.book(
            booking, capacity=offered.per_slot, expires_at=slot.end + timedelta(days=KEEP_DAYS)
        )
    except Exception:  # noqa: BLE001 — a full slot or a booking of today already: the demo goes on
        return None
    return booking.code


# People who booked today at the counter's centre, for its staff's view of the day (#/appointments/day):
# no account, no contacts (no message is sent); their owner is a name no account has.
GUESTS = (
    "Đỗ Văn Hùng",
    "Phạm Thị Lan",
    "Vũ Minh Tuấn",
    "Bùi Thị Hạnh",
    "Đặng Quốc Bảo",
    "Ngô Thị Mai",
    "Hồ Văn Phúc",
    "Dương Thị Thu",
)
GUEST_OWNER = "demo-guest-"
CANCELLED_GUEST = 5  # the one who cancelled


def seed_day_of_bookings(container: Container) -> list[str]:
    """Spread the guests' bookings over today's slots of the first centre taking appointments, when it
    opens today: those whose slot ended are no-shows, one cancelled, those whose check-in is open now
    (every other one) checked in with their queue ticket. Once a day; the codes booked."""
    offered = container.appointments.centres()
    if not offered:
        return []
    centre = next(c for c in container.province.centres if c.id == offered[0].id)
    book, now = container.appointment_book, container.clock.now()
    today = now.astimezone(VIETNAM_TZ).date()
    if any(b.owner.startswith(GUEST_OWNER) for b in book.on_day(centre.id, today)):
        return []
    services = [s for s in centre.services if s.per_slot]
    booked: list[str] = []
    for n, name in enumerate(GUESTS):
        service = services[n % len(services)]
        slots = slots_on(centre, service, container.province.working_calendar, today)
        if not slots:
            continue
        slot = slots[(n * len(slots)) // len(GUESTS)]
        booking = Booking(
            code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
            owner=f"{GUEST_OWNER}{n}",
            name=name,
            centre=centre.id,
            service=service.code,
            start=slot.start,
            end=slot.end,
            booked_at=now - timedelta(days=1),
        )
        try:
            book.book(booking, capacity=service.per_slot, expires_at=slot.end + timedelta(days=KEEP_DAYS))
        except Exception:  # noqa: BLE001 — the slot is full: the demo goes on without this one
            continue
        booked.append(booking.code)
        if n == CANCELLED_GUEST:
            book.release(booking.model_copy(update={"state": BookingState.CANCELLED, "cancelled_at": now}))
        elif n % 2 == 0 and may_check_in(booking, now):
            container.appointments.check_in(booking.code, centre.id)
    return booked
