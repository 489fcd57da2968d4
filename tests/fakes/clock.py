"""A clock that only moves when the test moves it (Clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from motcua.domain.ports import Clock

# Tuesday 17 November 2026, 09:00 in Vietnam: a working day, as the other tests' clocks.
TUESDAY_MORNING = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)


class FrozenClock:
    """Implements Clock: `now` is what the test set, always timezone-aware as the system clock's."""

    def __init__(self, now: datetime = TUESDAY_MORNING) -> None:
        self.set(now)

    def now(self) -> datetime:
        return self.current

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("the system clock answers in UTC; give the fake an aware datetime")
        self.current = now

    def advance(self, delta: timedelta) -> datetime:
        self.set(self.current + delta)
        return self.current


def _conforms() -> Clock:
    return FrozenClock()
