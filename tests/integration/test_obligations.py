"""A financial obligation asked during processing (status 6) on moto and the sandbox gateway: the clock
stops, the citizen pays, the IPN resumes the dossier once; a cancel resumes it and a later payment is
flagged for refund (docs/payments.md)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

import pytest

from motcua.domain.errors import Forbidden, InvalidInput, InvalidTransition
from motcua.domain.models import TaskState
from motcua.domain.obligations import NoObligation, ObligationAlreadyPaid, ObligationCancel, ObligationRequest
from motcua.domain.payments import OrderState
from motcua.domain.status import Status
from motcua.services.inbox import Decision
from tests.integration.conftest import filing_request
from tests.integration.test_payments import Fresh, aws_requests_atomic, clock, people, sandbox, world

if TYPE_CHECKING:
    from infra.devstack.sandbox_gateway import SandboxGateway
    from motcua.container import Container
    from motcua.domain.models import Principal
    from tests.fakes.clock import FrozenClock

__all__ = ["aws_requests_atomic", "clock", "people", "sandbox", "world"]  # the payments module's world

BIRTH, CIVIL = "1.001193", "000.01.01.H99"  # free at filing; the commune's civil status desk
ASKED = ObligationRequest.model_validate(
    {
        "amount_vnd": 350000,
        "items": [
            {"name": "Lệ phí đăng ký", "amount_vnd": 50000},
            {"name": "Thuế thu nhập cá nhân", "amount_vnd": 300000},
        ],
        "reason": "Nghĩa vụ tài chính xác định trong quá trình giải quyết",
    }
)


def in_process(container: Container, people: Fresh) -> tuple[str, Principal, Principal]:
    """A dossier accepted by the desk (status 4), its owner and the desk's officer."""
    citizen = people.citizen("an@example.vn")
    desk = people.staff("civil.desk", CIVIL, "receiver")
    code = container.filing.file(
        citizen, filing_request(container, citizen, BIRTH), uuid.uuid4().hex
    ).dossier.code
    container.inbox.decide(desk, f"{code}-T1", Decision(action="accept"))
    return code, citizen, desk


def pay_params(container: Container, citizen: Principal, code: str) -> dict[str, str]:
    started = container.obligations.pay(citizen, code, client_ip="127.0.0.1", language="vi")
    return dict(parse_qsl(urlsplit(started.pay_url).query, keep_blank_values=True))


def test_status_6_stops_the_clock_and_the_ipn_resumes_the_dossier_once(
    sandbox: tuple[SandboxGateway, Container], people: Fresh, clock: FrozenClock
) -> None:
    gateway, container = sandbox
    code, citizen, desk = in_process(container, people)
    due_before = container.dossiers.load(code).dossier.due_at

    # Given an officer's request for 350,000 VND in two items
    asked = container.obligations.request(desk, f"{code}-T1", ASKED)
    record = container.dossiers.load(code)
    assert (record.dossier.status, record.task(f"{code}-T1").state) == (Status.FEES_DUE, TaskState.WAITING)  # type: ignore[union-attr]
    assert asked.can_pay is False and asked.can_cancel is True
    # The citizen is told, with the amount and the items
    seen = container.obligations.view(citizen, code)
    assert (seen.amount_vnd, len(seen.items), seen.can_pay) == (350000, 2, True)

    # When two working days pass (Tuesday → Thursday) and the sandbox confirms the payment
    clock.advance(timedelta(days=2))
    params = pay_params(container, citizen, code)
    assert params["vnp_Amount"] == "35000000"
    gateway.pay(params, "twice")

    # Then the dossier is in process again, its due date moved by the days it stood still, once
    after = container.dossiers.load(code)
    assert sorted(d.answer["RspCode"] for d in gateway.deliveries) == ["00", "02"]
    assert after.dossier.status is Status.IN_PROCESS
    assert after.dossier.days_paused == 2
    assert after.dossier.due_at > due_before
    assert after.task(f"{code}-T1").state is TaskState.OPEN  # type: ignore[union-attr]
    assert [e.action for e in after.events].count("fees_paid") == 1  # type: ignore[comparison-overlap]
    shown = container.obligations.view(citizen, code)
    assert (shown.state.value, shown.paid_by, shown.can_pay) == ("paid", params["vnp_TxnRef"], False)
    with pytest.raises(NoObligation):
        container.obligations.pay(citizen, code, client_ip="127.0.0.1", language="vi")


def test_a_cancel_resumes_the_dossier_and_a_payment_after_it_is_flagged_for_refund(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    code, citizen, desk = in_process(container, people)
    container.obligations.request(desk, f"{code}-T1", ASKED)
    params = pay_params(container, citizen, code)  # the citizen is at the gateway…

    cancelled = container.obligations.cancel(desk, f"{code}-T1", ObligationCancel(reason="Miễn thuế"))
    version = container.dossiers.load(code).dossier.version
    gateway.pay(params, "success")  # …and pays after the cancel

    assert cancelled.state.value == "cancelled"
    assert container.dossiers.load(code).dossier.status is Status.IN_PROCESS
    assert container.dossiers.load(code).dossier.version == version  # the late payment resumed nothing
    assert container.payments.store.order(params["vnp_TxnRef"]).state is OrderState.REFUND_DUE  # type: ignore[union-attr]
    assert container.payments.order_view(citizen, params["vnp_TxnRef"]).shown == "refund_due"
    again = container.obligations.cancel(desk, f"{code}-T1", ObligationCancel(reason="Miễn thuế"))
    assert again.state.value == "cancelled"  # a retry of the cancel changes nothing
    assert container.dossiers.load(code).dossier.version == version


def test_a_paid_obligation_cannot_be_cancelled(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    code, citizen, desk = in_process(container, people)
    container.obligations.request(desk, f"{code}-T1", ASKED)
    gateway.pay(pay_params(container, citizen, code), "success")

    with pytest.raises(ObligationAlreadyPaid):
        container.obligations.cancel(desk, f"{code}-T1", ObligationCancel())


def test_the_items_must_add_up_and_the_dossier_must_be_in_process(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    _, container = sandbox
    code, citizen, desk = in_process(container, people)
    wrong = ASKED.model_copy(update={"amount_vnd": 360000})

    with pytest.raises(InvalidInput) as error:
        container.obligations.request(desk, f"{code}-T1", wrong)
    assert [f.field for f in error.value.fields] == ["amount_vnd"]
    fresh = people.citizen("binh@example.vn")
    new = container.filing.file(fresh, filing_request(container, fresh, BIRTH), uuid.uuid4().hex).dossier.code
    with pytest.raises(InvalidTransition):
        container.obligations.request(desk, f"{new}-T1", ASKED)
    with pytest.raises(Forbidden):
        container.obligations.request(people.staff("other", "000.00.21.H99", "receiver"), f"{code}-T1", ASKED)
    with pytest.raises(Forbidden):
        container.obligations.pay(fresh, code, client_ip="127.0.0.1", language="vi")
