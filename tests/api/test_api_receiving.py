"""Who may do what with a dossier received at another agency's desk, over HTTP (docs/roles.md,
Receiving anywhere): the receiving desk accepts, refuses and returns; the competent agency's officers
and leaders decide and issue the result; both agencies read it; nobody else does any of it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest

from motcua.domain.roles import Role
from tests.conftest import DEMO_PROVINCE
from tests.fakes.world import World

if TYPE_CHECKING:
    from motcua.domain.models import Principal
    from tests.fakes.world import Reply

pytestmark = pytest.mark.offline

DELEGATION, DEPARTMENT = "2.002151", "000.00.06.H99"  # received at two wards' desks too
WARD, OTHER = "000.01.01.H99", "000.01.03.H99"  # a ward that may receive it, a commune that may not

# Who, by agency and role, and what each may do at each stage of the dossier: (stage, action) → callers
# answered 200 (the others: 403). Stages: new at the ward's desk, handed to the department, back at the
# ward's desk processed.
WARD_DESK, WARD_OFFICER, WARD_LEADER = "ward receiver", "ward officer", "ward leader"
DEPT_DESK, DEPT_OFFICER, DEPT_LEADER = "department receiver", "department officer", "department leader"
OUTSIDER = "officer of another commune"
CALLERS = {
    WARD_DESK: (WARD, Role.RECEIVER),
    WARD_OFFICER: (WARD, Role.OFFICER),
    WARD_LEADER: (WARD, Role.LEADER),
    DEPT_DESK: (DEPARTMENT, Role.RECEIVER),
    DEPT_OFFICER: (DEPARTMENT, Role.OFFICER),
    DEPT_LEADER: (DEPARTMENT, Role.LEADER),
    OUTSIDER: (OTHER, Role.LEADER),
}
NEW, HANDED_OVER, BACK = "new", "handed over", "back at the desk"
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    (NEW, "accept"): frozenset({WARD_DESK, WARD_LEADER}),
    (NEW, "refuse"): frozenset({WARD_DESK, WARD_LEADER}),
    (HANDED_OVER, "approve"): frozenset({DEPT_OFFICER, DEPT_LEADER}),
    (HANDED_OVER, "reject"): frozenset({DEPT_OFFICER, DEPT_LEADER}),
    (HANDED_OVER, "request_papers"): frozenset({DEPT_OFFICER, DEPT_LEADER}),
    (BACK, "return_result"): frozenset({WARD_DESK, WARD_LEADER}),
}
READERS = frozenset(CALLERS) - {OUTSIDER}


@pytest.fixture
def world() -> World:
    return World(DEMO_PROVINCE)


def staff(world: World, caller: str) -> Principal:
    agency, role = CALLERS[caller]
    return world.staff(agency, role, f"{role.value}.{agency}")


def at_stage(world: World, stage: str) -> str:
    """A dossier of the department's procedure filed at the ward's desk, brought to `stage`."""
    citizen = world.citizen()
    with world.api() as api:
        body = world.filing_request(citizen, DELEGATION).model_dump(mode="json") | {"desk": WARD}
        filed = api.call(
            "POST", "/v1/dossiers", citizen, body, Idempotency_Key=f"anywhere-{uuid.uuid4().hex}"
        )
    assert filed.status == 201, filed.body
    code: str = filed.body["code"]
    if stage in (HANDED_OVER, BACK):
        world.decide(staff(world, WARD_DESK), f"{code}-T1", "accept")
    if stage == BACK:
        world.decide(staff(world, DEPT_OFFICER), f"{code}-T1", "approve")
    return code


def decide(world: World, who: Principal, task_id: str, action: str) -> Reply:
    body = {"action": action} | (
        {"reason": "Thiếu giấy tờ"} if action in ("refuse", "reject", "request_papers") else {}
    )
    with world.api() as api:
        return api.call("POST", f"/v1/tasks/{task_id}/decision", who, body)


@pytest.mark.parametrize(("stage", "action"), list(MATRIX))
@pytest.mark.parametrize("caller", list(CALLERS))
def test_who_may_decide(world: World, stage: str, action: str, caller: str) -> None:
    code = at_stage(world, stage)
    answer = decide(world, staff(world, caller), f"{code}-T1", action)
    if caller in MATRIX[(stage, action)]:
        assert answer.status == 200, answer.body
    else:
        assert answer.status == 403, answer.body
        assert "error" in answer.body and code not in str(answer.body.get("task", ""))


def test_both_agencies_open_its_desk_task_and_only_the_holder_is_offered_actions(world: World) -> None:
    code = at_stage(world, HANDED_OVER)
    with world.api() as api:
        for caller in CALLERS:
            answer = api.call("GET", f"/v1/tasks/{code}-T1", staff(world, caller))
            assert answer.status == (200 if caller in READERS else 403), (caller, answer.status)
            if caller in READERS:
                offered = set(answer.body["task"]["allowed_actions"])
                assert bool(offered) is (caller in {DEPT_OFFICER, DEPT_LEADER}), (caller, offered)
        # the ward's desk accepting again (a double click) changes nothing and is not refused
        again = api.call(
            "POST", f"/v1/tasks/{code}-T1/decision", staff(world, WARD_DESK), {"action": "accept"}
        )
    assert again.status == 200, again.body


def test_both_agencies_read_it_and_see_where_it_is(world: World) -> None:
    code = at_stage(world, HANDED_OVER)
    with world.api() as api:
        for caller in CALLERS:
            answer = api.call("GET", f"/v1/dossiers/{code}", staff(world, caller))
            assert answer.status == (200 if caller in READERS else 403), (caller, answer.status)
            if caller in READERS:
                assert answer.body["agency"] == WARD
                assert answer.body["competent_agency"] == DEPARTMENT
                assert answer.body["competent_agency_name"] == "Sở Ngoại vụ"
                timeline = answer.body["timeline"][1:]
                sent = [(e["status"], e["agency"]) for e in timeline if e["action"] is None]
                assert sent == [(4, DEPARTMENT)]  # the hand-over, on the timeline


@pytest.mark.parametrize("caller", list(CALLERS))
def test_only_the_competent_agency_issues_the_result(world: World, caller: str) -> None:
    code = at_stage(world, BACK)
    with world.api() as api:
        answer = api.call("POST", f"/v1/dossiers/{code}/results", staff(world, caller), {"render": True})
    assert answer.status == (201 if caller in {DEPT_OFFICER, DEPT_LEADER} else 403), answer.body
    if answer.status == 201:
        assert answer.body["agency"] == DEPARTMENT


def test_a_desk_the_procedure_does_not_name_is_refused_in_both_languages(world: World) -> None:
    citizen = world.citizen()
    body = world.filing_request(citizen, DELEGATION).model_dump(mode="json") | {"desk": OTHER}
    with world.api() as api:
        vi = api.call("POST", "/v1/dossiers", citizen, body, Idempotency_Key="anywhere-refused-1")
        en = api.call(
            "POST", "/v1/dossiers", citizen, body, Idempotency_Key="anywhere-refused-2", Accept_Language="en"
        )
        procedure = api.call("GET", f"/v1/procedures/{DELEGATION}", Accept_Language="en")
    assert vi.status == en.status == 422, vi.body
    assert [f["field"] for f in vi.body["error"]["fields"]] == ["desk"]
    assert "không được tiếp nhận" in vi.body["error"]["message"]
    assert "cannot be received" in en.body["error"]["message"]
    assert [d["code"] for d in procedure.body["desks"]] == [DEPARTMENT, WARD, "000.01.02.H99"]
    assert procedure.body["receive_at"] == [WARD, "000.01.02.H99"]
