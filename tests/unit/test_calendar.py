"""The working-day calendar: holidays, lunar new year, bridges, and the clock that stops and runs again."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from motcua.domain.calendar import (
    VIETNAM_TZ,
    CalendarConfig,
    ExtraHoliday,
    Timeliness,
    WorkingCalendar,
    end_of_day,
)
from motcua.domain.i18n import Text

cal = WorkingCalendar()


def vn(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VIETNAM_TZ)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 16),  # Tết 2026: 29 Tết (Monday)
        date(2026, 2, 17),  # Mùng 1
        date(2026, 2, 20),  # Mùng 4 (Friday)
        date(2026, 4, 27),  # Hùng Kings' day observed (10/3 lunar fell on Sunday 26/4)
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 8, 31),  # bridge before National Day
        date(2026, 9, 1),
        date(2026, 9, 2),
        date(2026, 11, 24),  # Vietnam Culture Day
        date(2027, 1, 1),
        date(2027, 2, 4),  # Tết 2027 (lunar new year on Saturday 6/2)
        date(2027, 2, 5),
        date(2027, 2, 8),
        date(2027, 2, 9),
        date(2027, 2, 10),
        date(2027, 4, 16),  # Hùng Kings 2027
        date(2027, 5, 3),  # Labour Day observed (1/5 is a Saturday)
        date(2027, 9, 2),
        date(2027, 9, 3),
    ],
)
def test_public_holidays_of_2026_and_2027_are_not_working_days(day: date) -> None:
    assert day.weekday() < 5 and not cal.is_working_day(day)


def test_a_saturday_worked_to_make_up_for_a_bridge_is_a_working_day() -> None:
    # 31/8/2026 is off in exchange for Saturday 22/8/2026.
    assert cal.is_working_day(date(2026, 8, 22))
    assert not cal.is_working_day(date(2026, 8, 23))


def test_tet_2026_pushes_a_three_day_procedure_across_the_whole_holiday() -> None:
    # Filed Friday 13/2/2026 morning; 16–20/2 is Tết, then the weekend.
    assert cal.due_at(vn(2026, 2, 13), 3) == end_of_day(date(2026, 2, 25))


def test_holiday_bridging_a_weekend_counts_neither() -> None:
    # Filed Friday 28/8/2026: Mon 31/8, Tue 1/9 and Wed 2/9 are off; Sat 22/8 was worked, not relevant here.
    assert cal.due_at(vn(2026, 8, 28), 1) == end_of_day(date(2026, 9, 3))
    assert cal.due_at(vn(2026, 8, 28), 2) == end_of_day(date(2026, 9, 4))


def test_filed_after_hours_or_on_a_day_off_counts_from_the_next_working_day() -> None:
    assert cal.due_at(vn(2026, 11, 17, 16, 59), 1) == end_of_day(date(2026, 11, 18))
    assert cal.due_at(vn(2026, 11, 17, 17, 30), 1) == end_of_day(date(2026, 11, 19))
    # Saturday: counts from Monday 23/11; Tuesday 24/11 is Culture Day.
    assert cal.due_at(vn(2026, 11, 21), 1) == end_of_day(date(2026, 11, 25))


def test_utc_instants_are_read_in_vietnam_time() -> None:
    # 2026-11-17 23:30 UTC is Wednesday 18/11 06:30 in Vietnam.
    assert cal.effective_receipt_day(datetime(2026, 11, 17, 23, 30, tzinfo=UTC)) == date(2026, 11, 18)


def test_pause_and_resume_moves_the_due_date_by_the_working_days_paused() -> None:
    due = cal.due_at(vn(2026, 11, 2), 10)  # Monday 2/11 + 10 working days = Monday 16/11
    assert due == end_of_day(date(2026, 11, 16))
    # Paused Wednesday 4/11, resumed Tuesday 10/11: Thu, Fri, Mon, Tue = 4 working days.
    new_due, days = cal.resume(due, vn(2026, 11, 4, 10), vn(2026, 11, 10, 15))
    assert days == 4
    assert new_due == end_of_day(date(2026, 11, 20))


def test_pause_over_a_holiday_does_not_charge_the_holiday() -> None:
    due = end_of_day(date(2026, 11, 30))
    # Paused Monday 23/11, resumed Wednesday 25/11; Tuesday 24/11 is a holiday: 1 working day.
    new_due, days = cal.resume(due, vn(2026, 11, 23), vn(2026, 11, 25))
    assert days == 1
    assert new_due == end_of_day(date(2026, 12, 1))


def test_pause_and_resume_the_same_day_changes_nothing() -> None:
    due = end_of_day(date(2026, 11, 30))
    assert cal.resume(due, vn(2026, 11, 23, 9), vn(2026, 11, 23, 16)) == (due, 0)


def test_province_file_adds_and_removes_days() -> None:
    province = WorkingCalendar(
        CalendarConfig(
            add_holidays=(
                ExtraHoliday(date=date(2026, 11, 19), name=Text(vi="Ngày tỉnh", en="Province day")),
            ),
            remove_holidays=(date(2026, 11, 24),),
            add_workdays=(date(2026, 11, 28),),
        )
    )
    assert not province.is_working_day(date(2026, 11, 19))
    assert province.holiday_name(date(2026, 11, 19)) == "Ngày tỉnh"
    assert province.is_working_day(date(2026, 11, 24))
    assert province.is_working_day(date(2026, 11, 28))  # a Saturday worked
    assert province.add_working_days(date(2026, 11, 18), 3) == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (vn(2026, 11, 19, 16), Timeliness.EARLY),
        (vn(2026, 11, 20, 10), Timeliness.ON_TIME),
        (vn(2026, 11, 20, 17, 1), Timeliness.LATE),
        (vn(2026, 11, 23, 8), Timeliness.LATE),
    ],
)
def test_timeliness(finished: datetime, expected: Timeliness) -> None:
    assert WorkingCalendar.timeliness(finished, end_of_day(date(2026, 11, 20))) is expected


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 1, 5), -1)
