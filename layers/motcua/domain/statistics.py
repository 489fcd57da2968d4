"""Statistics of dossiers as provinces report them (docs/statistics.md): the counts, and how they are kept.

The counters are a sum over dossiers: every dossier (and every step of a flow) contributes a few
cells, a function of its current state alone (`contributions`). A change of a dossier moves the
counters by the difference of its contributions after and before (`difference`), so that

    live counters == the sum of `contributions` over every dossier as it is now

holds after any history, whatever the order or the retries of the changes, and a recount from the
dossiers themselves gives the very same numbers. A report for a period reads the counters of the
months from the period's start to now (`report`), never the dossiers.

Everything here is pure: the stream consumer, the recount and the API feed it and store what it says.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from motcua.domain.calendar import VIETNAM_TZ, Timeliness, WorkingCalendar
from motcua.domain.counter import Channel
from motcua.domain.status import Status

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

# The month of an event, in Vietnam's time: "2026-11". The current state is kept under NOW.
NOW = "now"


# Reached one of these, a dossier is finished for the statistics (3 refused at the desk, 7 withdrawn,
# 8 stopped, 9 processed and 10 returned: a returned dossier was processed first).
FINISHED = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.PROCESSED, Status.RETURNED})
RESOLVED = frozenset({Status.PROCESSED, Status.RETURNED})
WAITING = frozenset({Status.MORE_PAPERS, Status.FEES_DUE})

# The online-payment indicator's cells (docs/indicators.md), in the month a dossier was filed: dossiers
# asked to pay a fee or a financial obligation, those that paid online, those whose fee the counter took.
FEES_DUE = "fees.due"
FEES_ONLINE = "fees.online"
FEES_COUNTER = "fees.counter"


@dataclass(frozen=True, slots=True)
class Facts:
    """What the statistics need of one dossier, as it is now."""

    agency: str  # counted under: the agency that resolves it
    procedure: str
    channel: Channel
    filed_at: datetime
    due_at: datetime  # moved by the days the clock stood still, never by an apology's new date
    status: Status
    finished_at: datetime | None = None  # when it reached a status of FINISHED
    days_paused: int = 0  # working days it waited on the citizen
    # For the Decision 766 indicators (domain/indicators.py): its papers held as files (số hoá hồ sơ),
    # and a signed electronic result issued (kết quả điện tử).
    digitised: bool = False
    electronic_result: bool = False
    # For the online-payment indicator, in the month it was filed (each dossier once, by its fee at
    # filing if it had one, else by its financial obligation): a fee asked (`fees.due`), collected at
    # the counter (`fees.counter`), or an obligation paid online (`fees.online`; a fee at filing paid
    # online is counted from its fee item instead, `FeeFacts`).
    fee_due: bool = False
    fee_at_counter: bool = False
    obligation_paid_online: bool = False


@dataclass(frozen=True, slots=True)
class FeeFacts:
    """A dossier's fee at filing paid online (its `FEE#filing` item, docs/payments.md): counted in
    the month the dossier was filed, under the agency and procedure it is counted under."""

    agency: str
    procedure: str
    filed_at: datetime
    paid: bool


@dataclass(frozen=True, slots=True)
class StepFacts:
    """One step of an inter-agency flow, as its task is now: a late hand-over shows at its agency."""

    agency: str
    procedure: str
    finished_at: datetime | None
    timeliness: Timeliness | None


# A counter: (month or NOW, agency, procedure, name).
Cell = tuple[str, str, str, str]


def month_of(at: datetime) -> str:
    return f"{at.astimezone(VIETNAM_TZ):%Y-%m}"


def day_of(at: datetime) -> str:
    return f"{at.astimezone(VIETNAM_TZ):%Y-%m-%d}"


def contributions(facts: Facts, calendar: WorkingCalendar) -> Counter[Cell]:
    """The cells one dossier adds to the counters, as it is now."""
    cells: Counter[Cell] = Counter()

    def add(month: str, name: str, n: int = 1) -> None:
        cells[(month, facts.agency, facts.procedure, name)] += n

    add(month_of(facts.filed_at), f"received.{facts.channel.value}")
    if facts.digitised:
        add(month_of(facts.filed_at), "received.digitised")
    if facts.fee_due:
        add(month_of(facts.filed_at), FEES_DUE)
        if facts.fee_at_counter:
            add(month_of(facts.filed_at), FEES_COUNTER)
        elif facts.obligation_paid_online:
            add(month_of(facts.filed_at), FEES_ONLINE)
    if facts.status not in FINISHED or facts.finished_at is None:
        # Open: counted now by the day it falls due (overdue now = due before today) …
        add(NOW, f"open.due.{day_of(facts.due_at)}")
        if facts.status in WAITING:
            add(NOW, "waiting")
        return cells
    finished = month_of(facts.finished_at)
    # … finished: in the month it finished, with the month it was due (overdue at the end of a past
    # month = open now and due before it + finished after it and due before it).
    add(finished, f"finished.due.{month_of(facts.due_at)}")
    if facts.status in RESOLVED:
        add(finished, f"resolved.{WorkingCalendar.timeliness(facts.finished_at, facts.due_at).value}")
        taken = calendar.working_days_between(
            calendar.effective_receipt_day(facts.filed_at), facts.finished_at.astimezone(VIETNAM_TZ).date()
        )
        add(finished, "resolved.working_days", max(taken - facts.days_paused, 0))
        if facts.electronic_result:
            add(finished, "resolved.electronic")
    else:
        add(finished, {Status.REFUSED: "refused", Status.WITHDRAWN: "withdrawn"}.get(facts.status, "stopped"))
    return cells


def fee_contributions(fee: FeeFacts) -> Counter[Cell]:
    """A fee at filing paid online: `fees.online` + 1 in the month its dossier was filed."""
    cells: Counter[Cell] = Counter()
    if fee.paid:
        cells[(month_of(fee.filed_at), fee.agency, fee.procedure, FEES_ONLINE)] += 1
    return cells


def step_contributions(step: StepFacts) -> Counter[Cell]:
    cells: Counter[Cell] = Counter()
    if step.finished_at is not None and step.timeliness is not None:
        cells[
            (month_of(step.finished_at), step.agency, step.procedure, f"steps.{step.timeliness.value}")
        ] += 1
    return cells


def difference(after: Counter[Cell], before: Counter[Cell]) -> dict[Cell, int]:
    """What a change adds to each counter (negative: takes away); cells that do not move are left out."""
    moved = {cell: after[cell] - before[cell] for cell in after.keys() | before.keys()}
    return {cell: n for cell, n in moved.items() if n}


@dataclass(frozen=True, slots=True)
class Figures:
    """One row of the report (an agency, a procedure, or the whole), in the shape provinces publish."""

    carried_over: int  # open at the start of the period (kỳ trước chuyển qua)
    received_online: int
    received_counter: int
    received_post: int
    early: int
    on_time: int
    late: int
    in_time: int  # open at the end of the period, not yet due
    overdue: int  # open at the end of the period, past its due time
    refused: int
    withdrawn: int
    stopped: int
    waiting: int | None  # waiting on the citizen (status 5 or 6) now: known for a period ending today only
    working_days: int  # summed over the resolved ones
    steps_early: int = 0
    steps_on_time: int = 0
    steps_late: int = 0
    # New dossiers of the period asked to pay a fee or a financial obligation, and those paid online
    # (the Decision 766 online-payment rate, domain/indicators.py).
    fees_due: int = 0
    fees_online: int = 0

    @property
    def received(self) -> int:
        return self.carried_over + self.received_online + self.received_counter + self.received_post

    @property
    def new(self) -> int:
        return self.received_online + self.received_counter + self.received_post

    @property
    def resolved(self) -> int:
        return self.early + self.on_time + self.late

    @property
    def in_progress(self) -> int:
        return self.in_time + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        """(early + on time) / resolved; None when nothing was resolved."""
        return (self.early + self.on_time) / self.resolved if self.resolved else None

    @property
    def average_working_days(self) -> float | None:
        return self.working_days / self.resolved if self.resolved else None


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` ("2026-01" … "2026-03"), both included."""
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def report(counters: Mapping[str, Mapping[str, int]], first: str, last: str, today: date) -> Figures:
    """The figures of the months `first`..`last` (last ≤ today's month) from summed counters.

    `counters`: for each month from `first` to today's month, and for NOW, the counters' names and
    values, summed over what the row covers (an agency, a procedure, the province). Months outside
    that range are not needed: the report's reads grow with the months, never with the dossiers.
    """
    this_month = f"{today:%Y-%m}"
    if not first <= last <= this_month:
        raise ValueError(f"the period {first}..{last} must end by {this_month}")
    now = counters.get(NOW, {})
    months = months_between(first, last)
    after = months_between(_next(last), this_month) if last < this_month else []

    def total(names: Iterable[str], within: list[str]) -> int:
        return sum(counters.get(m, {}).get(name, 0) for m in within for name in names)

    def new(within: list[str]) -> int:
        return total([f"received.{c.value}" for c in Channel], within)

    def finished(within: list[str]) -> int:
        return sum(
            value
            for m in within
            for name, value in counters.get(m, {}).items()
            if name.startswith("finished.due.")
        )

    open_now = sum(value for name, value in now.items() if name.startswith("open.due."))
    # Open at the end of the period = open now − received since + finished since (docs/statistics.md).
    open_at_end = open_now - new(after) + finished(after)
    open_at_start = open_at_end - new(months) + finished(months)
    if last == this_month:
        overdue = sum(v for n, v in now.items() if n.startswith("open.due.") and n[9:] < f"{today:%Y-%m-%d}")
    else:
        overdue = sum(v for n, v in now.items() if n.startswith("open.due.") and n[9:16] <= last) + sum(
            v
            for m in after
            for n, v in counters.get(m, {}).items()
            if n.startswith("finished.due.") and n[13:] <= last
        )

    def one(name: str) -> int:
        return total([name], months)

    return Figures(
        carried_over=open_at_start,
        received_online=one("received.online"),
        received_counter=one("received.counter"),
        received_post=one("received.post"),
        early=one("resolved.early"),
        on_time=one("resolved.on_time"),
        late=one("resolved.late"),
        in_time=open_at_end - overdue,
        overdue=overdue,
        refused=one("refused"),
        withdrawn=one("withdrawn"),
        stopped=one("stopped"),
        waiting=now.get("waiting", 0) if last == this_month else None,
        working_days=one("resolved.working_days"),
        steps_early=one("steps.early"),
        steps_on_time=one("steps.on_time"),
        steps_late=one("steps.late"),
        fees_due=one(FEES_DUE),
        fees_online=one(FEES_ONLINE),
    )


def _next(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"
