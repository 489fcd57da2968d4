"""Inter-agency flows end to end on moto: state machines run, routing makes tasks, officers decide."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from motcua.container import use
from motcua.domain.models import TaskKind, TaskState
from motcua.domain.status import Status
from motcua.services.tasks import Decision
from tests.integration.conftest import filing_request
from tests.integration.flows import Router

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
    accepted = container.tasks.decide(desk, f"{code}-T1", Decision(action="accept"), "vi")
    assert accepted.status == 4 and accepted.task.state == "waiting"

    # When the flow hands it to Finance's review, then to the tax office
    step1 = router.until(lambda: open_task(container, code, f"{code}-T1.1"))
    assert (step1.agency, step1.kind) == (FINANCE, TaskKind.STEP)
    inbox = container.tasks.inbox(reviewer, FINANCE, limit=10, token=None, language="vi").items
    assert [t.task_id for t in inbox] == [f"{code}-T1.1"]
    container.tasks.decide(reviewer, step1.task_id, Decision(action="approve"), "vi")

    step2 = router.until(lambda: open_task(container, code, f"{code}-T2.1"))
    assert step2.agency == TAX
    # the tax office may now read the dossier it was asked about
    assert container.dossiers.get(tax, code, "vi").code == code
    container.tasks.decide(tax, step2.task_id, Decision(action="approve"), "vi")

    # Then the dossier comes back to the desk, processed, and the desk returns the result
    back = router.until(
        lambda: open_task(container, code, f"{code}-T1") or task(container, code, f"{code}-T1")
    )
    router.until(lambda: container.repository.get(code).dossier.status is Status.PROCESSED)
    record = container.repository.get(code)
    assert record.task(f"{code}-T1").state is TaskState.OPEN
    assert back.agency == FINANCE
    returned = container.tasks.decide(desk, f"{code}-T1", Decision(action="return_result"), "vi")
    assert returned.status == 10
    timeline = container.dossiers.track(code, "vi").timeline
    assert [e.agency for e in timeline if e.action is None] == [FINANCE, FINANCE, TAX]
    assert [e.status for e in timeline][-2:] == [9, 10]
