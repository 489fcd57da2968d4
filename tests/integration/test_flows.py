"""Inter-agency flows end to end on moto: state machines run, routing makes tasks, officers decide."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from motcua import asl
from motcua.adapters import clients
from motcua.container import use
from motcua.domain.errors import Conflict
from motcua.domain.models import TaskKind, TaskState
from motcua.domain.status import Status
from motcua.services.citizens import Supplement
from motcua.services.inbox import Decision
from motcua.services.uploads import AttachmentRef
from tests.conftest import REGION
from tests.integration.conftest import filing_request, upload
from tests.integration.flows import Router
from tests.shown import control_slip, decide, dossier, inbox, supplement, track

FINANCE, TAX = "000.00.01.H99", "000.00.20.H99"
HOME_AFFAIRS, POLICE = "000.00.02.H99", "000.00.21.H99"
BUSINESS, WORK_PERMIT = "2.001610", "1.014199"


@pytest.fixture
def router(container: Any) -> Iterator[Router]:
    use(container)
    yield Router(container)
    use(None)


def task(container: Any, code: str, task_id: str) -> Any:
    record = container.repository.get(code)
    return record.task(task_id) if record else None


def open_task(container: Any, code: str, task_id: str) -> Any:
    found = task(container, code, task_id)
    return found if found is not None and found.state is TaskState.OPEN and found.token else None


def test_a_sequential_flow_goes_from_agency_to_agency_and_back(
    container: Any, people: Any, router: Router
) -> None:
    # Given a business registration filed and accepted by the Department of Finance's desk
    an = people.citizen("an@example.vn")
    desk = people.staff("tiepnhan.taichinh", FINANCE, "receiver")
    reviewer = people.staff("chuyenvien.taichinh", FINANCE)
    tax = people.staff("canbo.thue", TAX)
    code = container.filing.file(an, filing_request(container, an, BUSINESS), "flow-seq-0001").dossier.code
    accepted = decide(container, desk, f"{code}-T1", Decision(action="accept"))
    assert accepted.status == 4 and accepted.task.state == "waiting"

    # When the flow hands it to Finance's review, then to the tax office
    step1 = router.until(lambda: open_task(container, code, f"{code}-T1.1"))
    assert (step1.agency, step1.kind) == (FINANCE, TaskKind.STEP)
    listed = inbox(container, reviewer, FINANCE).items
    assert [t.task_id for t in listed] == [f"{code}-T1.1"]
    decide(container, reviewer, step1.task_id, Decision(action="approve"))

    step2 = router.until(lambda: open_task(container, code, f"{code}-T2.1"))
    assert step2.agency == TAX
    # the tax office may now read the dossier it was asked about
    assert dossier(container, tax, code).code == code
    decide(container, tax, step2.task_id, Decision(action="approve"))

    # Then the dossier comes back to the desk, processed, and the desk returns the result
    back = router.until(
        lambda: open_task(container, code, f"{code}-T1") or task(container, code, f"{code}-T1")
    )
    router.until(lambda: container.repository.get(code).dossier.status is Status.PROCESSED)
    record = container.repository.get(code)
    assert record.task(f"{code}-T1").state is TaskState.OPEN
    assert back.agency == FINANCE
    returned = decide(container, desk, f"{code}-T1", Decision(action="return_result"))
    assert returned.status == 10
    timeline = track(container, code).timeline
    assert [e.agency for e in timeline if e.action is None] == [FINANCE, FINANCE, TAX]
    assert [e.status for e in timeline][-2:] == [9, 10]


def start_work_permit(container: Any, people: Any, router: Router) -> tuple[str, Any, Any, Any]:
    """A work permit filed and accepted: Home Affairs and Public Security now work at the same time."""
    an = people.citizen("an@example.vn")
    desk = people.staff("tiepnhan.noivu", HOME_AFFAIRS, "receiver")
    home = people.staff("chuyenvien.noivu", HOME_AFFAIRS)
    police = people.staff("canbo.congan", POLICE)
    code = container.filing.file(an, filing_request(container, an, WORK_PERMIT), "flow-par-0001").dossier.code
    decide(container, desk, f"{code}-T1", Decision(action="accept"))
    router.until(
        lambda: open_task(container, code, f"{code}-T1.1") and open_task(container, code, f"{code}-T1.2")
    )
    return code, desk, home, police


def test_a_flows_execution_history_holds_no_personal_data_even_when_a_rejection_names_the_applicant(
    container: Any, people: Any, router: Router
) -> None:
    # Given a business registration whose first step Finance rejects with a reason naming the applicant
    # (what the state machine sends on the routing queue is searched too: the end of the flow carries
    # its failure's cause there). moto records no cause for SendTaskFailure, so the cause itself is
    # checked on the fakes, which keep it: tests/unit/test_rules_no_personal_data_in_logs.py.
    sent: list[str] = []
    handler = router.handler

    def routing(event: dict[str, Any], context: Any) -> Any:
        sent.append(json.dumps(event, ensure_ascii=False))
        return handler(event, context)

    router.handler = routing
    an = people.citizen("an@example.vn")
    desk = people.staff("tiepnhan.taichinh", FINANCE, "receiver")
    reviewer = people.staff("chuyenvien.taichinh", FINANCE)
    code = container.filing.file(an, filing_request(container, an, BUSINESS), "flow-pii-0001").dossier.code
    decide(container, desk, f"{code}-T1", Decision(action="accept"))
    router.until(lambda: open_task(container, code, f"{code}-T1.1"))
    applicant = container.repository.get(code).dossier.applicant
    reason = f"{applicant.full_name} ({applicant.id_number}, {applicant.phone}, {applicant.address}) nợ thuế"
    decide(container, reviewer, f"{code}-T1.1", Decision(action="reject", reason=reason))

    # When the execution has ended
    assert wait_for_execution_end(container, code)["status"] == "SUCCEEDED"
    router.drain()

    # Then its input, outputs, every event of its history and every message it sent hold none of the
    # applicant's values
    sfn = clients.client("stepfunctions", REGION)
    arn = execution_arn(container, code)
    events, token = [], None
    while True:
        page = sfn.get_execution_history(executionArn=arn, **({"nextToken": token} if token else {}))
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    history = json.dumps(
        [sfn.describe_execution(executionArn=arn), events, sent], default=str, ensure_ascii=False
    )
    assert "flow_rejected" in history  # the end of the flow was among what was searched
    values = (applicant.full_name, applicant.id_number, applicant.phone, applicant.address, applicant.email)
    assert [value for value in values if value and value in history] == []
    # and the reason stays on the dossier
    assert container.repository.get(code).dossier.reason == reason


def test_a_parallel_stage_waits_for_every_agency(container: Any, people: Any, router: Router) -> None:
    code, desk, home, police = start_work_permit(container, people, router)
    # Both agencies have it in their inbox at once
    assert [t.task_id for t in inbox(container, police, POLICE, limit=5).items] == [f"{code}-T1.2"]

    decide(container, home, f"{code}-T1.1", Decision(action="approve"))
    wait_for_state(container, code, "Stage1Step1Approved")  # Home Affairs' branch has ended
    router.drain()
    # one branch done is not the stage done
    assert container.repository.get(code).dossier.status is Status.IN_PROCESS

    decide(container, police, f"{code}-T1.2", Decision(action="approve"))
    router.until(lambda: container.repository.get(code).dossier.status is Status.PROCESSED)
    assert task(container, code, f"{code}-T1").state is TaskState.OPEN


def test_a_rejection_in_one_branch_stops_the_others_and_closes_their_tasks(
    container: Any, people: Any, router: Router
) -> None:
    code, desk, home, police = start_work_permit(container, people, router)

    result = decide(
        container, police, f"{code}-T1.2", Decision(action="reject", reason="Người lao động có tiền án")
    )

    assert result.status == 8
    record = container.repository.get(code)
    assert record.dossier.reason == "Người lao động có tiền án"
    assert {t.task_id: t.state for t in record.tasks} == {
        f"{code}-T1": TaskState.CLOSED,
        f"{code}-T1.1": TaskState.CLOSED,
        f"{code}-T1.2": TaskState.CLOSED,
    }
    assert inbox(container, home, HOME_AFFAIRS, limit=5).items == []
    # The state machine ends: the other branch is cancelled and no task is left waiting anywhere
    execution = wait_for_execution_end(container, code)
    assert execution["status"] == "SUCCEEDED"
    router.drain()
    assert container.repository.get(code).dossier.status is Status.STOPPED
    # the citizen sees why
    mine = dossier(container, people.citizen("an@example.vn"), code)
    assert mine.status == 8 and mine.reason == "Người lao động có tiền án"


def test_papers_asked_for_in_a_step_stop_its_clock_and_the_same_step_resumes(
    container: Any, people: Any, router: Router, clock: Any
) -> None:
    an = people.citizen("an@example.vn")
    desk = people.staff("tiepnhan.taichinh", FINANCE, "receiver")
    reviewer = people.staff("chuyenvien.taichinh", FINANCE)
    code = container.filing.file(an, filing_request(container, an, BUSINESS), "flow-pause-001").dossier.code
    decide(container, desk, f"{code}-T1", Decision(action="accept"))
    step = router.until(lambda: open_task(container, code, f"{code}-T1.1"))
    first_token = step.token

    # When the reviewer asks for a paper on Tuesday 17/11 and the citizen brings it on Thursday 19/11
    asked = decide(
        container, reviewer, step.task_id, Decision(action="request_papers", reason="Thiếu điều lệ")
    )
    assert asked.status == 5
    router.until(lambda: container.repository.get(code).dossier.resume_token)
    clock.set(datetime(2026, 11, 19, 2, 0, tzinfo=UTC))
    paper = container.province.procedures_by_code[BUSINESS].papers[0].code
    supplement(
        container,
        an,
        code,
        Supplement(attachments=[AttachmentRef(upload_id=upload(container, an), paper_code=paper)]),
    )

    # Then the same step opens again, with a new token and its due date moved by two working days
    resumed = router.until(
        lambda: (t := open_task(container, code, f"{code}-T1.1")) and t.token != first_token and t
    )
    # the step was due Thursday 19/11 (two working days); two more: Friday 20/11 and Monday 23/11
    assert step.due_at == datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    assert resumed.due_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert container.repository.get(code).dossier.status is Status.IN_PROCESS
    assert container.repository.get(code).dossier.days_paused == 2
    # and deciding it carries the flow on to the tax office
    decide(container, reviewer, resumed.task_id, Decision(action="approve"))
    router.until(lambda: open_task(container, code, f"{code}-T2.1"))


def test_a_forwarded_task_stays_open_for_the_colleague(container: Any, people: Any, router: Router) -> None:
    code, desk, home, police = start_work_permit(container, people, router)
    colleague = people.staff("chuyenvien2.noivu", HOME_AFFAIRS)

    forwarded = decide(
        container,
        home,
        f"{code}-T1.1",
        Decision(action="forward", to="chuyenvien2.noivu", reason="Theo phân công"),
    )

    assert forwarded.task.state == "open"
    assert task(container, code, f"{code}-T1.1").assignee == "chuyenvien2.noivu"
    assert task(container, code, f"{code}-T1.1").assignee_name == "Cán bộ chuyenvien2.noivu"
    decide(container, colleague, f"{code}-T1.1", Decision(action="approve"))
    assert task(container, code, f"{code}-T1.1").decided.by == "chuyenvien2.noivu"


def test_a_repeated_decision_changes_nothing_the_second_time(
    container: Any, people: Any, router: Router
) -> None:
    code, desk, home, police = start_work_permit(container, people, router)
    first = decide(container, home, f"{code}-T1.1", Decision(action="approve"))
    version = container.repository.get(code).dossier.version

    again = decide(container, home, f"{code}-T1.1", Decision(action="approve"))

    assert again == first
    assert container.repository.get(code).dossier.version == version
    # a different decision on the closed task is refused
    with pytest.raises(Conflict):
        decide(container, home, f"{code}-T1.1", Decision(action="reject", reason="Đổi ý"))


def test_a_step_that_runs_out_of_time_is_escalated_then_handed_back(
    container: Any, people: Any, router: Router
) -> None:
    # Given the work permit's state machine rehearsed with every day lasting a tenth of a second
    procedure = container.province.procedures_by_code[WORK_PERMIT]
    sfn = clients.client("stepfunctions", REGION)
    sfn.update_state_machine(
        stateMachineArn=container.settings.state_machines[WORK_PERMIT],
        definition=asl.substitute(
            asl.definition(procedure, seconds_per_day=0.1),
            {asl.QUEUE_SUBSTITUTION: container.settings.routing_queue_url},
        ),
    )
    code, desk, home, police = start_work_permit(container, people, router)

    # When nobody decides: the steps time out, are escalated, time out again
    router.until(lambda: task(container, code, f"{code}-T1.1").escalated_at, timeout=20)
    handed_back = router.until(
        lambda: (t := task(container, code, f"{code}-T1")) and t.attention and t, timeout=30
    )

    # Then the desk has the dossier back in its inbox, marked, and the dossier is not lost
    assert handed_back.state is TaskState.OPEN and handed_back.attention == "flow_stalled"
    assert container.repository.get(code).dossier.status is Status.IN_PROCESS
    listed = inbox(container, desk, HOME_AFFAIRS, limit=5).items
    assert f"{code}-T1" in [t.task_id for t in listed]
    assert "restart_flow" in next(t for t in listed if t.task_id == f"{code}-T1").allowed_actions
    assert wait_for_execution_end(container, code)["status"] == "FAILED"

    # And when the desk starts the flow again (with days of normal length), both agencies get it back
    sfn.update_state_machine(
        stateMachineArn=container.settings.state_machines[WORK_PERMIT],
        definition=asl.substitute(
            asl.definition(procedure),
            {asl.QUEUE_SUBSTITUTION: container.settings.routing_queue_url},
        ),
    )
    decide(container, desk, f"{code}-T1", Decision(action="restart_flow"))
    assert task(container, code, f"{code}-T1").attention is None
    router.until(
        lambda: open_task(container, code, f"{code}-T1.1") and open_task(container, code, f"{code}-T1.2")
    )
    decide(container, home, f"{code}-T1.1", Decision(action="approve"))
    decide(container, police, f"{code}-T1.2", Decision(action="approve"))
    router.until(lambda: container.repository.get(code).dossier.status is Status.PROCESSED)


def test_the_control_slip_lists_every_hand_over_and_the_audit_trail_holds(
    container: Any, people: Any, router: Router
) -> None:
    code, desk, home, police = start_work_permit(container, people, router)
    decide(container, home, f"{code}-T1.1", Decision(action="approve"))
    decide(container, police, f"{code}-T1.2", Decision(action="approve"))
    router.until(lambda: container.repository.get(code).dossier.status is Status.PROCESSED)
    decide(container, desk, f"{code}-T1", Decision(action="return_result"))

    slip = control_slip(container, desk, code)

    assert [(r.kind, r.agency) for r in slip.rows] == [
        ("reception", HOME_AFFAIRS),
        ("step", HOME_AFFAIRS),
        ("step", POLICE),
    ]
    assert all(r.finished_at is not None and r.timeliness == "early" for r in slip.rows)
    assert slip.rows[2].officer == "Cán bộ canbo.congan" and slip.rows[2].allowance_days == 3
    trail = container.dossiers.audit(desk, code)
    assert trail.check.intact
    actions = [e.action for e in trail.entries]
    assert actions[0] == "filed" and actions[1] == "accept" and actions[-1] == "return_result"
    assert {"step_started", "approve", "flow_done"} <= set(actions)


def wait_for_execution_end(container: Any, code: str, timeout: float = 15) -> dict[str, Any]:
    sfn = clients.client("stepfunctions", REGION)
    arn = execution_arn(container, code)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return dict(described)
        time.sleep(0.1)
    raise AssertionError("the execution did not end")


def wait_for_state(container: Any, code: str, state: str, timeout: float = 15) -> None:
    """Until the execution's history shows it entered `state` (moto runs executions in threads)."""
    sfn = clients.client("stepfunctions", REGION)
    arn = execution_arn(container, code)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        if any(e.get("stateEnteredEventDetails", {}).get("name") == state for e in events):
            return
        time.sleep(0.1)
    raise AssertionError(f"the execution did not reach {state}")


def test_a_flow_started_again_skips_what_was_decided_and_waits_again_for_the_rest(
    container: Any, people: Any, router: Router
) -> None:
    # Given a business registration whose first step was approved, then its execution lost
    an = people.citizen("an@example.vn")
    desk = people.staff("tiepnhan.taichinh", FINANCE, "receiver")
    reviewer = people.staff("chuyenvien.taichinh", FINANCE)
    tax = people.staff("canbo.thue", TAX)
    code = container.filing.file(an, filing_request(container, an, BUSINESS), "flow-again-001").dossier.code
    decide(container, desk, f"{code}-T1", Decision(action="accept"))
    step1 = router.until(lambda: open_task(container, code, f"{code}-T1.1"))
    decide(container, reviewer, step1.task_id, Decision(action="approve"))
    lost = router.until(lambda: open_task(container, code, f"{code}-T2.1"))
    sfn = clients.client("stepfunctions", REGION)
    sfn.stop_execution(executionArn=execution_arn(container, code), error="Lost", cause="machine restarted")
    router.drain()

    # When the flow is started again
    assert container.coordinator.restart(code)

    # Then the tax step waits again with a new token, Finance's review is not asked twice,
    # and the flow ends as it would have
    again = router.until(
        lambda: (t := open_task(container, code, f"{code}-T2.1")) and t.token != lost.token and t
    )
    assert task(container, code, f"{code}-T1.1").state is TaskState.CLOSED
    decide(container, tax, again.task_id, Decision(action="approve"))
    router.until(lambda: container.repository.get(code).dossier.status is Status.PROCESSED)
    assert container.repository.get(code).dossier.flow_attempt == 1


def execution_arn(container: Any, code: str, attempt: int = 0) -> str:
    machine = container.settings.state_machines[container.repository.get(code).dossier.procedure_code]
    return machine.replace(":stateMachine:", ":execution:") + ":" + asl.execution_name(code, attempt)
