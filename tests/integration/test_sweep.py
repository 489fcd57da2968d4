"""The scheduled sweep on moto: escalations of work falling due, apologies (Mẫu 04) for missed dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from motcua.adapters import clients
from motcua.container import use
from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.models import TaskState
from motcua.domain.status import Status
from motcua.services.inbox import Decision
from tests.conftest import DEMO_PROVINCE, REGION
from tests.integration.conftest import filing_request
from tests.integration.flows import Router
from tests.shown import decide, dossier, escalations, inbox, track

WARD = "000.01.01.H99"  # receives birth registrations: one working day, no flow
SOCIAL_INSURANCE, DECLARATION = "000.00.22.H99", "1.000058"  # five working days, no flow
FINANCE, TAX, BUSINESS = "000.00.01.H99", "000.00.20.H99", "2.001610"  # Finance 2 days, then Tax 1 day
FAR = datetime(2030, 1, 1, tzinfo=VIETNAM_TZ)


def vn(year: int, month: int, day: int, hour: int = 17, minute: int = 30) -> datetime:
    """A time in Vietnam; the sweep's schedule is 17:30, after the office closes."""
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TZ)


def end_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 17, 0, tzinfo=VIETNAM_TZ)


def file(container: Any, citizen: Any, clock: Any, at: datetime, procedure: str = "1.001193") -> str:
    clock.set(at)
    request = filing_request(container, citizen, procedure)
    return str(container.filing.file(citizen, request, f"sweep-{at:%y%m%d%H%M}-{procedure}").dossier.code)


def sweep(container: Any, clock: Any, at: datetime) -> Any:
    clock.set(at)
    return container.sweep.run()


def test_a_task_due_by_the_next_working_day_is_escalated_once(
    container: Any, people: Any, clock: Any
) -> None:
    # Given a birth registration filed on Tuesday 17/11/2026 09:00, due on Wednesday 18/11 at 17:00
    an = people.citizen("an@example.vn")
    code = file(container, an, clock, vn(2026, 11, 17, 9, 0))
    leader = people.staff("lanhdao.phuong", WARD, "leader")
    officer = people.staff("tiepnhan.phuong", WARD, "receiver")

    # When the sweep runs that evening
    report = sweep(container, clock, vn(2026, 11, 17))

    # Then the ward's task is escalated, the leaders find it, and the inbox marks it
    assert (report.escalated, report.agencies[WARD].escalated) == (1, 1)
    escalated_at = container.repository.get(code).task(f"{code}-T1").escalated_at
    assert escalated_at == vn(2026, 11, 17)
    listed = escalations(container, leader, WARD)
    assert [(t.task_id, t.escalated) for t in listed.items] == [(f"{code}-T1", True)]
    listed_in_inbox = inbox(container, officer, WARD)
    assert [t.escalated_at for t in listed_in_inbox.items] == [escalated_at]
    # and nobody apologises: the ward can still keep the date
    assert report.apologised == 0

    # When the sweep runs again, that evening and the next morning
    again = sweep(container, clock, vn(2026, 11, 17, 18, 0))
    morning = sweep(container, clock, vn(2026, 11, 18, 7, 0))

    # Then nothing more is escalated and the first escalation keeps its time
    assert (again.escalated, morning.escalated, morning.apologised) == (0, 0, 0)
    assert container.repository.get(code).task(f"{code}-T1").escalated_at == escalated_at

    # and once decided, the task leaves the leaders' list
    decide(container, officer, f"{code}-T1", Decision(action="accept"))
    decide(container, leader, f"{code}-T1", Decision(action="approve"))  # a leader decides, too
    decide(container, officer, f"{code}-T1", Decision(action="return_result"))
    assert escalations(container, leader, WARD).items == []


def test_a_task_due_in_five_working_days_waits_until_the_day_before(
    container: Any, people: Any, clock: Any
) -> None:
    # Given a social insurance declaration filed on Tuesday 17/11, due on Wednesday 25/11
    # (Wed 18, Thu 19, Fri 20, Mon 23, and Tue 24/11 is Vietnam Culture Day: Wed 25)
    an = people.citizen("an@example.vn")
    code = file(container, an, clock, vn(2026, 11, 17, 9, 0), DECLARATION)
    assert container.repository.get(code).dossier.due_at == end_of(2026, 11, 25)

    # When the sweep runs on the day of filing and on Friday, nothing is escalated
    assert sweep(container, clock, vn(2026, 11, 17)).escalated == 0
    assert sweep(container, clock, vn(2026, 11, 20)).escalated == 0
    assert container.repository.get(code).task(f"{code}-T1").escalated_at is None

    # Then on Monday 23/11 the next working day is Wednesday 25/11 (the holiday skipped): escalated
    report = sweep(container, clock, vn(2026, 11, 23))
    assert report.agencies[SOCIAL_INSURANCE].escalated == 1
    assert container.repository.get(code).task(f"{code}-T1").escalated_at == vn(2026, 11, 23)


def test_a_late_dossier_gets_one_apology_per_missed_appointment_on_working_days(
    container: Any, people: Any, clock: Any
) -> None:
    # Given a birth registration filed on Friday 20/11/2026, due on Monday 23/11 at 17:00
    an = people.citizen("an@example.vn")
    code = file(container, an, clock, vn(2026, 11, 20, 9, 0))
    assert container.repository.get(code).dossier.due_at == end_of(2026, 11, 23)

    # When the sweep runs on Monday evening, the ward not having decided
    report = sweep(container, clock, vn(2026, 11, 23))

    # Then the citizen gets an apology with a new date: Wednesday 25/11, past the Culture Day holiday
    assert (report.apologised, report.agencies[WARD].apologised) == (1, 1)
    tracking = track(container, code)
    assert tracking.appointment_at == end_of(2026, 11, 25)
    assert tracking.due_at == end_of(2026, 11, 23)  # the legal due date does not move
    [apology] = tracking.apologies
    assert (apology.number, apology.issued_at, apology.agency) == (1, vn(2026, 11, 23), WARD)
    assert (apology.previous_appointment_at, apology.appointment_at) == (
        end_of(2026, 11, 23),
        end_of(2026, 11, 25),
    )
    assert "xin lỗi" in apology.reason
    last = tracking.timeline[-1]
    assert (last.action, last.status, last.due_at) == ("apologise", 1, end_of(2026, 11, 25))
    # the owner sees it too
    assert dossier(container, an, code, "en").apologies[0].reason.startswith("Your dossier")

    # When the sweep runs again that evening, and on the holiday
    assert sweep(container, clock, vn(2026, 11, 23, 20, 0)).apologised == 0
    assert sweep(container, clock, vn(2026, 11, 24)).apologised == 0
    assert len(container.repository.get(code).dossier.apologies) == 1

    # Then only when the new date is missed too does a second apology come, for Thursday 26/11
    second = sweep(container, clock, vn(2026, 11, 25))
    assert second.apologised == 1
    tracking = track(container, code)
    assert [(a.number, a.appointment_at) for a in tracking.apologies] == [
        (1, end_of(2026, 11, 25)),
        (2, end_of(2026, 11, 26)),
    ]
    assert tracking.appointment_at == end_of(2026, 11, 26)
    assert [e.action for e in tracking.timeline].count("apologise") == 2


def test_the_new_appointment_skips_tet(container: Any, people: Any, clock: Any) -> None:
    # Given a birth registration filed on Tuesday 2/2/2027, due on Wednesday 3/2; Tết 2027 runs from
    # Thursday 4/2 to Wednesday 10/2 (29 of the old year to the fifth day of the new one)
    an = people.citizen("an@example.vn")
    code = file(container, an, clock, vn(2027, 2, 2, 9, 0))

    # When the date is missed
    sweep(container, clock, vn(2027, 2, 3))

    # Then the new date is the first working day after Tết
    assert track(container, code).appointment_at == end_of(2027, 2, 11)


def test_a_dossier_waiting_for_papers_is_not_apologised_for(container: Any, people: Any, clock: Any) -> None:
    # Given a birth registration for which the ward asked more papers on the day of filing
    an = people.citizen("an@example.vn")
    code = file(container, an, clock, vn(2026, 11, 17, 9, 0))
    officer = people.staff("tiepnhan.phuong", WARD, "receiver")
    decide(
        container, officer, f"{code}-T1", Decision(action="request_papers", reason="Thiếu giấy chứng sinh")
    )

    # When the sweep runs after the original due date
    report = sweep(container, clock, vn(2026, 11, 19))

    # Then the clock stands still: no escalation, no apology, and the dossier is out of the index
    record = container.repository.get(code)
    assert record.dossier.status is Status.MORE_PAPERS
    assert (report.escalated, report.apologised) == (0, 0)
    assert record.dossier.apologies == () and record.task(f"{code}-T1").state is TaskState.WAITING
    assert container.repository.due_by(WARD, FAR, limit=10, token=None).items == []


@pytest.fixture
def router(container: Any) -> Iterator[Router]:
    use(container)
    yield Router(container)
    use(None)


def test_an_overdue_flow_step_is_escalated_and_the_new_date_counts_the_steps_left(
    container: Any, people: Any, clock: Any, router: Router
) -> None:
    # Given a business registration (Finance reviews in 2 days, then Tax in 1) filed and accepted on
    # Tuesday 17/11/2026: due Friday 20/11; Finance's review is due Thursday 19/11
    an = people.citizen("an@example.vn")
    desk = people.staff("tiepnhan.taichinh", FINANCE, "receiver")
    leader = people.staff("lanhdao.taichinh", FINANCE, "leader")
    code = file(container, an, clock, vn(2026, 11, 17, 9, 0), BUSINESS)
    decide(container, desk, f"{code}-T1", Decision(action="accept"))
    review = router.until(
        lambda: (t := container.repository.get(code).task(f"{code}-T1.1")) and t.state is TaskState.OPEN and t
    )
    assert review.due_at == end_of(2026, 11, 19)
    assert container.repository.get(code).dossier.due_at == end_of(2026, 11, 20)

    # When the sweep runs on Friday evening, the review still undone
    report = sweep(container, clock, vn(2026, 11, 20))

    # Then Finance's leaders see the overdue step (the desk's own task waits on the flow)
    assert report.agencies[FINANCE].escalated == 1
    listed = escalations(container, leader, FINANCE)
    assert [t.task_id for t in listed.items] == [f"{code}-T1.1"]

    # and the citizen is given a date that leaves room for what is left: one more day for the
    # overdue review, then Tax's day — Monday 23/11, (Culture Day) Wednesday 25/11 — not simply the
    # next working day after the due date (Monday 23/11)
    tracking = track(container, code)
    assert [(a.number, a.appointment_at) for a in tracking.apologies] == [(1, end_of(2026, 11, 25))]
    assert report.agencies[FINANCE].apologised == 1


def test_an_older_table_gets_the_deadlines_index_and_its_open_dossiers_join_it(
    container: Any, people: Any, clock: Any, outputs: Any
) -> None:
    # Given a table from before the deadlines index, holding an open dossier without its keys
    from infra.devstack.provision import provision
    from motcua.config.province import load_province

    an = people.citizen("an@example.vn")
    code = file(container, an, clock, vn(2026, 11, 17, 9, 0))
    dynamodb = clients.client("dynamodb", REGION)
    table = outputs.table_name
    dynamodb.update_table(TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "GSI3"}}])
    dynamodb.update_item(
        TableName=table,
        Key={"PK": {"S": f"D#{code}"}, "SK": {"S": "D"}},
        UpdateExpression="REMOVE GSI3PK, GSI3SK",
    )

    # When the local stack provisions it again
    provision(
        clients=lambda name: clients.client(name, REGION),
        province=load_province(DEMO_PROVINCE),
        prefix="motcua-test",
        region=REGION,
        cors_origins=["http://127.0.0.1:8000"],
    )

    # Then the index is back and finds the dossier
    indexes = dynamodb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"]
    assert "GSI3" in {index["IndexName"] for index in indexes}
    assert [d.code for d in container.repository.due_by(WARD, FAR, limit=10, token=None).items] == [code]


def test_the_lambda_handler_runs_the_sweep_and_returns_its_report(
    container: Any, people: Any, clock: Any
) -> None:
    from infra.devstack.queues import LocalContext
    from sweep.app import handler

    an = people.citizen("an@example.vn")
    file(container, an, clock, vn(2026, 11, 17, 9, 0))
    clock.set(vn(2026, 11, 17))
    use(container)
    try:
        report = handler({"source": "aws.scheduler"}, LocalContext())
    finally:
        use(None)

    assert (report["escalated"], report["apologised"]) == (1, 0)
    assert report["agencies"] == {WARD: {"escalated": 1, "apologised": 0}}
    assert report["horizon"].startswith("2026-11-18T17:00:00")
