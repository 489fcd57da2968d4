"""The rules of a dossier's life, as citizens and officers meet them through the API, on in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.roles import Role
from motcua.domain.status import Status
from tests.fakes.world import World

SI, SOCIAL_INSURANCE = "1.000058", "000.00.22.H99"  # one agency, 5 working days, no flow


def at_status(world: World, status: Status) -> str:
    """A social insurance declaration brought to `status` by its own desk and officer; its code."""
    an = world.citizen()
    desk = world.staff(SOCIAL_INSURANCE, Role.RECEIVER)
    officer = world.staff(SOCIAL_INSURANCE, Role.OFFICER)
    code = world.file(an, SI).code
    steps = {
        Status.SUBMITTED: [],
        Status.REFUSED: [("refuse", "Hồ sơ không thuộc thẩm quyền")],
        Status.IN_PROCESS: [("accept", None)],
        Status.MORE_PAPERS: [("accept", None), ("request_papers", "Thiếu tờ khai")],
        Status.PROCESSED: [("accept", None), ("approve", None)],
        Status.RETURNED: [("accept", None), ("approve", None), ("return_result", None)],
    }[status]
    for action, reason in steps:
        deciding = action in {"approve", "request_papers"} and status is not Status.SUBMITTED
        world.decide(officer if deciding else desk, f"{code}-T1", action, reason)
    assert world.record(code).dossier.status is status
    return code


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (Status.SUBMITTED, True),
        (Status.IN_PROCESS, True),
        (Status.MORE_PAPERS, True),
        (Status.PROCESSED, False),  # the result is ready: nothing is left to withdraw
        (Status.RETURNED, False),
        (Status.REFUSED, False),
    ],
)
def test_a_citizen_withdraws_a_dossier_only_while_it_has_no_result(
    world: World, status: Status, allowed: bool
) -> None:
    code = at_status(world, status)
    owner = world.record(code).dossier.owner
    an = world.citizen().model_copy(update={"sub": owner, "username": owner})

    with world.api() as api:
        answer = api.call("POST", f"/v1/dossiers/{code}/withdrawal", an, {"reason": "Không cần nữa"})

    if allowed:
        assert answer.status == 200, answer.body
        assert answer.body["status"] == int(Status.WITHDRAWN)
        assert all(t.state.value == "closed" for t in world.record(code).tasks)
    else:
        assert answer.status == 409, answer.body
        assert world.record(code).dossier.status is status  # nothing changed


def test_the_ten_thousandth_filing_of_a_day_is_refused_with_its_reason(world: World) -> None:
    # Given the agency has numbered 9,998 dossiers today
    day = world.clock.now().astimezone(VIETNAM_TZ).date()
    world.repository.seed_counter(SOCIAL_INSURANCE, day, 9998)
    an = world.citizen()

    # When two more citizens file
    with world.api() as api:
        last = api.call(
            "POST",
            "/v1/dossiers",
            an,
            world.filing_request(an, SI).model_dump(),
            Idempotency_Key="filing-9999",
        )
        over = api.call(
            "POST",
            "/v1/dossiers",
            an,
            world.filing_request(an, SI).model_dump(),
            Idempotency_Key="filing-10000",
        )

    # Then the first takes the last number of the day and the second is told the day is full
    assert last.status == 201 and last.body["code"].endswith("-9999"), last.body
    assert over.status == 409 and over.error_code == "daily_sequence_exhausted", over.body
    assert world.repository.last_sequence(SOCIAL_INSURANCE, day) == 9999
    # and tomorrow numbering starts again at 0001
    world.clock.advance(timedelta(days=1))
    assert world.file(an, SI).code.endswith("-0001")


def test_a_retried_filing_returns_the_first_dossier_and_a_changed_body_is_refused(world: World) -> None:
    an = world.citizen()
    body = world.filing_request(an, SI).model_dump()
    with world.api() as api:
        first = api.call("POST", "/v1/dossiers", an, body, Idempotency_Key="same-key-1")
        again = api.call("POST", "/v1/dossiers", an, body, Idempotency_Key="same-key-1")
        other = api.call("POST", "/v1/dossiers", an, body | {"language": "en"}, Idempotency_Key="same-key-1")

    assert first.status == again.status == 201
    assert again.headers.get("idempotent-replayed") == "true" and "idempotent-replayed" not in first.headers
    assert again.body["code"] == first.body["code"]
    assert other.status == 422
    assert world.repository.writes == 1


def test_papers_asked_for_stop_the_clock_until_the_citizen_answers(world: World) -> None:
    # A declaration of 5 working days filed Tuesday 17/11/2026 09:00: due Wednesday 25/11 (24/11 is
    # Vietnam Culture Day).
    an = world.citizen()
    desk = world.staff(SOCIAL_INSURANCE, Role.RECEIVER)
    officer = world.staff(SOCIAL_INSURANCE, Role.OFFICER)
    dossier = world.file(an, SI)
    assert dossier.due_at == datetime(2026, 11, 25, 10, tzinfo=UTC)
    world.decide(desk, f"{dossier.code}-T1", "accept")
    world.clock.set(datetime(2026, 11, 18, 2, tzinfo=UTC))  # Wednesday
    world.decide(officer, f"{dossier.code}-T1", "request_papers", "Bổ sung điều lệ")

    # The citizen answers on Monday 23/11: Thu 19, Fri 20, Mon 23 = 3 working days stood still.
    world.clock.set(datetime(2026, 11, 23, 3, tzinfo=UTC))
    with world.api() as api:
        answer = api.call(
            "POST", f"/v1/dossiers/{dossier.code}/supplements", an, world.papers(an, dossier.code)
        )

    assert answer.status == 200, answer.body
    assert answer.body["status"] == int(Status.IN_PROCESS) and answer.body["days_paused"] == 3
    # Wednesday 25/11 + 3 working days: Thu 26, Fri 27, Mon 30/11.
    assert datetime.fromisoformat(answer.body["due_at"]) == datetime(2026, 11, 30, 10, tzinfo=UTC)
    desk_task = world.task(dossier.code, f"{dossier.code}-T1")
    assert desk_task.state.value == "open" and desk_task.due_at == datetime(2026, 11, 30, 10, tzinfo=UTC)


def test_a_repeated_decision_changes_nothing_and_a_decision_on_a_closed_task_is_a_409(world: World) -> None:
    an = world.citizen()
    desk = world.staff(SOCIAL_INSURANCE, Role.RECEIVER)
    code = world.file(an, SI).code
    with world.api() as api:
        first = api.call("POST", f"/v1/tasks/{code}-T1/decision", desk, {"action": "accept"})
        trail = len(world.repository.audit_trail(code))
        again = api.call("POST", f"/v1/tasks/{code}-T1/decision", desk, {"action": "accept"})
        assert len(world.repository.audit_trail(code)) == trail
        api.call("POST", f"/v1/tasks/{code}-T1/decision", desk, {"action": "refuse", "reason": "x"})
        officer = world.staff(SOCIAL_INSURANCE, Role.OFFICER)
        world.decide(officer, f"{code}-T1", "approve")
        world.decide(desk, f"{code}-T1", "return_result")
        late = api.call("POST", f"/v1/tasks/{code}-T1/decision", officer, {"action": "approve"})

    assert first.status == again.status == 200 and again.body == first.body
    assert late.status == 409 and late.error_code == "task_not_open"


def test_a_refusal_without_a_reason_is_refused_and_names_the_field(world: World) -> None:
    code = world.file(world.citizen(), SI).code
    desk = world.staff(SOCIAL_INSURANCE, Role.RECEIVER)
    with world.api() as api:
        answer = api.call("POST", f"/v1/tasks/{code}-T1/decision", desk, {"action": "refuse"})
    assert answer.status == 422 and [f["field"] for f in answer.body["error"]["fields"]] == ["reason"]
    assert world.record(code).dossier.status is Status.SUBMITTED


def test_every_change_is_in_an_intact_audit_trail_and_the_citizen_hears_of_what_matters(world: World) -> None:
    code = at_status(world, Status.RETURNED)
    trail = world.repository.audit_trail(code)
    assert [e.action for e in trail] == ["filed", "accept", "approve", "return_result"]
    assert [e.seq for e in trail] == [1, 2, 3, 4]
    assert all(e.prev_hash == p.hash for p, e in zip(trail, trail[1:], strict=False))
    assert world.record(code).dossier.audit_head == trail[-1].hash
    told = [event.value for c, _, event in world.repository.notified if c == code]
    assert told == ["filed", "accepted", "result_ready", "returned"]


def test_a_dossier_keeps_the_moment_it_finished_and_returning_the_result_does_not_move_it(
    world: World,
) -> None:
    code = at_status(world, Status.SUBMITTED)
    assert world.record(code).dossier.finished_at is None
    desk = world.staff(SOCIAL_INSURANCE, Role.RECEIVER)
    officer = world.staff(SOCIAL_INSURANCE, Role.OFFICER)
    world.decide(desk, f"{code}-T1", "accept", None)
    assert world.record(code).dossier.finished_at is None  # accepted is not finished

    world.clock.advance(timedelta(hours=3))
    processed_at = world.clock.now()
    world.decide(officer, f"{code}-T1", "approve", None)
    world.clock.advance(timedelta(days=2))
    world.decide(desk, f"{code}-T1", "return_result", None)

    assert world.record(code).dossier.status is Status.RETURNED
    assert world.record(code).dossier.finished_at == processed_at
    refused = at_status(world, Status.REFUSED)
    assert world.record(refused).dossier.finished_at == world.clock.now()
