"""Receiving anywhere in the province on moto: a ward's desk receives a department's procedure, hands
it over, the department decides and signs, the result comes back to the ward's desk, which returns it."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.domain.codes import DossierCode
from motcua.domain.errors import Forbidden, InvalidInput
from motcua.domain.models import TaskState
from motcua.domain.status import Status
from motcua.services.inbox import Decision
from motcua.services.results import IssueResult
from tests.integration.conftest import filing_request
from tests.shown import decide, dossier, inbox, track

WARD, OTHER_WARD, DEPARTMENT = "000.01.01.H99", "000.01.03.H99", "000.00.06.H99"
DELEGATION = "2.002151"  # the department's procedure, received at two wards' desks too


@pytest.mark.signing
def test_a_ward_desk_receives_hands_over_and_returns_what_the_department_decides(
    container: Any, people: Any
) -> None:
    # Given a citizen who chose the ward's desk for a department's procedure
    an = people.citizen("an@example.vn")
    ward_desk = people.staff("tiepnhan.phuong", WARD, "receiver")
    ward_officer = people.staff("chuyenvien.phuong", WARD, "officer")
    department_desk = people.staff("tiepnhan.so", DEPARTMENT, "receiver")
    department_officer = people.staff("chuyenvien.so", DEPARTMENT, "officer")
    request = filing_request(container, an, DELEGATION).model_copy(update={"desk": WARD})

    # When the citizen files it
    filed = container.filing.file(an, request, "anywhere-0001").dossier

    # Then the code is the ward's, numbered in the ward's sequence, due by the procedure's days
    code = filed.code
    assert DossierCode.parse(code).agency == WARD
    assert (filed.agency, filed.competent_agency) == (WARD, DEPARTMENT)
    assert set(filed.agencies) == {WARD, DEPARTMENT}
    assert container.repository.last_sequence(WARD, DossierCode.parse(code).day) == 1
    assert container.repository.last_sequence(DEPARTMENT, DossierCode.parse(code).day) == 0
    assert filed.legal_days == container.province.procedures_by_code[DELEGATION].legal_days
    # and the ward's desk has it to accept; the department only sees it, and may not accept it
    assert [t.task_id for t in inbox(container, ward_desk, WARD).items] == [f"{code}-T1"]
    assert inbox(container, department_officer, DEPARTMENT).items == []
    assert dossier(container, department_officer, code).code == code
    with pytest.raises(Forbidden):
        container.inbox.decide(department_desk, f"{code}-T1", Decision(action="accept"))

    # When the ward's desk accepts it
    accepted = decide(container, ward_desk, f"{code}-T1", Decision(action="accept"))

    # Then it is handed over: the department's officers have the task, the ward's no longer
    assert accepted.status == Status.IN_PROCESS
    assert [t.task_id for t in inbox(container, department_officer, DEPARTMENT).items] == [f"{code}-T1"]
    assert inbox(container, ward_desk, WARD).items == []
    # the ward's own officers do not decide another agency's procedure
    with pytest.raises(Forbidden):
        container.inbox.decide(ward_officer, f"{code}-T1", Decision(action="approve"))

    # When the department's officer approves it and issues the signed result
    decide(container, department_officer, f"{code}-T1", Decision(action="approve"))
    with pytest.raises(Forbidden):  # the ward's desk does not sign the department's result
        container.results.issue(ward_officer, code, IssueResult(render=True), "vi")
    issued = container.results.issue(department_officer, code, IssueResult(render=True), "vi")

    # Then the result is the department's, and the dossier is back at the ward's desk
    assert issued.agency == DEPARTMENT and issued.result_code == f"{code}-KQ1"
    record = container.repository.get(code)
    assert record.dossier.status is Status.PROCESSED
    desk_task = record.task(f"{code}-T1")
    assert (desk_task.agency, desk_task.state) == (WARD, TaskState.OPEN)
    assert inbox(container, department_officer, DEPARTMENT).items == []
    with pytest.raises(Forbidden):  # the department does not return it: the citizen chose the ward
        container.inbox.decide(department_desk, f"{code}-T1", Decision(action="return_result"))

    # When the ward's desk returns it
    returned = decide(container, ward_desk, f"{code}-T1", Decision(action="return_result"))

    # Then it is returned, and the timeline shows the hand-over both ways
    assert returned.status == Status.RETURNED
    timeline = track(container, code).timeline
    assert [(e.status, e.action, e.agency) for e in timeline] == [
        (Status.SUBMITTED, None, WARD),
        (Status.ACCEPTED, "accept", WARD),
        (Status.IN_PROCESS, "accept", WARD),
        (Status.IN_PROCESS, None, DEPARTMENT),  # sent to the department
        (Status.PROCESSED, "approve", DEPARTMENT),
        (Status.PROCESSED, None, WARD),  # sent back to the ward's desk
        (Status.RETURNED, "return_result", WARD),
    ]


def test_a_desk_the_procedure_does_not_allow_is_refused_naming_the_field(container: Any, people: Any) -> None:
    an = people.citizen("binh@example.vn")
    request = filing_request(container, an, DELEGATION).model_copy(update={"desk": OTHER_WARD})

    with pytest.raises(InvalidInput) as refused:
        container.filing.file(an, request, "anywhere-0002")

    assert [(f.field, f.code) for f in refused.value.fields] == [("desk", "desk_not_allowed")]
    assert "không được tiếp nhận" in refused.value.message.vi
    assert "cannot be received" in refused.value.message.en
