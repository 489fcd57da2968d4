"""The rules of inter-agency flows (liên thông), on in-memory fakes: the flow coordinator with an
in-memory engine that speaks the state machine's messages (tests/fakes/workflow.py)."""

from __future__ import annotations

from datetime import timedelta

from motcua.domain.models import TaskKind, TaskState
from motcua.domain.roles import Role
from motcua.domain.status import Status
from tests.fakes.world import World

BUSINESS, FINANCE, TAX = "2.001610", "000.00.01.H99", "000.00.20.H99"  # Finance, then the tax office
WORK_PERMIT, HOME_AFFAIRS, POLICE = "1.014199", "000.00.02.H99", "000.00.21.H99"  # both at once


def accepted(world: World, procedure: str, agency: str) -> str:
    """A dossier of `procedure` filed and accepted by `agency`'s desk, its flow started; its code."""
    code = world.file(world.citizen(), procedure).code
    world.decide(world.staff(agency, Role.RECEIVER), f"{code}-T1", "accept")
    return code


def open_steps(world: World, code: str) -> list[str]:
    return [
        t.task_id for t in world.record(code).tasks if t.kind is TaskKind.STEP and t.state is TaskState.OPEN
    ]


def test_a_sequential_flow_goes_from_agency_to_agency_and_back_to_the_desk(world: World) -> None:
    code = accepted(world, BUSINESS, FINANCE)
    assert world.record(code).dossier.status is Status.IN_PROCESS
    assert open_steps(world, code) == [f"{code}-T1.1"]
    assert world.task(code, f"{code}-T1").state is TaskState.WAITING

    world.decide(world.staff(FINANCE), f"{code}-T1.1", "approve")
    assert open_steps(world, code) == [f"{code}-T2.1"]
    assert TAX in world.record(code).dossier.agencies  # the tax office may now read it

    world.decide(world.staff(TAX), f"{code}-T2.1", "approve")
    record = world.record(code)
    assert record.dossier.status is Status.PROCESSED
    assert record.task(f"{code}-T1").state is TaskState.OPEN  # back at the desk, to return the result
    world.decide(world.staff(FINANCE, Role.RECEIVER), f"{code}-T1", "return_result")
    assert world.record(code).dossier.status is Status.RETURNED


def test_no_result_is_issued_while_an_agency_of_the_flow_has_not_decided(world: World) -> None:
    # Given Finance approved its own step and the tax office's is still open
    code = accepted(world, BUSINESS, FINANCE)
    desk = world.staff(FINANCE)  # its processing officer: the desk receives, officers issue
    world.decide(desk, f"{code}-T1.1", "approve")

    # When Finance tries to issue the result
    with world.api() as api:
        early = api.call("POST", f"/v1/dossiers/{code}/results", desk, {"render": True})
        # Then it is refused, and nothing is signed or recorded
        assert early.status == 409 and early.error_code == "flow_not_finished", early.body
        assert world.signer.calls == [] and world.record(code).dossier.results == ()

        # and once the tax office has approved, it is issued
        world.decide(world.staff(TAX), f"{code}-T2.1", "approve")
        issued = api.call("POST", f"/v1/dossiers/{code}/results", desk, {"render": True})
    assert issued.status == 201 and issued.body["result_code"] == f"{code}-KQ1", issued.body


def test_a_parallel_stage_waits_for_every_agency(world: World) -> None:
    code = accepted(world, WORK_PERMIT, HOME_AFFAIRS)
    assert open_steps(world, code) == [f"{code}-T1.1", f"{code}-T1.2"]
    world.decide(world.staff(HOME_AFFAIRS), f"{code}-T1.1", "approve")
    assert world.record(code).dossier.status is Status.IN_PROCESS
    world.decide(world.staff(POLICE), f"{code}-T1.2", "approve")
    assert world.record(code).dossier.status is Status.PROCESSED


def test_a_rejection_at_one_agency_stops_the_dossier_and_closes_every_open_task(world: World) -> None:
    code = accepted(world, WORK_PERMIT, HOME_AFFAIRS)
    world.decide(world.staff(POLICE), f"{code}-T1.2", "reject", "Người lao động có tiền án")
    record = world.record(code)
    assert record.dossier.status is Status.STOPPED and record.dossier.reason == "Người lao động có tiền án"
    assert all(t.state is TaskState.CLOSED for t in record.tasks)
    assert world.flows.waiting(code) == []  # the flow has ended: nothing waits any more


def test_papers_asked_in_a_step_stop_the_clocks_and_the_step_goes_on_when_they_come(world: World) -> None:
    code = accepted(world, BUSINESS, FINANCE)
    reviewer = world.staff(FINANCE)
    world.decide(reviewer, f"{code}-T1.1", "request_papers", "Thiếu điều lệ")
    record = world.record(code)
    assert record.dossier.status is Status.MORE_PAPERS and record.dossier.resume_token
    assert open_steps(world, code) == []
    step_due = record.task(f"{code}-T1.1").due_at

    # A week later: Wed 18, Thu 19, Fri 20, Mon 23 stood still (Tue 24/11 is Vietnam Culture Day).
    world.clock.advance(timedelta(days=7))
    owner = world.owner(code)
    with world.api() as api:
        answer = api.call("POST", f"/v1/dossiers/{code}/supplements", owner, world.papers(owner, code))
    assert answer.status == 200, answer.body
    world.settle()

    record = world.record(code)
    assert record.dossier.status is Status.IN_PROCESS and record.dossier.days_paused == 4
    assert open_steps(world, code) == [f"{code}-T1.1"]  # the same step, open again with a new token
    assert record.task(f"{code}-T1.1").due_at > step_due
    world.decide(reviewer, f"{code}-T1.1", "approve")
    assert open_steps(world, code) == [f"{code}-T2.1"]


def test_a_citizen_withdrawing_ends_the_flow(world: World) -> None:
    code = accepted(world, WORK_PERMIT, HOME_AFFAIRS)
    owner = world.owner(code)
    with world.api() as api:
        answer = api.call("POST", f"/v1/dossiers/{code}/withdrawal", owner, {"reason": "Đổi ý"})
    assert answer.status == 200, answer.body
    world.settle()
    assert world.record(code).dossier.status is Status.WITHDRAWN
    assert world.flows.waiting(code) == []


def test_a_stalled_flow_comes_back_to_the_desk_and_restarts_without_asking_twice(world: World) -> None:
    # Given Finance approved and the tax office let its step run out of time twice
    code = accepted(world, BUSINESS, FINANCE)
    world.decide(world.staff(FINANCE), f"{code}-T1.1", "approve")
    for _ in range(2):
        [waiting] = world.flows.waiting(code)
        world.flows.time_out(waiting.token)
        world.settle()
    desk = world.task(code, f"{code}-T1")
    assert desk.state is TaskState.OPEN and desk.attention == "flow_stalled"
    assert world.task(code, f"{code}-T2.1").escalated_at is not None

    # When the desk starts the flow again
    world.decide(world.staff(FINANCE, Role.RECEIVER), f"{code}-T1", "restart_flow")

    # Then only the tax office is asked again, and its approval finishes the dossier
    assert open_steps(world, code) == [f"{code}-T2.1"]
    assert world.record(code).dossier.flow_attempt == 1
    world.decide(world.staff(TAX), f"{code}-T2.1", "approve")
    assert world.record(code).dossier.status is Status.PROCESSED


def test_a_repeated_flow_message_changes_nothing(world: World) -> None:
    code = accepted(world, BUSINESS, FINANCE)
    trail = len(world.repository.audit_trail(code))
    [step] = [m for m in world.flows.delivered if m["kind"] == "step"]
    world.flows.messages.append(dict(step))  # SQS delivers it once more
    world.settle()
    assert len(world.repository.audit_trail(code)) == trail
    assert open_steps(world, code) == [f"{code}-T1.1"]


def test_a_step_is_decided_only_by_its_own_agency(world: World) -> None:
    code = accepted(world, BUSINESS, FINANCE)
    with world.api() as api:
        answer = api.call("POST", f"/v1/tasks/{code}-T1.1/decision", world.staff(TAX), {"action": "approve"})
    assert answer.status == 403
    assert open_steps(world, code) == [f"{code}-T1.1"]
