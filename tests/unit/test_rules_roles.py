"""Staff roles (vai trò), on in-memory fakes: the desk receives, officers decide, leaders may do both and
alone take a leader's step and see the escalations, an administrator sees no dossier (docs/roles.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from motcua.domain.roles import Role
from motcua.domain.status import Status

if TYPE_CHECKING:
    from motcua.domain.models import Principal
    from tests.fakes.world import Reply, World

SI, SOCIAL_INSURANCE = "1.000058", "000.00.22.H99"  # one agency, no flow
BUSINESS, FINANCE, TAX = "2.001610", "000.00.01.H99", "000.00.20.H99"  # Finance's step, then Tax's
LAND, COMMUNE, AGRICULTURE = "1.013978", "000.01.03.H99", "000.00.05.H99"  # Agriculture's step: a leader's


def decide(world: World, who: Principal, task_id: str, body: dict[str, str]) -> Reply:
    with world.api() as api:
        return api.call("POST", f"/v1/tasks/{task_id}/decision", who, body)


def refused_for_role(answer: Reply, vi: str, en: str) -> None:
    """A 403 whose message names the role needed, in Vietnamese and in English."""
    assert answer.status == 403, answer.body
    assert answer.error_code == "role_required", answer.body
    message = answer.body["error"]["message"]
    assert vi in message or en in message, message


def business_at_finance_step(world: World) -> str:
    code = world.file(world.citizen(), BUSINESS).code
    world.decide(world.staff(FINANCE, Role.RECEIVER), f"{code}-T1", "accept")
    return code


def test_a_receiver_cannot_approve_a_step_but_an_officer_of_its_agency_can(world: World) -> None:
    code = business_at_finance_step(world)
    receiver = world.staff(FINANCE, Role.RECEIVER)

    refused = decide(world, receiver, f"{code}-T1.1", {"action": "approve"})
    with world.api() as api:
        in_english = api.call(
            "POST", f"/v1/tasks/{code}-T1.1/decision", receiver, {"action": "approve"}, Accept_Language="en"
        )

    refused_for_role(refused, "chuyên viên xử lý hoặc lãnh đạo", "")
    refused_for_role(in_english, "", "processing officer or leader")
    assert world.task(code, f"{code}-T1.1").decided is None
    approved = decide(world, world.staff(FINANCE, Role.OFFICER), f"{code}-T1.1", {"action": "approve"})
    assert approved.status == 200, approved.body


def test_the_desk_receives_and_returns_and_the_officer_decides_a_dossier_without_a_flow(world: World) -> None:
    code = world.file(world.citizen(), SI).code
    receiver = world.staff(SOCIAL_INSURANCE, Role.RECEIVER)
    officer = world.staff(SOCIAL_INSURANCE, Role.OFFICER)
    task = f"{code}-T1"

    # An officer does not receive a dossier at the desk; the receiving officer does
    refused_for_role(decide(world, officer, task, {"action": "accept"}), "cán bộ tiếp nhận", "")
    assert decide(world, receiver, task, {"action": "accept"}).status == 200
    # The receiving officer does not decide it; the processing officer does
    refused_for_role(decide(world, receiver, task, {"action": "approve"}), "chuyên viên xử lý", "")
    assert decide(world, officer, task, {"action": "approve"}).status == 200
    # and the desk hands the result over, not the officer
    refused_for_role(decide(world, officer, task, {"action": "return_result"}), "cán bộ tiếp nhận", "")
    assert decide(world, receiver, task, {"action": "return_result"}).status == 200
    assert world.record(code).dossier.status is Status.RETURNED


def test_papers_are_asked_for_at_intake_by_the_desk_and_in_process_by_the_officer(world: World) -> None:
    receiver = world.staff(SOCIAL_INSURANCE, Role.RECEIVER)
    officer = world.staff(SOCIAL_INSURANCE, Role.OFFICER)
    papers = {"action": "request_papers", "reason": "Thiếu tờ khai"}

    new = world.file(world.citizen(), SI).code
    refused_for_role(decide(world, officer, f"{new}-T1", papers), "cán bộ tiếp nhận", "")
    assert decide(world, receiver, f"{new}-T1", papers).status == 200

    accepted = world.file(world.citizen(), SI).code
    world.decide(receiver, f"{accepted}-T1", "accept")
    refused_for_role(decide(world, receiver, f"{accepted}-T1", papers), "chuyên viên xử lý", "")
    assert decide(world, officer, f"{accepted}-T1", papers).status == 200


def test_an_officer_cannot_take_a_leaders_step_and_a_leader_can(world: World) -> None:
    # Given a land certificate whose commune checked the land: the department's decision is a leader's
    code = world.file(world.citizen(), LAND).code
    world.decide(world.staff(COMMUNE, Role.RECEIVER), f"{code}-T1", "accept")
    world.decide(world.staff(COMMUNE, Role.OFFICER), f"{code}-T1.1", "approve")
    step = f"{code}-T2.1"
    assert world.task(code, step).role is Role.LEADER

    officer = world.staff(AGRICULTURE, Role.OFFICER)
    refused_for_role(decide(world, officer, step, {"action": "approve"}), "lãnh đạo", "")
    with world.api() as api:
        offered = api.call("GET", f"/v1/tasks/{step}", officer).body["task"]["allowed_actions"]
    assert offered == []  # the console offers the officer nothing to do

    leader = world.staff(AGRICULTURE, Role.LEADER)
    assert decide(world, leader, step, {"action": "approve"}).status == 200


def test_a_forwarded_task_refuses_the_original_holder_but_accepts_the_colleague_and_a_leader(
    world: World,
) -> None:
    code = business_at_finance_step(world)
    step = f"{code}-T1.1"
    holder = world.staff(FINANCE, Role.OFFICER, "chuyenvien1.stc")
    world.staff(FINANCE, Role.OFFICER, "chuyenvien2.stc")
    leader = world.staff(FINANCE, Role.LEADER)

    assert decide(world, holder, step, {"action": "forward", "to": "chuyenvien2.stc"}).status == 200

    refused = decide(world, holder, step, {"action": "approve"})
    assert refused.status == 403 and refused.error_code == "task_forwarded", refused.body
    assert "chuyenvien2.stc" in refused.body["error"]["message"]
    again = decide(world, holder, step, {"action": "forward", "to": "chuyenvien1.stc"})
    assert again.status == 403 and again.error_code == "task_forwarded"
    assert decide(world, leader, step, {"action": "approve"}).status == 200
    assert world.task(code, step).decided.by == leader.username  # type: ignore[union-attr]


def test_the_colleague_a_task_was_forwarded_to_decides_it(world: World) -> None:
    code = business_at_finance_step(world)
    step = f"{code}-T1.1"
    holder = world.staff(FINANCE, Role.OFFICER, "chuyenvien1.stc")
    colleague = world.staff(FINANCE, Role.OFFICER, "chuyenvien2.stc")
    assert decide(world, holder, step, {"action": "forward", "to": colleague.username}).status == 200
    assert decide(world, colleague, step, {"action": "approve"}).status == 200


def test_a_forward_at_the_desk_holds_until_the_dossier_goes_to_the_officers(world: World) -> None:
    code = world.file(world.citizen(), SI).code
    task = f"{code}-T1"
    desk = world.staff(SOCIAL_INSURANCE, Role.RECEIVER, "tiepnhan1.bhxh")
    colleague = world.staff(SOCIAL_INSURANCE, Role.RECEIVER, "tiepnhan2.bhxh")
    assert decide(world, desk, task, {"action": "forward", "to": colleague.username}).status == 200
    assert decide(world, desk, task, {"action": "accept"}).error_code == "task_forwarded"

    assert decide(world, colleague, task, {"action": "accept"}).status == 200

    # In process, the dossier is the officers' again, whoever had it at the desk
    assert world.task(code, task).assignee is None
    officer = world.staff(SOCIAL_INSURANCE, Role.OFFICER)
    assert decide(world, officer, task, {"action": "approve"}).status == 200


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.RECEIVER, False), (Role.OFFICER, True), (Role.LEADER, True)]
)
def test_a_step_is_forwarded_only_to_a_colleague_whose_role_may_decide_it(
    world: World, role: Role, allowed: bool
) -> None:
    code = business_at_finance_step(world)
    officer = world.staff(FINANCE, Role.OFFICER)
    colleague = world.staff(FINANCE, role, f"dongnghiep.{role.value}")

    answer = decide(world, officer, f"{code}-T1.1", {"action": "forward", "to": colleague.username})

    if allowed:
        assert answer.status == 200, answer.body
    else:
        assert answer.status == 422, answer.body
        [field] = answer.body["error"]["fields"]
        assert (field["field"], field["code"]) == ("to", "forward_to_wrong_role")
        assert world.task(code, f"{code}-T1.1").assignee is None


def test_escalations_are_for_leaders_only(world: World) -> None:
    path = f"/v1/agencies/{FINANCE}/escalations"
    with world.api() as api:
        answers = {role: api.call("GET", path, world.staff(FINANCE, role)) for role in Role}
    assert answers[Role.LEADER].status == 200, answers[Role.LEADER].body
    for role in (Role.RECEIVER, Role.OFFICER, Role.ADMIN):
        refused_for_role(answers[role], "lãnh đạo", "")


def test_an_administrator_sees_no_dossier_task_or_inbox(world: World) -> None:
    code = business_at_finance_step(world)
    admin = world.staff(FINANCE, Role.ADMIN)
    with world.api() as api:
        answers = [
            api.call("GET", f"/v1/agencies/{FINANCE}/tasks", admin),
            api.call("GET", f"/v1/tasks/{code}-T1", admin),
            api.call("GET", f"/v1/dossiers/{code}", admin),
            api.call("GET", f"/v1/dossiers/{code}/audit", admin),
            api.call("GET", f"/v1/dossiers/{code}/documents", admin),
            api.call("POST", f"/v1/tasks/{code}-T1.1/decision", admin, {"action": "approve"}),
        ]
    for answer in answers:
        assert answer.status == 403, answer.body
        assert code not in str(answer.body)


def test_the_audit_trail_is_for_leaders_and_the_owning_desk_and_a_result_is_issued_by_an_officer(
    world: World,
) -> None:
    code = world.file(world.citizen(), SI).code
    receiver = world.staff(SOCIAL_INSURANCE, Role.RECEIVER)
    officer = world.staff(SOCIAL_INSURANCE, Role.OFFICER)
    world.decide(receiver, f"{code}-T1", "accept")
    with world.api() as api:
        audit = {
            r: api.call("GET", f"/v1/dossiers/{code}/audit", world.staff(SOCIAL_INSURANCE, r)) for r in Role
        }
        by_desk = api.call("POST", f"/v1/dossiers/{code}/results", receiver, {"render": True})
        by_officer = api.call("POST", f"/v1/dossiers/{code}/results", officer, {"render": True})
    assert audit[Role.RECEIVER].status == audit[Role.LEADER].status == 200
    refused_for_role(audit[Role.OFFICER], "lãnh đạo", "")
    refused_for_role(by_desk, "chuyên viên xử lý", "")
    assert by_officer.status == 201, by_officer.body


def test_a_task_offers_only_what_the_viewers_role_may_do(world: World) -> None:
    code = world.file(world.citizen(), SI).code
    with world.api() as api:
        offered = {
            role: api.call("GET", f"/v1/tasks/{code}-T1", world.staff(SOCIAL_INSURANCE, role)).body["task"][
                "allowed_actions"
            ]
            for role in (Role.RECEIVER, Role.OFFICER, Role.LEADER)
        }
    assert offered[Role.RECEIVER] == offered[Role.LEADER] == ["accept", "refuse", "request_papers", "forward"]
    assert offered[Role.OFFICER] == []
