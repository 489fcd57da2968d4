"""The demo's appointments: a few bookings of the demo citizens at the province's first centre.

At every start, a demo citizen with no booking from today on gets one on each of the next two days the
centre takes bookings (through the service, as the portal books), and one today when a slot of today
is still to come or running (written straight to the book: the portal books from tomorrow only, but a
demo started in the morning shows a booking to check in at the kiosk). Nothing depends on the hour or
the day: when the centre has no slot left today, only the coming days' bookings are made.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from motcua.domain.appointments import CODE_ALPHABET, CODE_LENGTH, AlreadyBooked, Booking, SlotFull
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
