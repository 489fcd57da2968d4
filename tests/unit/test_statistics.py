"""The statistics' definitions (docs/statistics.md) on hand-made histories, numbers worked out by hand,
and the counters against a brute-force count over random histories."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from motcua.domain.calendar import VIETNAM_TZ, Timeliness, WorkingCalendar
from motcua.domain.statistics import (
    FINISHED,
    NOW,
    Cell,
    Channel,
    Facts,
    StepFacts,
    contributions,
    difference,
    report,
    step_contributions,
)
from motcua.domain.status import Status

CALENDAR = WorkingCalendar()
TODAY = date(2026, 12, 6)
S = Status


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=VIETNAM_TZ)


def dossier(
    filed: str,
    due: str,
    status: Status,
    finished: str | None = None,
    *,
    channel: Channel = Channel.ONLINE,
    days_paused: int = 0,
) -> Facts:
    return Facts(
        agency="000.00.01.H99",
        procedure="2.001610",
        channel=channel,
        filed_at=at(filed),
        due_at=at(due, 17),
        status=status,
        finished_at=at(finished, 10) if finished else None,
        days_paused=days_paused,
    )


# Nine dossiers of one agency, September to December 2026 (today: Sunday 6 December).
HISTORY = [
    dossier("2026-09-10", "2026-09-17", S.PROCESSED, "2026-09-15"),  # 1 early, September
    dossier("2026-09-28", "2026-10-05", S.PROCESSED, "2026-10-05", channel=Channel.COUNTER),  # 2 on time
    dossier("2026-10-01", "2026-10-08", S.RETURNED, "2026-10-12"),  # 3 late, result returned
    dossier("2026-10-20", "2026-10-27", S.IN_PROCESS, channel=Channel.POST),  # 4 open, overdue
    dossier("2026-10-25", "2026-11-03", S.MORE_PAPERS),  # 5 waiting on the citizen
    dossier("2026-09-30", "2026-10-07", S.REFUSED, "2026-10-01"),  # 6 refused at the desk
    dossier("2026-10-30", "2026-11-30", S.WITHDRAWN, "2026-11-05"),  # 7 withdrawn in November
    dossier("2026-12-01", "2026-12-10", S.ACCEPTED, channel=Channel.COUNTER),  # 8 open, in time
    dossier("2026-09-25", "2026-10-10", S.PROCESSED, "2026-11-10", days_paused=2),  # 9 late, November
]


def counters_of(history: list[Facts]) -> dict[str, dict[str, int]]:
    summed: dict[str, dict[str, int]] = defaultdict(dict)
    for facts in history:
        for (month, _agency, _procedure, name), n in contributions(facts, CALENDAR).items():
            summed[month][name] = summed[month].get(name, 0) + n
    return summed


def test_october_worked_out_by_hand() -> None:
    october = report(counters_of(HISTORY), "2026-10", "2026-10", TODAY)

    # Open on 1 October: 2, 6 and 9 (filed in September, not finished by then); 1 finished in September.
    assert october.carried_over == 3
    assert (october.received_online, october.received_counter, october.received_post) == (3, 0, 1)
    assert october.received == 7
    assert (october.early, october.on_time, october.late) == (0, 1, 1)  # 2 on time, 3 late
    assert (october.refused, october.withdrawn, october.stopped) == (1, 0, 0)  # 6
    # Open on 31 October: 4 (due 27/10) and 9 (due 10/10) overdue, 5 and 7 still in time.
    assert (october.overdue, october.in_time) == (2, 2)
    assert october.received == october.resolved + october.refused + october.in_progress
    assert october.on_time_rate == 0.5
    # 2: Mon 28/9 → Mon 5/10 is 29, 30/9, 1, 2, 5/10 = 5 working days; 3: Thu 1/10 → Mon 12/10 is 2, 5–9,
    # 12/10 = 7.
    assert october.working_days == 12
    assert october.average_working_days == 6.0
    assert october.waiting is None  # the state of a past month's end is not kept


def test_november_to_today_worked_out_by_hand() -> None:
    since = report(counters_of(HISTORY), "2026-11", "2026-12", TODAY)

    assert since.carried_over == 4  # what October left open
    assert (since.received_online, since.received_counter, since.received_post) == (0, 1, 0)  # 8
    assert (since.early, since.on_time, since.late, since.withdrawn) == (0, 0, 1, 1)  # 9 late, 7
    # Open today: 4 and 5 past their due dates, 8 due on the 10th; 5 waits on the citizen.
    assert (since.overdue, since.in_time, since.waiting) == (2, 1, 1)
    # 9: Fri 25/9 → Tue 10/11: 3 days of September, 22 of October, 7 of November, less 2 paused.
    assert since.working_days == 30


def test_a_period_after_today_or_upside_down_is_refused() -> None:
    with pytest.raises(ValueError, match="must end by 2026-12"):
        report({}, "2026-12", "2027-01", TODAY)
    with pytest.raises(ValueError):
        report({}, "2026-11", "2026-10", TODAY)


def test_a_step_counts_at_its_own_agency_when_it_finishes() -> None:
    late = StepFacts("000.00.20.H99", "2.001610", at("2026-10-09", 15), Timeliness.LATE)
    assert step_contributions(late) == Counter({("2026-10", "000.00.20.H99", "2.001610", "steps.late"): 1})
    assert step_contributions(StepFacts("000.00.20.H99", "2.001610", None, None)) == Counter()


def test_a_change_moves_only_what_it_changes() -> None:
    before = dossier("2026-10-20", "2026-10-27", S.IN_PROCESS)
    after = dossier("2026-10-20", "2026-10-27", S.PROCESSED, "2026-10-26")

    moved = difference(contributions(after, CALENDAR), contributions(before, CALENDAR))

    agency, procedure = "000.00.01.H99", "2.001610"
    assert moved == {
        (NOW, agency, procedure, "open.due.2026-10-27"): -1,
        ("2026-10", agency, procedure, "finished.due.2026-10"): 1,
        ("2026-10", agency, procedure, "resolved.early"): 1,
        ("2026-10", agency, procedure, "resolved.working_days"): 4,  # Tue 20/10 → Mon 26/10
    }


def random_life(rng: random.Random) -> list[Facts]:
    """One dossier's states, as the stream would show them, from filing to now."""
    filed = datetime(2026, 1, 5, 8, tzinfo=VIETNAM_TZ) + timedelta(hours=rng.randrange(0, 24 * 330))
    due = filed + timedelta(days=rng.randrange(1, 40))
    base = Facts("A", rng.choice("PQ"), rng.choice(list(Channel)), filed, due, S.SUBMITTED)
    states = [base]
    if rng.random() < 0.3:
        states.append(replace(base, status=S.MORE_PAPERS))
    ends = filed + timedelta(days=rng.randrange(0, 60))
    if ends.date() < TODAY and rng.random() < 0.8:
        status = rng.choice(sorted(FINISHED))
        states.append(replace(base, status=status, finished_at=ends, days_paused=1))
    return states


def test_counters_kept_change_by_change_equal_a_count_of_the_dossiers_themselves() -> None:
    rng = random.Random(766)
    lives = [random_life(rng) for _ in range(400)]
    live: Counter[Cell] = Counter()
    for life in lives:
        previous: Counter[Cell] = Counter()
        for state in life:
            now = contributions(state, CALENDAR)
            live.update(difference(now, previous))
            previous = now
    summed: dict[str, dict[str, int]] = defaultdict(dict)
    for (month, _a, _p, name), n in live.items():
        if n:
            summed[month][name] = summed[month].get(name, 0) + n
    assert summed == counters_of([life[-1] for life in lives])

    for first, last in [
        ("2026-01", "2026-12"),
        ("2026-03", "2026-03"),
        ("2026-06", "2026-09"),
        ("2026-12", "2026-12"),
    ]:
        figures = report(summed, first, last, TODAY)
        start = datetime.fromisoformat(f"{first}-01").replace(tzinfo=VIETNAM_TZ)
        month_after = date(int(last[:4]) + (last[5:] == "12"), int(last[5:]) % 12 + 1, 1)
        end = datetime.combine(
            min(month_after, TODAY + timedelta(days=1)), datetime.min.time(), tzinfo=VIETNAM_TZ
        )
        final = [life[-1] for life in lives]

        def open_at(t: datetime, f: Facts) -> bool:
            return f.filed_at < t and (f.finished_at is None or f.finished_at >= t)

        assert figures.carried_over == sum(open_at(start, f) for f in final)
        assert figures.new == sum(start <= f.filed_at < end for f in final)
        if last < "2026-12":
            open_end = [f for f in final if open_at(end, f)]
            assert figures.in_progress == len(open_end)
            assert figures.overdue == sum(f.due_at < end for f in open_end)
        else:  # today: open, and due on a day before today
            open_now = [f for f in final if f.finished_at is None]
            assert figures.in_progress == len(open_now)
            assert figures.overdue == sum(f.due_at.date() < TODAY for f in open_now)
            assert figures.waiting == sum(f.status is S.MORE_PAPERS for f in open_now)
        resolved = [
            (f.finished_at, f.due_at)
            for f in final
            if f.status in (S.PROCESSED, S.RETURNED) and f.finished_at and start <= f.finished_at < end
        ]
        assert figures.resolved == len(resolved)
        assert figures.late == sum(finished > due for finished, due in resolved)


def test_digitised_papers_count_in_the_month_filed_and_electronic_results_in_the_month_resolved() -> None:
    # Filed 30 September with its papers as files; resolved 2 October with a signed electronic result.
    resolved = replace(
        dossier("2026-09-30", "2026-10-07", S.RETURNED, "2026-10-02"), digitised=True, electronic_result=True
    )
    cells = contributions(resolved, CALENDAR)
    assert cells[("2026-09", "000.00.01.H99", "2.001610", "received.digitised")] == 1
    assert cells[("2026-10", "000.00.01.H99", "2.001610", "resolved.electronic")] == 1
    # refused at the desk: its papers were still received as files, but no result was resolved
    refused = replace(
        dossier("2026-09-30", "2026-10-07", S.REFUSED, "2026-10-01"), digitised=True, electronic_result=True
    )
    names = {name for (_, _, _, name) in contributions(refused, CALENDAR)}
    assert "received.digitised" in names and "resolved.electronic" not in names
    # neither: no such cells
    returned = dossier("2026-09-30", "2026-10-07", S.RETURNED, "2026-10-02")
    plain = {name for (_, _, _, name) in contributions(returned, CALENDAR)}
    assert not plain & {"received.digitised", "resolved.electronic"}
