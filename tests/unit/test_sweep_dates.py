"""When the sweep says a dossier will miss its appointment, and which new date it promises."""

from __future__ import annotations

from datetime import datetime

import pytest

from motcua.domain.calendar import VIETNAM_TZ, WorkingCalendar
from motcua.domain.flows import Flow, FlowStage, FlowStep
from motcua.domain.i18n import Text
from motcua.domain.models import (
    Applicant,
    Dossier,
    DossierRecord,
    Task,
    TaskKind,
    TaskState,
)
from motcua.domain.roles import Role
from motcua.domain.status import Status
from motcua.services.sweep import new_appointment, work_left

CALENDAR = WorkingCalendar()
FINANCE, TAX = "000.00.01.H99", "000.00.20.H99"
# Finance reviews in 2 working days, then Tax issues the code in 1.
FLOW = Flow(
    stages=(
        FlowStage(steps=(FlowStep(agency=FINANCE, days=2),)),
        FlowStage(steps=(FlowStep(agency=TAX, days=1),)),
    )
)


def vn(month: int, day: int, hour: int = 17, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TZ)


def record(due: datetime, status: Status = Status.IN_PROCESS, *steps: Task) -> DossierRecord:
    dossier = Dossier(
        code="000.00.01.H99-261117-0001",
        procedure_code="2.001610",
        procedure_name=Text(vi="Đăng ký doanh nghiệp", en="Business registration"),
        agency=FINANCE,
        agencies=(FINANCE,),
        owner="sub",
        applicant=Applicant(
            full_name="Nguyễn Văn An",
            id_number="001090012345",
            phone="0901234567",
            address="Số 1 đường Lê Lợi",
        ),
        form={},
        attachments=(),
        status=status,
        filed_at=vn(11, 17, 9),
        due_at=due,
        legal_days=3,
        flow=True,
    )
    return DossierRecord(dossier=dossier, events=(), tasks=steps)


def step(stage: int, due: datetime, state: TaskState = TaskState.OPEN) -> Task:
    return Task(
        task_id=f"000.00.01.H99-261117-0001-T{stage}.1",
        dossier_code="000.00.01.H99-261117-0001",
        agency=FINANCE if stage == 1 else TAX,
        role=Role.OFFICER,
        kind=TaskKind.STEP,
        state=state,
        created_at=vn(11, 17, 9),
        due_at=due,
        procedure_code="2.001610",
        procedure_name=Text(vi="Đăng ký doanh nghiệp", en="Business registration"),
        applicant_name="Nguyễn Văn An",
        dossier_status=Status.IN_PROCESS,
        stage=stage,
        step=1,
    )


def test_a_dossier_that_can_still_keep_its_date_gets_no_new_one() -> None:
    # Due Friday 20/11; on Wednesday 18/11 Finance's review (due Thursday) is under way: Thu + Tax's day.
    on_track = record(vn(11, 20), Status.IN_PROCESS, step(1, vn(11, 19)))

    assert work_left(on_track, FLOW, now=vn(11, 18, 10), calendar=CALENDAR) == 2
    assert new_appointment(on_track, FLOW, now=vn(11, 18, 10), calendar=CALENDAR) is None
    # Without a flow, the receiving agency may decide any time before the date: no apology before it.
    assert new_appointment(on_track, None, now=vn(11, 20, 16), calendar=CALENDAR) is None


def test_steps_left_that_cannot_fit_before_the_date_give_a_later_one() -> None:
    # Due Friday 20/11; on Thursday 19/11 at 10:00 nothing has started (the desk has not accepted):
    # 2 + 1 working days from Thursday: Fri 20, Mon 23, (Tue 24/11 Culture Day) Wed 25/11.
    waiting_desk = record(vn(11, 20), Status.SUBMITTED)

    assert work_left(waiting_desk, FLOW, now=vn(11, 19, 10), calendar=CALENDAR) == 3
    assert new_appointment(waiting_desk, FLOW, now=vn(11, 19, 10), calendar=CALENDAR) == vn(11, 25)


def test_finished_steps_count_nothing_and_a_late_dossier_still_gets_a_working_day() -> None:
    # Every step done, but the dossier was not handed over by Friday 20/11: Saturday's sweep
    # promises Monday 23/11, a working day, not the weekend.
    done = record(
        vn(11, 20),
        Status.IN_PROCESS,
        step(1, vn(11, 19), TaskState.CLOSED),
        step(2, vn(11, 20), TaskState.CLOSED),
    )

    assert new_appointment(done, FLOW, now=vn(11, 21, 10), calendar=CALENDAR) == vn(11, 23)


@pytest.mark.parametrize("status", [Status.MORE_PAPERS, Status.FEES_DUE, Status.PROCESSED, Status.RETURNED])
def test_no_new_date_while_the_clock_stands_still_or_the_result_is_ready(status: Status) -> None:
    assert new_appointment(record(vn(11, 20), status), FLOW, now=vn(11, 30), calendar=CALENDAR) is None
