"""Refunds on moto and the sandbox gateway: a refused dossier's fee, a payment made twice, two officers at
once, a gateway failure tried again, a crash between our write and the gateway's answer, and what may
not be refunded (docs/payments.md, "Refunds")."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from motcua.domain.errors import DomainError, Forbidden, InvalidInput
from motcua.domain.events import Event, event_for
from motcua.domain.payments import OrderState
from motcua.domain.permissions import RoleRequired
from motcua.domain.refunds import RefundExists, RefundNotAllowed, RefundRequest, RefundState
from motcua.domain.status import Status
from motcua.services.inbox import Decision
from motcua.services.notifying import messages_for
from tests.integration import test_payments as paying
from tests.integration.test_payments import DRIVING, Fresh, file_and_start

if TYPE_CHECKING:
    from infra.devstack.sandbox_gateway import SandboxGateway
    from motcua.container import Container
    from motcua.domain.models import Principal
    from tests.fakes.clock import FrozenClock

POLICE = "000.00.21.H99"  # receives the driving licence renewals (135,000 VND, paid at filing)
# The payments module's moto world and its sandbox gateway on loopback (one per module).
world, sandbox, people, clock = paying.world, paying.sandbox, paying.people, paying.clock
aws_requests_atomic = paying.aws_requests_atomic
WHY = RefundRequest(reason="Hồ sơ không được tiếp nhận: phí được hoàn")


def paid_and_refused(
    gateway: SandboxGateway, container: Container, people: Fresh
) -> tuple[str, str, Principal, Principal]:
    """A driving licence renewal paid in the sandbox, then refused by the desk.

    Returns the dossier's code, the order, the citizen and the desk officer."""
    citizen = people.citizen("an@example.vn")
    desk = people.staff("police.desk", POLICE, "receiver")
    code, params = file_and_start(container, citizen, DRIVING)
    gateway.pay(params, "success")
    container.inbox.decide(desk, f"{code}-T1", Decision(action="refuse", reason="Thiếu giấy khám sức khỏe"))
    return code, params["vnp_TxnRef"], citizen, desk


def test_a_refused_dossiers_paid_fee_is_refunded_through_the_gateway_and_the_citizen_is_told(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    code, ref, citizen, desk = paid_and_refused(gateway, container, people)
    assert container.refunds.payments_of(desk, code).items[0].can_refund

    done = container.refunds.refund(desk, ref, WHY, client_ip="127.0.0.1")

    # The gateway took a whole refund (02) of 135,000 VND, created by the officer.
    assert done.refund is not None
    assert (done.refund.state, done.refund.amount_vnd, done.refund.full) == (RefundState.DONE, 135000, True)
    assert (done.refund.response_code, done.refund.by) == ("00", desk.username)
    assert gateway.transactions[ref].refunded == 135000 and gateway.transactions[ref].status == "05"
    # The applicant sees it refunded, with the amount; no one may refund it again.
    seen = container.refunds.payments_of(citizen, code)
    assert seen.refunded_vnd == 135000 and seen.items[0].refund is not None and not seen.items[0].can_refund
    with pytest.raises(RefundExists):
        container.refunds.refund(desk, ref, WHY, client_ip="127.0.0.1")
    # The dossier's audit trail says so, and that entry is the citizen's `refunded` message with the amount.
    entry = container.repository.audit_trail(code)[-1]
    assert (entry.action, entry.status_after, event_for(entry)) == ("refund", Status.REFUSED, Event.REFUNDED)
    record = container.repository.get(code)
    assert record is not None
    sent = messages_for(container.province, container.presenter, record.dossier, entry, Event.REFUNDED)
    email = next(m for m in sent if m.channel == "email")
    assert "135.000 đồng" in email.text and WHY.reason in email.text and email.template == "v1/refunded"


def test_a_second_payment_of_a_paid_fee_is_refunded_while_the_first_is_not(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    citizen = people.citizen("an@example.vn")
    leader = people.staff("police.leader", POLICE, "leader")
    code, first = file_and_start(container, citizen, DRIVING)
    started = container.payments.start(citizen, code, client_ip="127.0.0.1", language="vi")
    second = dict(parse_qsl(urlsplit(started.pay_url).query))
    gateway.pay(first, "success")
    gateway.pay(second, "success")  # paid twice: the second is flagged refund_due
    listed = {i.ref: i for i in container.refunds.payments_of(leader, code).items}
    assert (
        listed[second["vnp_TxnRef"]].state is OrderState.REFUND_DUE
        and listed[second["vnp_TxnRef"]].can_refund
    )
    assert not listed[first["vnp_TxnRef"]].can_refund  # the dossier is not refused: its fee stays paid

    done = container.refunds.refund(leader, second["vnp_TxnRef"], WHY, client_ip="127.0.0.1")
    with pytest.raises(RefundNotAllowed) as refused:
        container.refunds.refund(leader, first["vnp_TxnRef"], WHY, client_ip="127.0.0.1")

    assert done.refund is not None and done.refund.state is RefundState.DONE
    assert refused.value.code == "refund_not_allowed" and "Mới đăng ký (1)" in refused.value.message.vi
    assert "(1)" in refused.value.message.en and "(3)" in refused.value.message.en
    assert gateway.transactions[first["vnp_TxnRef"]].refunded == 0


def test_two_officers_at_once_make_one_refund_and_the_other_is_told_it_exists(
    sandbox: tuple[SandboxGateway, Container], people: Fresh, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway, container = sandbox
    code, ref, _, desk = paid_and_refused(gateway, container, people)
    leader = people.staff("police.leader", POLICE, "leader")
    outcomes: list[Any] = []
    calls: list[str] = []
    answer = gateway.api

    def counted(body: dict[str, Any]) -> dict[str, Any]:
        calls.append(str(body.get("vnp_Command")))
        return answer(body)

    monkeypatch.setattr(gateway, "api", counted)

    def refund(who: Principal) -> None:
        try:
            outcomes.append(container.refunds.refund(who, ref, WHY, client_ip="127.0.0.1"))
        except DomainError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=refund, args=(who,)) for who in (desk, leader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(type(o).__name__ for o in outcomes) == ["DossierPayment", "RefundExists"]
    assert [e.code for e in outcomes if isinstance(e, DomainError)] == ["refund_exists"]
    assert calls == ["refund"] and gateway.transactions[ref].refunded == 135000  # one call, once


def test_a_gateway_failure_leaves_it_failed_with_its_code_and_the_retry_goes_through(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    code, ref, citizen, desk = paid_and_refused(gateway, container, people)
    gateway.refund_failures.append("99")

    failed = container.refunds.refund(desk, ref, WHY, client_ip="127.0.0.1")
    assert failed.refund is not None
    assert (failed.refund.state, failed.refund.response_code, failed.can_refund) == (
        RefundState.FAILED,
        "99",
        True,
    )
    assert gateway.transactions[ref].refunded == 0
    assert container.refunds.payments_of(citizen, code).refunded_vnd == 0
    first_request = container.refunds.store.order_with_refund(ref)[1].request_id  # type: ignore[index,union-attr]

    again = container.refunds.refund(desk, ref, WHY, client_ip="127.0.0.1")

    assert again.refund is not None
    assert (again.refund.state, again.refund.attempt, again.refund.response_code) == (
        RefundState.DONE,
        2,
        "00",
    )
    # A new request, with its own id: an id is never used for two different requests.
    assert container.refunds.store.order_with_refund(ref)[1].request_id != first_request  # type: ignore[index,union-attr]
    assert gateway.transactions[ref].refunded == 135000
    assert container.refunds.payments_of(citizen, code).refunded_vnd == 135000


def test_a_crash_between_our_write_and_the_gateways_answer_is_finished_by_the_retry_without_a_second_refund(
    sandbox: tuple[SandboxGateway, Container],
    people: Fresh,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gateway, container = sandbox
    code, ref, citizen, desk = paid_and_refused(gateway, container, people)
    store = container.refunds.store

    def dies(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the function stopped")

    with monkeypatch.context() as patch:
        patch.setattr(store, "finish", dies)
        with pytest.raises(RuntimeError):
            container.refunds.refund(desk, ref, WHY, client_ip="127.0.0.1")
    assert gateway.transactions[ref].refunded == 135000  # the gateway took it; our record says requested
    assert store.order_with_refund(ref)[1].state is RefundState.REQUESTED  # type: ignore[index,union-attr]
    with pytest.raises(RefundExists):  # a moment later it may still be on its way
        container.refunds.refund(desk, ref, WHY, client_ip="127.0.0.1")

    assert not container.refunds.payments_of(desk, code).items[0].can_refund
    clock.advance(timedelta(minutes=3))
    assert container.refunds.payments_of(desk, code).items[0].can_refund  # offered again: cut short
    finished = container.refunds.refund(desk, ref, WHY, client_ip="127.0.0.1")

    assert finished.refund is not None and finished.refund.state is RefundState.DONE
    assert gateway.transactions[ref].refunded == 135000  # asked once: querydr showed it under way
    assert container.refunds.payments_of(citizen, code).refunded_vnd == 135000


def test_what_may_not_be_refunded_is_refused_saying_why(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    citizen = people.citizen("an@example.vn")
    desk = people.staff("police.desk", POLICE, "receiver")
    officer = people.staff("police.officer", POLICE, "officer")
    stranger = people.staff("finance.desk", "000.00.01.H99", "receiver")
    code, params = file_and_start(container, citizen, DRIVING)
    ref = params["vnp_TxnRef"]
    with pytest.raises(RefundNotAllowed) as unpaid:  # never paid
        container.refunds.refund(desk, ref, WHY, client_ip="127.0.0.1")
    gateway.pay(params, "success")
    container.inbox.decide(desk, f"{code}-T1", Decision(action="accept"))

    with pytest.raises(RefundNotAllowed) as accepted:  # the dossier was accepted: its fee is not returned
        container.refunds.refund(desk, ref, WHY, client_ip="127.0.0.1")
    with pytest.raises(RoleRequired):
        container.refunds.refund(officer, ref, WHY, client_ip="127.0.0.1")
    with pytest.raises(Forbidden):
        container.refunds.refund(stranger, ref, WHY, client_ip="127.0.0.1")

    assert "never confirmed" in unpaid.value.message.en and "chưa được xác nhận" in unpaid.value.message.vi
    assert "Đang xử lý (4)" in accepted.value.message.vi and "(3)" in accepted.value.message.en
    assert gateway.transactions[ref].refunded == 0


def test_a_refund_larger_than_the_payment_is_refused_naming_the_amount(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    _, ref, _, desk = paid_and_refused(gateway, container, people)

    with pytest.raises(InvalidInput) as error:
        container.refunds.refund(
            desk, ref, RefundRequest(reason="Hoàn phí", amount_vnd=200000), client_ip="127.0.0.1"
        )
    part = container.refunds.refund(
        desk, ref, RefundRequest(reason="Hoàn một phần", amount_vnd=35000), client_ip="127.0.0.1"
    )

    assert [f.field for f in error.value.fields] == ["amount_vnd"] and "200,000" in error.value.message.en
    assert part.refund is not None and (part.refund.full, part.refund.amount_vnd) == (False, 35000)
    assert gateway.transactions[ref].refunded == 35000
