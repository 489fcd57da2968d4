"""Forwarding a task (chuyển xử lý): only to an active colleague of the task's own agency, on fakes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from motcua.domain.roles import Role

if TYPE_CHECKING:
    from tests.fakes.world import World

SI, SOCIAL_INSURANCE = "1.000058", "000.00.22.H99"  # one agency, no flow
POLICE = "000.00.21.H99"


def test_a_desk_forwards_to_a_colleague_whose_name_comes_from_the_directory(world: World) -> None:
    # Given a filed declaration and a leader of the same agency in the staff directory
    code = world.file(world.citizen(), SI).code
    desk = world.staff(SOCIAL_INSURANCE, Role.RECEIVER, "tiepnhan.bhxh")
    world.staff(SOCIAL_INSURANCE, Role.LEADER, "lanhdao.bhxh", name="Trần Văn Lãnh")

    # When the desk forwards the task to the leader
    with world.api() as api:
        answer = api.call(
            "POST",
            f"/v1/tasks/{code}-T1/decision",
            desk,
            {"action": "forward", "to": "lanhdao.bhxh", "reason": "Nhờ anh xem"},
        )

    # Then the leader holds it, named as the directory names them
    assert answer.status == 200, answer.body
    assert answer.body["task"]["assignee"] == "lanhdao.bhxh"
    assert answer.body["task"]["assignee_name"] == "Trần Văn Lãnh"
    task = world.task(code, f"{code}-T1")
    assert (task.assignee, task.assignee_name, task.state.value) == ("lanhdao.bhxh", "Trần Văn Lãnh", "open")
    assert "Trần Văn Lãnh" in (world.repository.audit_trail(code)[-1].reason or "")


@pytest.mark.parametrize(
    "who",
    ["nobody.here", "citizen", "other agency", "disabled", "oneself"],
)
def test_a_task_is_forwarded_only_to_an_active_colleague_of_its_agency(world: World, who: str) -> None:
    # Given a filed declaration, its desk, and people who are not a colleague to forward it to
    an = world.citizen()
    code = world.file(an, SI).code
    desk = world.staff(SOCIAL_INSURANCE, Role.RECEIVER, "tiepnhan.bhxh")
    world.staff(POLICE, Role.OFFICER, "canbo.congan")
    if who == "disabled":
        world.staff(SOCIAL_INSURANCE, Role.OFFICER, "nghiviec.bhxh")
        world.directory.disable("nghiviec.bhxh")
    to = {
        "nobody.here": "nobody.here",
        "citizen": an.email,  # a citizen's sign-in
        "other agency": "canbo.congan",
        "disabled": "nghiviec.bhxh",
        "oneself": "tiepnhan.bhxh",
    }[who]
    trail = len(world.repository.audit_trail(code))

    # When the desk forwards the task there, in Vietnamese and in English
    with world.api() as api:
        answers = [
            api.call(
                "POST",
                f"/v1/tasks/{code}-T1/decision",
                desk,
                {"action": "forward", "to": to},
                Accept_Language=lang,
            )
            for lang in ("vi", "en")
        ]

    # Then it is refused, the field `to` named, and the task stays with the desk
    for answer in answers:
        assert answer.status == 422, answer.body
        assert [f["field"] for f in answer.body["error"]["fields"]] == ["to"]
    vi, en = (answer.body["error"]["fields"][0]["message"] for answer in answers)
    assert vi != en and "cán bộ" in vi and "officer" in en
    task = world.task(code, f"{code}-T1")
    assert task.assignee is None and task.decided is None
    assert len(world.repository.audit_trail(code)) == trail


def test_a_forwarded_task_is_decided_by_the_colleague(world: World) -> None:
    code = world.file(world.citizen(), SI).code
    desk = world.staff(SOCIAL_INSURANCE, Role.RECEIVER, "tiepnhan.bhxh")
    colleague = world.staff(SOCIAL_INSURANCE, Role.RECEIVER, "tiepnhan2.bhxh")
    with world.api() as api:
        forwarded = api.call(
            "POST", f"/v1/tasks/{code}-T1/decision", desk, {"action": "forward", "to": "tiepnhan2.bhxh"}
        )
        accepted = api.call("POST", f"/v1/tasks/{code}-T1/decision", colleague, {"action": "accept"})
    assert forwarded.status == 200 and accepted.status == 200, (forwarded.body, accepted.body)
    assert world.task(code, f"{code}-T1").decided.by == "tiepnhan2.bhxh"  # type: ignore[union-attr]
