"""The working-day calendar (ngày làm việc): Monday–Friday minus public holidays, per province."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.i18n import Text

if TYPE_CHECKING:
    import holidays

# Vietnam keeps one offset all year (no daylight saving time).
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
# A dossier is due at the end of the office day; one filed after it counts from the next working day.
OFFICE_CLOSES = time(17, 0)


class ExtraHoliday(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    date: date
    name: Text


class CalendarConfig(BaseModel):
    """A province's calendar: the country's holidays, plus and minus what the province announces."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    country: str = "VN"
    add_holidays: tuple[ExtraHoliday, ...] = ()
    # Days the package lists that the province works after all.
    remove_holidays: tuple[date, ...] = ()
    # Weekend days worked to make up for a bridge (ngày làm bù).
    add_workdays: tuple[date, ...] = Field(default=())


class Timeliness(StrEnum):
    """Whether a dossier or a step finished early, on time or late (sớm hạn / đúng hạn / quá hạn)."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class WorkingCalendar:
    """Counts working days for one province; years are loaded from `holidays` as they are asked for."""

    def __init__(self, config: CalendarConfig | None = None) -> None:
        self.config = config or CalendarConfig()

    @cached_property
    def _country(self) -> holidays.HolidayBase:
        import holidays  # on first use: the catalog and tracking never need it

        return holidays.country_holidays(self.config.country)

    @cached_property
    def _added(self) -> dict[date, Text]:
        return {extra.date: extra.name for extra in self.config.add_holidays}

    def is_working_day(self, day: date) -> bool:
        if day in self._added:
            return False
        if day in self.config.add_workdays:
            return True
        if day in self.config.remove_holidays:
            return day.weekday() < 5
        return bool(self._country.is_working_day(day))

    def holiday_name(self, day: date) -> str | None:
        if day in self._added:
            return self._added[day].vi
        if day in self.config.remove_holidays:
            return None
        name = self._country.get(day)
        return str(name) if name else None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (`start` itself is not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        for _ in range(days):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how far the clock runs from one day to another."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def effective_receipt_day(self, received_at: datetime) -> date:
        """The day the clock starts from: filed on a day off or after hours, the next working day."""
        local = received_at.astimezone(VIETNAM_TZ)
        if self.is_working_day(local.date()) and local.time() < OFFICE_CLOSES:
            return local.date()
        return self.next_working_day(local.date())

    def due_at(self, received_at: datetime, legal_days: int) -> datetime:
        """When a dossier filed at `received_at` with a legal time of `legal_days` working days is due."""
        start = self.effective_receipt_day(received_at)
        return end_of_day(self.add_working_days(start, legal_days))

    def resume(self, due: datetime, paused_at: datetime, resumed_at: datetime) -> tuple[datetime, int]:
        """Move a due time by the working days the clock stood still; returns (new due, days added)."""
        paused_day = paused_at.astimezone(VIETNAM_TZ).date()
        resumed_day = resumed_at.astimezone(VIETNAM_TZ).date()
        stood_still = self.working_days_between(paused_day, resumed_day)
        new_due = self.add_working_days(due.astimezone(VIETNAM_TZ).date(), stood_still)
        return end_of_day(new_due), stood_still

    def shift(self, due: datetime, working_days: int) -> datetime:
        """A due time moved later by `working_days`, to the end of that day."""
        return end_of_day(self.add_working_days(due.astimezone(VIETNAM_TZ).date(), working_days))

    @staticmethod
    def timeliness(finished_at: datetime, due: datetime) -> Timeliness:
        finished_day = finished_at.astimezone(VIETNAM_TZ).date()
        due_day = due.astimezone(VIETNAM_TZ).date()
        if finished_at > due:
            return Timeliness.LATE
        return Timeliness.EARLY if finished_day < due_day else Timeliness.ON_TIME


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, OFFICE_CLOSES, tzinfo=VIETNAM_TZ)
