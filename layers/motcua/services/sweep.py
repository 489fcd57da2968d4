"""The scheduled sweep (rà soát hạn): escalates work falling due and apologises (Mẫu 04) for missed dates.

Run once a day (an EventBridge schedule on AWS, a timer in the local stack), and safe to run again:
a task is escalated once, and a dossier gets one apology per appointment it will miss.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, Field

from motcua.domain.audit import AuditDraft
from motcua.domain.calendar import VIETNAM_TZ, WorkingCalendar, end_of_day
from motcua.domain.changes import Change, seal
from motcua.domain.errors import DossierChanged
from motcua.domain.i18n import Text
from motcua.domain.models import (
    Apology,
    Dossier,
    DossierRecord,
    Page,
    Principal,
    PrincipalKind,
    Task,
    TaskKind,
    TaskState,
    TimelineEvent,
)
from motcua.domain.permissions import LEADERS, check_role
from motcua.domain.status import Action
from motcua.observability import count, logger
from motcua.services.inbox import ESCALATIONS, check_staff_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from motcua.config.province import Province
    from motcua.domain.flows import Flow
    from motcua.domain.ports import Clock, DossierRepository

T = TypeVar("T")
# Items per Query while sweeping an agency.
PAGE = 100
APOLOGY_REASON = Text(
    vi=(
        "Hồ sơ của ông/bà chưa được giải quyết xong đúng hẹn. "
        "Cơ quan chân thành xin lỗi và hẹn lại ngày trả kết quả."
    ),
    en=(
        "Your dossier could not be dealt with by the date promised. "
        "The agency apologises and gives a new date for the result."
    ),
)


class AgencySweep(BaseModel):
    escalated: int = 0
    apologised: int = 0


class SweepReport(BaseModel):
    """What one run did; `agencies` lists only the agencies where it did something."""

    at: datetime
    horizon: datetime = Field(
        description="Work due up to this time was looked at: the next working day's end."
    )
    escalated: int = 0
    apologised: int = 0
    skipped: int = Field(default=0, description="Changed by someone meanwhile; the next run looks again.")
    agencies: dict[str, AgencySweep] = {}

    def for_agency(self, code: str) -> AgencySweep:
        return self.agencies.setdefault(code, AgencySweep())


def work_left(record: DossierRecord, flow: Flow | None, *, now: datetime, calendar: WorkingCalendar) -> int:
    """Working days the dossier still needs at the least, counted from today.

    The flow's stages follow one another and the steps of a stage run together: a step not started
    counts its whole allowance, a started one the working days to its own due date (one if it is
    overdue), a finished one nothing. The receiving agency's own decision and hand-over may happen
    the day the last step ends; once the appointment has passed, one more working day at the least.
    """
    today = now.astimezone(VIETNAM_TZ).date()
    own = 1 if now > record.dossier.appointment else 0
    if flow is None:
        return own
    steps = {(t.stage, t.step): t for t in record.tasks if t.kind is TaskKind.STEP}
    total = 0
    for i, stage in enumerate(flow.stages, start=1):
        longest = 0
        for j, step in enumerate(stage.steps, start=1):
            task = steps.get((i, j))
            if task is None:
                left = step.days
            elif task.state is TaskState.CLOSED:
                left = 0
            elif task.due_at < now:
                left = 1
            else:
                left = calendar.working_days_between(today, task.due_at.astimezone(VIETNAM_TZ).date())
            longest = max(longest, left)
        total += longest
    return max(own, total)


def new_appointment(
    record: DossierRecord, flow: Flow | None, *, now: datetime, calendar: WorkingCalendar
) -> datetime | None:
    """The date to promise instead, if the dossier will miss its appointment; None if it can keep it.

    It will miss it when the appointment has passed, or when the work left, counted in working days
    from today, ends after it. The new date is the later of that end and the appointment's next
    working day, always at the end of a working day.
    """
    dossier = record.dossier
    if not dossier.owes_result:
        return None
    today = now.astimezone(VIETNAM_TZ).date()
    # The n-th working day after today; with nothing left, today itself, or the next working day
    # when the sweep runs on a day off.
    end = calendar.add_working_days(today, work_left(record, flow, now=now, calendar=calendar))
    if not calendar.is_working_day(end):
        end = calendar.next_working_day(end)
    earliest = end_of_day(end)
    appointment = dossier.appointment
    if now <= appointment and earliest <= appointment:
        return None
    return max(earliest, calendar.shift(appointment, 1))


class SweepService:
    def __init__(
        self,
        *,
        province: Province,
        repository: DossierRepository,
        clock: Clock,
    ) -> None:
        self.province = province
        self.repository = repository
        self.clock = clock

    @property
    def calendar(self) -> WorkingCalendar:
        return self.province.working_calendar

    def run(self) -> SweepReport:
        now = self.clock.now()
        today = now.astimezone(VIETNAM_TZ).date()
        report = SweepReport(at=now, horizon=end_of_day(self.calendar.next_working_day(today)))
        # Merged agencies too: their dossiers keep the code, and so the keys, they were filed under.
        for agency in self.province.agencies:
            for task in _all(self.repository.open_tasks_due_by, agency.code, report.horizon):
                if task.escalated_at is None:
                    self._escalate(task, now, report)
            for dossier in _all(self.repository.due_by, agency.code, report.horizon):
                self._apologise(dossier, now, today, report)
        if report.escalated:
            count("TasksEscalated", report.escalated)
        if report.apologised:
            count("ApologiesIssued", report.apologised)
        if report.skipped:
            count("SweepSkipped", report.skipped)
        logger.info(
            "sweep done",
            extra={"escalated": report.escalated, "apologised": report.apologised, "skipped": report.skipped},
        )
        return report

    # --- escalation -----------------------------------------------------------------------------

    def _escalate(self, found: Task, now: datetime, report: SweepReport) -> None:
        """Tell the agency's leaders of an open task due by the horizon; once per task."""
        record = self.repository.get(found.dossier_code)  # the index may lag: decide on the item
        task = record.task(found.task_id) if record else None
        if record is None or task is None or task.state is not TaskState.OPEN or task.escalated_at:
            return
        if task.due_at > report.horizon:  # its clock stood still meanwhile and its due date moved on
            return
        dossier = record.dossier
        change = seal(
            dossier,
            dossier,
            _audit(now, dossier, "escalated", task.agency, task_id=task.task_id),
            tasks=(task.model_copy(update={"escalated_at": now}),),
        )
        if self._write(change, report):
            report.escalated += 1
            report.for_agency(task.agency).escalated += 1
            logger.info("task escalated", extra={"task_id": task.task_id, "due_at": task.due_at.isoformat()})

    # --- apology (Mẫu 04) -----------------------------------------------------------------------

    def _apologise(self, found: Dossier, now: datetime, today: date, report: SweepReport) -> None:
        procedure = self.province.procedures_by_code.get(found.procedure_code)
        flow = procedure.flow if procedure else None
        if flow is None and now <= found.appointment:
            return  # without a flow only a passed date is surely missed: no need to read the dossier
        record = self.repository.get(found.code)
        if record is None:
            return
        dossier = record.dossier
        last = dossier.apologies[-1] if dossier.apologies else None
        if last is not None and last.issued_at.astimezone(VIETNAM_TZ).date() == today:
            return  # at most one a day, whatever the estimate says by the evening
        new = new_appointment(record, flow, now=now, calendar=self.calendar)
        if new is None:
            return
        apology = Apology(
            number=len(dossier.apologies) + 1,
            issued_at=now,
            agency=dossier.agency,
            previous_appointment_at=dossier.appointment,
            appointment_at=new,
            reason=APOLOGY_REASON,
        )
        event = TimelineEvent(
            at=now,
            action=Action.APOLOGISE,
            status=dossier.status,
            agency=dossier.agency,
            actor_role=PrincipalKind.SYSTEM,
            reason=APOLOGY_REASON.in_(dossier.language),
            due_at=new,
        )
        change = seal(
            dossier,
            dossier.model_copy(update={"appointment_at": new, "apologies": (*dossier.apologies, apology)}),
            _audit(now, dossier, "apologised", dossier.agency, reason=f"new appointment {new.isoformat()}"),
            events=(event,),
        )
        if self._write(change, report):
            report.apologised += 1
            report.for_agency(dossier.agency).apologised += 1
            logger.info("apology issued", extra={"dossier": dossier.code, "number": apology.number})

    def _write(self, change: Change, report: SweepReport) -> bool:
        try:
            self.repository.apply(change)
        except DossierChanged:
            # An officer or the flow changed the dossier meanwhile; tomorrow's run looks again.
            report.skipped += 1
            return False
        return True

    # --- the leaders' list ----------------------------------------------------------------------

    def escalations(self, principal: Principal, agency: str, *, limit: int, token: str | None) -> Page[Task]:
        """The agency's open tasks the sweep escalated, the soonest due first (open one to act on it)."""
        check_staff_of(self.province, principal, agency)
        check_role(principal, LEADERS, ESCALATIONS)
        return self.repository.escalated(agency, limit=limit, token=token)


def _all(fetch: Callable[..., Page[T]], agency: str, until: datetime) -> Iterator[T]:
    """Every item of a listing by due date, page after page."""
    token: str | None = None
    while True:
        page = fetch(agency, until, limit=PAGE, token=token)
        yield from page.items
        if page.next_token is None:
            return
        token = page.next_token


def _audit(
    now: datetime,
    dossier: Dossier,
    action: str,
    agency: str,
    *,
    task_id: str | None = None,
    reason: str | None = None,
) -> AuditDraft:
    return AuditDraft(
        at=now,
        actor="system",
        role="system",
        agency=agency,
        action=action,
        task_id=task_id,
        status_before=int(dossier.status),
        status_after=int(dossier.status),
        reason=reason,
    )
