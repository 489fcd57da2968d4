"""A financial obligation asked during processing (status 6) on moto and the sandbox gateway: the clock
stops, the citizen pays, the IPN resumes the dossier once; a cancel resumes it and a later payment is
flagged for refund (docs/payments.md)."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from motcua.adapters import clients
from motcua.domain.changes import seal
from motcua.domain.errors import Forbidden, InvalidInput, InvalidTransition
from motcua.domain.models import TaskState
from motcua.domain.obligations import NoObligation, ObligationAlreadyPaid, ObligationCancel, ObligationRequest
from motcua.domain.payments import OrderState
from motcua.domain.status import Action, Status
from motcua.services.auditing import record as record_change
from motcua.services.inbox import Decision
from tests.conftest import REGION
from tests.integration.conftest import filing_request
from tests.integration.faults import DiesAfter, Refusals
from tests.integration.test_payments import (
    Fresh,
    aws_requests_atomic,
    clock,
    people,
    resign,
    sandbox,
    world,
)

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


# --- the IPN's one transaction: the payment and the resume, both or neither ---------------------


def waiting(container: Container, people: Fresh) -> tuple[str, Principal, dict[str, str]]:
    """A dossier in status 6 for ASKED, its owner, and the parameters of an order to pay it."""
    code, citizen, desk = in_process(container, people)
    container.obligations.request(desk, f"{code}-T1", ASKED)
    return code, citizen, pay_params(container, citizen, code)


def at_once(container: Container, notices: list[dict[str, str]]) -> list[str]:
    """Each notice handed to the payment service by its own thread, all at the same moment; the answers."""
    answers: list[str] = []

    def send(notice: dict[str, str]) -> None:
        answers.append(container.payments.notify(notice).value)

    threads = [threading.Thread(target=send, args=(notice,)) for notice in notices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def paid_once(container: Container, code: str, ref: str) -> None:
    """The dossier is in process again, resumed by exactly one change, and the fee paid by `ref`."""
    record = container.dossiers.load(code)
    assert record.dossier.status is Status.IN_PROCESS
    assert [e.action for e in record.events].count(Action.FEES_PAID) == 1
    audit = [entry.action for entry in container.repository.audit_trail(code)]
    assert audit.count("fees_paid") == 1
    assert record.task(f"{code}-T1").state is TaskState.OPEN  # type: ignore[union-attr]
    assert record.dossier.obligation.paid_by == ref  # type: ignore[union-attr]
    assert container.payments.store.order(ref).state is OrderState.PAID  # type: ignore[union-attr]


def test_parallel_ipns_for_one_obligation_pay_it_and_resume_the_dossier_once(
    sandbox: tuple[SandboxGateway, Container], people: Fresh, aws_requests_atomic: Any
) -> None:
    _, container = sandbox
    code, _, params = waiting(container, people)
    notice = dict(parse_qsl(resign(container, params)))

    answers = at_once(container, [notice] * 6)

    assert sorted(answers) == ["00", "02", "02", "02", "02", "02"]
    paid_once(container, code, params["vnp_TxnRef"])


def test_a_refused_write_changes_nothing_and_the_gateway_s_next_copy_pays_and_resumes(
    sandbox: tuple[SandboxGateway, Container], people: Fresh, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway, container = sandbox
    code, _, params = waiting(container, people)
    version = container.dossiers.load(code).dossier.version

    # When the IPN's transaction is throttled through every retry of the SDK
    Refusals(monkeypatch, "dynamodb", "TransactWriteItems", "ProvisionedThroughputExceededException", times=5)
    query = gateway.pay(params, "success").split("?", 1)[1]

    # Then the gateway is answered 99 and nothing is written: not the payment, not the resume
    assert [d.answer["RspCode"] for d in gateway.deliveries] == ["99"]
    assert container.payments.store.order(params["vnp_TxnRef"]).state is OrderState.PENDING  # type: ignore[union-attr]
    assert container.dossiers.load(code).dossier.version == version
    assert container.dossiers.load(code).dossier.status is Status.FEES_DUE

    # When the gateway sends it again (and once more after that)
    gateway.notify(query, params["vnp_TxnRef"])
    gateway.notify(query, params["vnp_TxnRef"])

    # Then the payment and the resume are written together, once
    assert [d.answer["RspCode"] for d in gateway.deliveries] == ["99", "00", "02"]
    paid_once(container, code, params["vnp_TxnRef"])


def test_a_function_that_dies_after_the_write_loses_nothing(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    code, _, params = waiting(container, people)

    # When the function dies right after the IPN's transaction, before it answers the gateway
    DiesAfter(clients.client("dynamodb", REGION), "TransactWriteItems")
    query = gateway.pay(params, "success").split("?", 1)[1]
    assert [d.answer["RspCode"] for d in gateway.deliveries] == ["99"]  # what the gateway heard

    # Then the payment and the resume are there already; the gateway's next copy changes nothing
    paid_once(container, code, params["vnp_TxnRef"])
    version = container.dossiers.load(code).dossier.version
    gateway.notify(query, params["vnp_TxnRef"])
    assert gateway.deliveries[-1].answer["RspCode"] == "02"
    assert container.dossiers.load(code).dossier.version == version
    paid_once(container, code, params["vnp_TxnRef"])


def test_a_dossier_written_between_the_ipn_s_read_and_its_write_is_read_again(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    code, _, params = waiting(container, people)
    dynamodb = clients.client("dynamodb", REGION)
    raced: list[int] = []

    def officer_writes_first(**_: Any) -> None:
        # Another writer's change lands just before the IPN's transaction (a note on the dossier)
        if raced:
            return
        raced.append(1)
        dossier = container.repository.get(code).dossier  # type: ignore[union-attr]
        note = record_change(
            None, "note", before=dossier.status, after=dossier, at=container.clock.now(), reason="ghi chú"
        )
        container.repository.apply(seal(dossier, dossier, note))

    dynamodb.meta.events.register_first("before-call.dynamodb.TransactWriteItems", officer_writes_first)
    try:
        gateway.pay(params, "success")
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.TransactWriteItems", officer_writes_first)

    # Then the IPN's first write met the new version and wrote nothing; read again, it paid and resumed
    assert raced == [1]
    assert [d.answer["RspCode"] for d in gateway.deliveries] == ["00"]
    paid_once(container, code, params["vnp_TxnRef"])
    assert "note" in [entry.action for entry in container.repository.audit_trail(code)]


def test_two_orders_of_one_obligation_paid_at_once_pay_it_once_and_the_other_is_refunded(
    sandbox: tuple[SandboxGateway, Container], people: Fresh, aws_requests_atomic: Any
) -> None:
    _, container = sandbox
    # The citizen opened the gateway twice and paid in both windows
    code, citizen, first = waiting(container, people)
    second = pay_params(container, citizen, code)

    answers = at_once(container, [dict(parse_qsl(resign(container, params))) for params in (first, second)])

    assert answers == ["00", "00"]  # both payments are recorded
    orders = [container.payments.store.order(params["vnp_TxnRef"]) for params in (first, second)]
    states = {order.ref: order.state for order in orders if order is not None}
    assert sorted(states.values()) == [OrderState.PAID, OrderState.REFUND_DUE]
    paid = next(ref for ref, state in states.items() if state is OrderState.PAID)
    paid_once(container, code, paid)
