"""Status 6 (a financial obligation) on the in-memory world: the clock stands still as for papers,
the IPN resumes the dossier, the API's answers (docs/payments.md)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from motcua.adapters.vnpay import signed_query
from motcua.domain.errors import InvalidTransition
from motcua.domain.obligations import ObligationRequest
from motcua.domain.roles import Role
from motcua.domain.status import Action, Status, plan
from motcua.services.citizens import Supplement
from tests.conftest import DEMO_PROVINCE
from tests.fakes.payments import TEST_CREDENTIALS
from tests.fakes.world import World

pytestmark = pytest.mark.offline

BIRTH, CIVIL = "1.001193", "000.01.01.H99"
ASKED = {
    "amount_vnd": 350000,
    "items": [
        {"name": "Lệ phí đăng ký", "amount_vnd": 50000},
        {"name": "Thuế thu nhập cá nhân", "amount_vnd": 300000},
    ],
    "reason": "Nghĩa vụ tài chính xác định trong quá trình giải quyết",
}


@pytest.fixture
def world() -> World:
    return World(DEMO_PROVINCE)


def accepted(world: World) -> str:
    code = world.file(world.citizen(), BIRTH).code
    world.decide(world.staff(CIVIL, Role.RECEIVER), f"{code}-T1", "accept")
    return code


def paid_by_ipn(world: World, code: str) -> dict[str, str]:
    """The owner pays and the gateway's signed IPN confirms it; the IPN's parameters."""
    started = world.container.obligations.pay(world.owner(code), code, client_ip="127.0.0.1", language="vi")
    params = dict(parse_qsl(urlsplit(started.pay_url).query))
    notice = {
        "vnp_Amount": params["vnp_Amount"],
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TransactionNo": "14000001",
        "vnp_TmnCode": params["vnp_TmnCode"],
        "vnp_TxnRef": params["vnp_TxnRef"],
    }
    signed = dict(parse_qsl(signed_query(notice, TEST_CREDENTIALS.hash_secret)))
    answer = world.container.payments.notify(signed)
    assert answer.value == "00"
    return signed


def test_status_6_is_reached_from_processing_and_left_back_to_it() -> None:
    assert plan(Action.REQUEST_FEES, Status.IN_PROCESS) == (Status.FEES_DUE,)
    assert plan(Action.FEES_PAID, Status.FEES_DUE) == (Status.IN_PROCESS,)
    assert plan(Action.CANCEL_FEES, Status.FEES_DUE) == (Status.IN_PROCESS,)
    assert Status.FEES_DUE.clock_stopped
    with pytest.raises(InvalidTransition):
        plan(Action.REQUEST_FEES, Status.SUBMITTED)
    with pytest.raises(InvalidTransition):
        plan(Action.FEES_PAID, Status.IN_PROCESS)


def test_the_days_waiting_for_the_payment_are_counted_as_for_papers(world: World) -> None:
    # Given two dossiers in process, one asked for papers and one for fees, the same Tuesday
    officer = world.staff(CIVIL, Role.OFFICER)
    papers, fees = accepted(world), accepted(world)
    world.decide(officer, f"{papers}-T1", "request_papers", "Bản sao giấy chứng sinh")
    with world.api() as api:
        asked = api.call("POST", f"/v1/tasks/{fees}-T1/obligation", officer, ASKED)
    assert asked.status == 201, asked.body
    assert world.record(fees).dossier.status is Status.FEES_DUE

    # When both are answered on Friday: the papers added, the fees paid through the gateway
    world.clock.advance(timedelta(days=3))
    owner = world.owner(papers)
    world.container.citizen_actions.supplement(
        owner, papers, Supplement.model_validate(world.papers(owner, papers))
    )
    paid_by_ipn(world, fees)

    # Then both clocks stood still for the same working days, and both are in process again
    by_papers, by_fees = world.record(papers).dossier, world.record(fees).dossier
    assert by_fees.status is Status.IN_PROCESS
    assert by_fees.days_paused == by_papers.days_paused == 3
    assert by_fees.due_at == by_papers.due_at
    assert world.task(fees, f"{fees}-T1").state.value == "open"


def test_the_applicant_is_told_the_amount_and_sees_the_items(world: World) -> None:
    code = accepted(world)
    owner = world.owner(code)
    with world.api() as api:
        api.call("POST", f"/v1/tasks/{code}-T1/obligation", world.staff(CIVIL, Role.RECEIVER), ASKED)
        shown = api.call("GET", f"/v1/dossiers/{code}/obligation", owner)

    sent = world.deliver()

    assert shown.status == 200
    assert (shown.body["amount_vnd"], shown.body["state"], shown.body["can_pay"]) == (350000, "due", True)
    assert [i["name"] for i in shown.body["items"]] == ["Lệ phí đăng ký", "Thuế thu nhập cá nhân"]
    mail = [m for m in sent if m.channel == "email"][-1]
    assert "350.000 đồng" in mail.text and "Lệ phí đăng ký: 50.000 đồng" in mail.text


def test_the_api_names_the_field_and_refuses_the_wrong_status(world: World) -> None:
    officer = world.staff(CIVIL, Role.RECEIVER)
    code = accepted(world)
    new = world.file(world.citizen(), BIRTH).code
    with world.api() as api:
        wrong_sum = api.call("POST", f"/v1/tasks/{code}-T1/obligation", officer, ASKED | {"amount_vnd": 1})
        not_in_process = api.call("POST", f"/v1/tasks/{new}-T1/obligation", officer, ASKED)
        nothing_due = api.call("POST", f"/v1/dossiers/{code}/obligation/payments", world.owner(code), {})
        en = api.call(
            "POST",
            f"/v1/tasks/{code}-T1/obligation",
            officer,
            ASKED | {"amount_vnd": 1},
            Accept_Language="en",
        )

    assert wrong_sum.status == 422
    assert [f["field"] for f in wrong_sum.body["error"]["fields"]] == ["amount_vnd"]
    assert "tổng các khoản" in wrong_sum.body["error"]["message"]
    assert "sum of the items" in en.body["error"]["message"]
    assert (not_in_process.status, not_in_process.error_code) == (409, "invalid_transition")
    assert (nothing_due.status, nothing_due.error_code) == (409, "no_obligation_due")


def test_a_repeated_ipn_resumes_the_dossier_once(world: World) -> None:
    code = accepted(world)
    world.container.obligations.request(
        world.staff(CIVIL, Role.RECEIVER), f"{code}-T1", ObligationRequest.model_validate(ASKED)
    )
    notice = paid_by_ipn(world, code)
    version = world.record(code).dossier.version

    again = world.container.payments.notify(notice)  # the gateway sends it again
    world.container.obligations.settled_fee(code, world.record(code).dossier.obligation.fee)  # type: ignore[union-attr]

    assert again.value == "02"
    assert world.record(code).dossier.version == version
    assert world.record(code).dossier.obligation.state.value == "paid"  # type: ignore[union-attr]
