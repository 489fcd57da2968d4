"""Nobody gets a 409 for the platform's own work, and a saved write is never answered as a failure.

The flows, the sweep and other officers write dossiers too; on the fakes a background writer runs
between a user's read and their write (`InMemoryDossierRepository.race`), as it does under load.
"""

from __future__ import annotations

from datetime import timedelta

from motcua.domain.roles import Role
from motcua.domain.status import Status
from motcua.services.coordinator import FlowMessage
from motcua.services.inbox import Decision
from tests.fakes.world import World

SI, SOCIAL_INSURANCE = "1.000058", "000.00.22.H99"
BUSINESS, FINANCE, TAX = "2.001610", "000.00.01.H99", "000.00.20.H99"
WORK_PERMIT, HOME_AFFAIRS, POLICE = "1.014199", "000.00.02.H99", "000.00.21.H99"


def escalate_everything(world: World) -> None:
    """The daily sweep a week on, when the task falls due: it escalates it (a write of its own)."""
    world.clock.advance(timedelta(days=7))
    world.container.sweep.run()


def test_an_officer_deciding_while_the_sweep_escalates_the_task_is_not_refused(world: World) -> None:
    code = world.file(world.citizen(), SI).code
    desk = world.staff(SOCIAL_INSURANCE, Role.RECEIVER)
    version = world.record(code).dossier.version
    world.repository.race(lambda: escalate_everything(world))

    with world.api() as api:
        answer = api.call("POST", f"/v1/tasks/{code}-T1/decision", desk, {"action": "accept"})

    assert answer.status == 200, answer.body
    record = world.record(code)
    assert record.dossier.status is Status.IN_PROCESS
    assert record.dossier.version == version + 2  # the sweep's write, then the decision
    assert [e.action for e in world.repository.audit_trail(code)][-2:] == ["escalated", "accept"]


def test_a_citizen_adding_papers_right_after_a_step_asked_for_them_is_not_refused(world: World) -> None:
    # Given a step that asked for papers; the flow's "await citizen" message is still on its way
    code = world.file(world.citizen(), BUSINESS).code
    world.decide(world.staff(FINANCE, Role.RECEIVER), f"{code}-T1", "accept")
    decision = world.container.inbox.decide

    decision(world.staff(FINANCE), f"{code}-T1.1", Decision(action="request_papers", reason="Thiếu điều lệ"))
    assert world.record(code).dossier.resume_token is None  # routing has not stored the token yet
    owner = world.owner(code)
    papers = world.papers(owner, code)
    # routing stores the token between the citizen's read and write
    world.repository.race(world.settle)

    with world.api() as api:
        answer = api.call("POST", f"/v1/dossiers/{code}/supplements", owner, papers)

    assert answer.status == 200, answer.body
    world.settle()
    # the step goes on: the flow heard of the papers through the token it had just handed over
    assert world.task(code, f"{code}-T1.1").state.value == "open"
    assert world.record(code).dossier.status is Status.IN_PROCESS


def test_approving_one_parallel_step_while_routing_creates_its_sibling_is_not_refused(world: World) -> None:
    code = world.file(world.citizen(), WORK_PERMIT).code
    desk = world.staff(HOME_AFFAIRS, Role.RECEIVER)

    world.container.inbox.decide(desk, f"{code}-T1", Decision(action="accept"))
    first = world.flows.messages.popleft()  # routing takes Home Affairs' message first
    world.container.coordinator.handle(FlowMessage.model_validate(first))
    # Home Affairs' step exists; the police step's message arrives while Home Affairs approves
    assert world.record(code).task(f"{code}-T1.2") is None
    world.repository.race(world.settle)

    with world.api() as api:
        answer = api.call(
            "POST", f"/v1/tasks/{code}-T1.1/decision", world.staff(HOME_AFFAIRS), {"action": "approve"}
        )

    assert answer.status == 200, answer.body
    world.settle()
    assert world.task(code, f"{code}-T1.1").state.value == "closed"
    assert world.task(code, f"{code}-T1.2").state.value == "open"


def test_a_decision_whose_answer_was_lost_is_answered_again_as_the_success_it_was(world: World) -> None:
    code = world.file(world.citizen(), SI).code
    desk = world.staff(SOCIAL_INSURANCE, Role.RECEIVER)
    with world.api() as api:
        first = api.call("POST", f"/v1/tasks/{code}-T1/decision", desk, {"action": "accept"})
        writes = world.repository.writes
        # the client never saw `first` and sends the same decision again
        again = api.call("POST", f"/v1/tasks/{code}-T1/decision", desk, {"action": "accept"})
    assert first.status == again.status == 200 and again.body == first.body
    assert world.repository.writes == writes  # nothing doubled


def test_a_withdrawal_sent_twice_is_one_withdrawal(world: World) -> None:
    citizen = world.citizen()
    code = world.file(citizen, SI).code
    with world.api() as api:
        first = api.call("POST", f"/v1/dossiers/{code}/withdrawal", citizen, {"reason": "Nộp nhầm"})
        again = api.call("POST", f"/v1/dossiers/{code}/withdrawal", citizen, {"reason": "Nộp nhầm"})
        other = api.call("POST", f"/v1/dossiers/{code}/withdrawal", citizen, {"reason": "Lý do khác"})
    assert first.status == again.status == 200
    assert [e.action for e in world.repository.audit_trail(code)].count("withdraw") == 1
    assert other.status == 409  # a different request on a withdrawn dossier is still refused


def test_papers_sent_twice_are_added_once(world: World) -> None:
    citizen = world.citizen()
    code = world.file(citizen, SI).code
    desk = world.staff(SOCIAL_INSURANCE, Role.RECEIVER)
    world.decide(desk, f"{code}-T1", "request_papers", "Thiếu tờ khai")
    body = world.papers(citizen, code)
    with world.api() as api:
        first = api.call("POST", f"/v1/dossiers/{code}/supplements", citizen, body)
        again = api.call("POST", f"/v1/dossiers/{code}/supplements", citizen, body)
    assert first.status == again.status == 200, again.body
    assert len(first.body["attachments"]) == len(again.body["attachments"])
    assert [e.action for e in world.repository.audit_trail(code)].count("supplement") == 1


def test_a_dossier_that_keeps_changing_under_a_decision_is_a_409_in_the_end(world: World) -> None:
    code = world.file(world.citizen(), SI).code
    # Leaders: a forwarded task is still theirs to decide and to forward again.
    desk = world.staff(SOCIAL_INSURANCE, Role.LEADER)
    other = world.staff(SOCIAL_INSURANCE, Role.LEADER, "lanhdao.khac")

    colleagues = [world.staff(SOCIAL_INSURANCE, Role.RECEIVER, f"tiepnhan.{n}") for n in range(3)]

    def forward_again() -> None:  # a leader forwards the task to one receiving officer after another
        to = colleagues.pop(0).username
        world.container.inbox.decide(other, f"{code}-T1", Decision(action="forward", to=to))

    for _ in range(3):
        world.repository.race(forward_again)
    with world.api() as api:
        answer = api.call("POST", f"/v1/tasks/{code}-T1/decision", desk, {"action": "accept"})
    assert answer.status == 409 and answer.error_code == "dossier_changed"
    assert world.record(code).dossier.status is Status.SUBMITTED
