"""Public administration service centres (trung tâm phục vụ hành chính công, bộ phận một cửa).

A centre is where people walk in: its counters (quầy), the ticket services a kiosk offers (a service
groups procedures and gives its tickets their letter, `A-001`), its opening hours and, for
appointments, the length of a slot and how many people a service takes in one. The province file
lists them under `centres:`; `Province` checks that what they name exists.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from motcua.domain.codes import AGENCY_CODE_PATTERN
from motcua.domain.i18n import Text

CENTRE_ID_PATTERN = r"^[a-z][a-z0-9-]{1,30}$"  # in the kiosk's and the board's URLs
SERVICE_CODE_PATTERN = r"^[A-Z]$"  # the letter of its tickets: A-001
MAX_TICKETS_PER_DAY = 999  # three digits after the letter


class Misplaced(ValueError):
    """A problem with where it is in the file (`("counters", 2)` below the model that raised it), so
    that the loader names its line."""

    def __init__(self, message: str, *place: str | int) -> None:
        super().__init__(message)
        self.place = place


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """As `date.weekday()` counts: Monday 0 … Sunday 6."""
        return list(Weekday).index(self)


class OpeningHours(BaseModel):
    """One opening of the centre on the days named: `{days: [mon, …], open: "07:30", close: "11:30"}`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: tuple[Weekday, ...] = Field(min_length=1)
    open: time
    close: time

    @model_validator(mode="after")
    def _opens_before_it_closes(self) -> Self:
        if self.open >= self.close:
            raise ValueError(f"opens at {self.open:%H:%M}, not before it closes at {self.close:%H:%M}")
        return self


class TicketService(BaseModel):
    """What a kiosk offers to queue for: a group of procedures, its letter and the day's tickets."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=SERVICE_CODE_PATTERN)
    name: Text
    # The procedures served: those named, and every procedure received by the agencies named.
    procedures: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    daily_capacity: int = Field(default=200, ge=1, le=MAX_TICKETS_PER_DAY)
    # People an appointment slot takes for this service; 0: the service takes no appointments.
    per_slot: int = Field(default=0, ge=0, le=50)

    @model_validator(mode="after")
    def _serves_something(self) -> Self:
        if not self.procedures and not self.agencies:
            raise ValueError(f"service {self.code} names no procedures and no agencies")
        return self


class Counter(BaseModel):
    """A counter (quầy) staffed by receiving officers of one agency, calling the services it names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int = Field(ge=1, le=99)
    agency: str = Field(pattern=AGENCY_CODE_PATTERN)
    services: tuple[str, ...] = Field(min_length=1)
    name: Text | None = None  # "Quầy 1 – Tư pháp"; none: "Quầy <number>"


class Centre(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=CENTRE_ID_PATTERN)
    name: Text
    address: Text
    hours: tuple[OpeningHours, ...] = Field(min_length=1)
    slot_minutes: int = Field(default=15, ge=5, le=120)
    book_ahead_days: int = Field(default=10, ge=1, le=60)  # appointments: up to so many working days ahead
    services: tuple[TicketService, ...] = Field(min_length=1)
    counters: tuple[Counter, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        codes = [service.code for service in self.services]
        twice = sorted({code for code in codes if codes.count(code) > 1})
        if twice:
            raise Misplaced(
                f"centre {self.id}: service codes appear more than once: {', '.join(twice)}", "services"
            )
        numbers = [counter.number for counter in self.counters]
        twice_n = sorted({n for n in numbers if numbers.count(n) > 1})
        if twice_n:
            raise Misplaced(f"centre {self.id}: counter numbers appear more than once: {twice_n}", "counters")
        for n, counter in enumerate(self.counters):
            unknown = sorted(set(counter.services) - set(codes))
            if unknown:
                raise Misplaced(
                    f"centre {self.id}, counter {counter.number}: unknown services {', '.join(unknown)}",
                    "counters",
                    n,
                )
        called = {code for counter in self.counters for code in counter.services}
        idle = [code for code in codes if code not in called]
        if idle:
            raise Misplaced(f"centre {self.id}: no counter calls the services {', '.join(idle)}", "services")
        for day in Weekday:
            spans = sorted((h.open, h.close) for h in self.hours if day in h.days)
            for (_, closes), (opens, _) in zip(spans, spans[1:], strict=False):
                if opens < closes:
                    raise Misplaced(f"centre {self.id}: opening hours overlap on {day.value}", "hours")
        return self

    @property
    def services_by_code(self) -> dict[str, TicketService]:
        return {service.code: service for service in self.services}

    @property
    def counters_by_number(self) -> dict[int, Counter]:
        return {counter.number: counter for counter in self.counters}

    def hours_on(self, weekday: int) -> tuple[tuple[time, time], ...]:
        """The openings on a weekday (Monday 0), in order; holidays are the calendar's to say."""
        return tuple(
            sorted((h.open, h.close) for h in self.hours if any(d.number == weekday for d in h.days))
        )
