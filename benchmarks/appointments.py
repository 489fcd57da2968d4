"""AWS calls per appointment operation through the API on moto: a booking, a slots read, a full slot's 409,
my appointments, a cancel, a kiosk check-in (with its queue ticket) and the counter's view of a centre's
day of bookings. Recorded, never asserted.

Goals (docs/counter.md): one TransactWriteItems per booking, one Query per slots read, one Query for a
centre's day of bookings (two today, when a booking was checked in: the queue's day too).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from _moto_api import REGION, moto_api
from report import record

GROUP = "appointments: AWS calls"


class Calls:
    def __init__(self) -> None:
        self.current: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        self.current[model.name] += 1

    def take(self) -> Counter[str]:
        taken, self.current = self.current, Counter()
        return taken


def shown(counted: Counter[str]) -> str:
    return ", ".join(f"{n} {op}" for op, n in sorted(counted.items())) or "none"


def main() -> None:
    from motcua.adapters import clients
    from motcua.domain.appointments import Booking

    with moto_api() as api:
        calls = Calls()
        for service in ("dynamodb", "s3", "cognito-idp", "sns", "ses"):
            clients.client(service, REGION).meta.events.register("before-call", calls)

        def measure(
            figure: str, method: str, path: str, *, body: Any = None, goal: str = "", ok: bool = True
        ) -> Any:
            calls.take()
            status, answer = api.call(method, path, token=api.citizen, body=body)
            if ok and status >= 300:
                raise RuntimeError(f"{method} {path}: {status} {str(answer)[:300]}")
            counted = calls.take()
            record(GROUP, figure, sum(counted.values()), unit=f"calls ({shown(counted)})", goal=goal)
            return answer

        centre = api.ok("GET", "/v1/appointments/centres")["items"][0]
        day = centre["days"][0]
        service = centre["services"][0]
        slots = measure(
            "slots of a day read (public)",
            "GET",
            f"/v1/appointments/slots?centre={centre['id']}&service={service['code']}&day={day}",
            goal="1",
        )["slots"]
        start = slots[0]["start"]
        body = {"centre": centre["id"], "service": service["code"], "start": start}
        booking = measure("a booking", "POST", "/v1/appointments", body=body, goal="1")
        measure("my appointments", "GET", "/v1/me/appointments")
        # Fill the slot with others' bookings, then one more is a 409 with the next free slots.
        container = api.container
        for n in range(service["per_slot"] - 1):
            other = Booking.model_validate(
                booking | {"code": f"FILLER{n:02d}", "owner": f"other-{n}", "name": "x"}
            )
            container.appointment_book.book(
                other, capacity=service["per_slot"], expires_at=other.end + timedelta(days=1)
            )
        measure(
            "a booking of a full slot (409 with the next free slots)",
            "POST",
            "/v1/appointments",
            body={**body},
            ok=False,
        )
        measure("a cancel", "POST", f"/v1/appointments/{booking['code']}/cancel", body={})
        # A booking whose slot runs now, checked in at the kiosk: it gets its queue ticket.
        now = datetime.now(UTC).replace(microsecond=0)
        running = Booking(
            code="NOWSLOT2",
            owner="someone",
            name="x",
            centre=centre["id"],
            service=service["code"],
            start=now - timedelta(minutes=5),
            end=now + timedelta(minutes=10),
            booked_at=now - timedelta(days=1),
        )
        container.appointment_book.book(running, capacity=50, expires_at=now + timedelta(days=1))
        calls.take()
        status, answer = api.call("POST", "/v1/appointments/NOWSLOT2/check-in", body={"centre": centre["id"]})
        counted = calls.take()
        if status >= 300:
            raise RuntimeError(f"check-in: {status} {answer}")
        record(
            GROUP,
            "a kiosk check-in (with its queue ticket)",
            sum(counted.values()),
            unit=f"calls ({shown(counted)})",
        )

        # The ward's desk sees its centre's day: a booking checked in now (its ticket's state read from
        # the queue), then a day with bookings but no check-in.
        ward = next(c for c in container.province.centres if c.id == "phuong-minh-hoa")
        letter = next(s.code for s in ward.services if s.per_slot)
        checked = running.model_copy(update={"code": "NOWSLOT3", "centre": ward.id, "service": letter})
        container.appointment_book.book(checked, capacity=50, expires_at=now + timedelta(days=1))
        api.ok("POST", "/v1/appointments/NOWSLOT3/check-in", body={"centre": ward.id})
        later = checked.model_copy(
            update={
                "code": "LATERDAY",
                "start": now + timedelta(days=2),
                "end": now + timedelta(days=2, minutes=15),
            }
        )
        container.appointment_book.book(later, capacity=50, expires_at=now + timedelta(days=3))
        for figure, path, goal in (
            ("a centre's day of bookings, today with a check-in", f"/v1/centres/{ward.id}/appointments", "2"),
            (
                "a centre's day of bookings, another day",
                f"/v1/centres/{ward.id}/appointments?day={later.slot.day.isoformat()}",
                "1",
            ),
        ):
            calls.take()
            status, answer = api.call("GET", path, token=api.officer)
            counted = calls.take()
            if status >= 300:
                raise RuntimeError(f"{path}: {status} {answer}")
            record(GROUP, figure, sum(counted.values()), unit=f"calls ({shown(counted)})", goal=goal)


if __name__ == "__main__":
    main()
