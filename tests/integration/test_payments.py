"""Fees paid online on moto and the sandbox gateway: every IPN case gets the protocol's answer and
changes only what it should; one fee is never paid twice (docs/payments.md)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from infra.devstack.sandbox_gateway import CHOOSE_PATH, SandboxGateway
from motcua.adapters import clients
from motcua.adapters.vnpay import SecretsManagerCredentials, signed_query
from motcua.domain.errors import Forbidden
from motcua.domain.payments import DossierClosed, FeePaid, FeeUnpaid, NoFeeToPay, OrderState
from motcua.domain.status import Status
from motcua.services.inbox import Decision
from tests.conftest import DEMO_PROVINCE, REGION
from tests.fakes.clock import FrozenClock
from tests.integration.conftest import People, filing_request

if TYPE_CHECKING:
    from collections.abc import Iterator

    from motcua.container import Container
    from motcua.domain.models import Principal

DRIVING = "3.000347"  # driving licence renewal: 135,000 VND paid at filing, the desk waits for it
BIRTH = "1.001193"  # free


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[SandboxGateway, Container, People, FrozenClock]]:
    """One moto world for the module (provisioning is most of a test's time), with the sandbox on a
    free loopback port whose IPNs go to the payment service; each test files for a new citizen."""
    import os

    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    from infra.devstack import moto_patches
    from infra.devstack.provision import provision
    from motcua.config.province import load_province
    from motcua.config.settings import Settings
    from motcua.container import build_container

    moto_patches.apply()
    clients.reset()
    lock = threading.Lock()
    original = BotocoreStubber.__call__

    def atomic(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        # Each request atomic, as on AWS, so that parallel IPNs race between requests, not inside one
        # (tests/conftest.py's aws_requests_atomic, for the whole module).
        with lock:
            return original(self, event_name, request, **kwargs)

    with pytest.MonkeyPatch.context() as patch, mock_aws():
        patch.setattr(BotocoreStubber, "__call__", atomic)
        outputs = provision(
            clients=lambda name: clients.client(name, REGION),
            province=load_province(DEMO_PROVINCE),
            prefix="motcua-pay",
            region=REGION,
            cors_origins=["http://127.0.0.1:8000"],
            signing=False,
        )
        env = outputs.environment() | {
            "MOTCUA_PROVINCE_FILE": str(DEMO_PROVINCE),
            "MOTCUA_PORTAL_URL": "http://127.0.0.1:8000",
        }
        for name, value in env.items():
            patch.setenv(name, value)
        settings = Settings()  # type: ignore[call-arg]
        clock = FrozenClock()
        holder: dict[str, Container] = {}
        gateway = SandboxGateway(
            credentials=SecretsManagerCredentials(
                clients.client("secretsmanager", REGION), settings.payment_secret
            ),
            ipn_url="http://127.0.0.1:9/unused",
            late_seconds=0.2,
            deliver=lambda query: _answer(holder["container"], query),
        )
        gateway.start()
        try:
            container = build_container(
                settings.model_copy(update={"payment_gateway_url": gateway.url}), clock=clock
            )
            holder["container"] = container
            assert os.environ["MOTCUA_PAYMENT_SECRET"] == settings.payment_secret
            yield gateway, container, People(container, outputs), clock
        finally:
            gateway.stop()
    clients.reset()


@pytest.fixture
def sandbox(world: tuple[SandboxGateway, Container, People, FrozenClock]) -> tuple[SandboxGateway, Container]:
    gateway, container, _, clock = world
    gateway.deliveries.clear()
    clock.set(FrozenClock().now())
    return gateway, container


@pytest.fixture
def people(world: tuple[SandboxGateway, Container, People, FrozenClock]) -> Fresh:
    return Fresh(world[2])


@pytest.fixture
def clock(world: tuple[SandboxGateway, Container, People, FrozenClock]) -> FrozenClock:
    return world[3]


@pytest.fixture
def aws_requests_atomic() -> None:
    """The module's world makes every request atomic already."""


class Fresh:
    """A new citizen or officer per call: the module's tests share one user pool."""

    def __init__(self, people: Fresh) -> None:
        self.people = people

    def citizen(self, email: str, name: str = "Nguyễn Văn An", **kwargs: Any) -> Principal:
        return self.people.citizen(f"{uuid.uuid4().hex[:8]}.{email}", name, **kwargs)

    def staff(self, username: str, agency: str, role: str = "officer") -> Principal:
        return self.people.staff(f"{username}.{uuid.uuid4().hex[:6]}", agency, role)


def _answer(container: Container, query: str) -> dict[str, Any]:
    answer = container.payments.notify(dict(parse_qsl(query, keep_blank_values=True)))
    return {"RspCode": answer.value, "Message": answer.message}


def file_and_start(
    container: Container, citizen: Principal, procedure: str = DRIVING
) -> tuple[str, dict[str, str]]:
    dossier = container.filing.file(
        citizen, filing_request(container, citizen, procedure), uuid.uuid4().hex
    ).dossier
    started = container.payments.start(citizen, dossier.code, client_ip="127.0.0.1", language="vi")
    return dossier.code, dict(parse_qsl(urlsplit(started.pay_url).query, keep_blank_values=True))


def resign(container: Container, params: dict[str, str], **changes: str) -> str:
    """A notice the gateway could have sent (signed with the merchant's secret), with `changes`."""
    result = {
        "vnp_Amount": params["vnp_Amount"],
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TransactionNo": "99000001",
        "vnp_TmnCode": params["vnp_TmnCode"],
        "vnp_TxnRef": params["vnp_TxnRef"],
    } | changes
    secret = SecretsManagerCredentials(
        clients.client("secretsmanager", REGION), container.settings.payment_secret
    )().hash_secret
    return signed_query(result, secret)


def fee_of(container: Container, code: str) -> Any:
    return container.payments.store.dossier_and_fee(code, "filing")[1]


def test_a_successful_payment_is_recorded_by_the_ipn_and_shown_as_paid(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    citizen = people.citizen("an@example.vn")
    code, params = file_and_start(container, citizen)
    assert params["vnp_Amount"] == "13500000"

    back = gateway.pay(params, "success")

    assert [d.answer["RspCode"] for d in gateway.deliveries] == ["00"]
    assert back.startswith(container.payments.return_url + "?")
    view = container.payments.order_view(citizen, params["vnp_TxnRef"])
    assert (view.shown, view.transaction_no, view.can_pay) == (
        "paid",
        gateway.transactions[params["vnp_TxnRef"]].number,
        False,
    )
    fee = container.payments.fee_view(citizen, code)
    assert fee.paid and fee.amount_vnd == 135000 and not fee.can_pay


def test_the_desk_sees_whether_the_fee_is_paid(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    citizen = people.citizen("an@example.vn")
    desk = people.staff("police.desk", "000.00.21.H99", "receiver")
    code, params = file_and_start(container, citizen)

    before = container.payments.fee_view(desk, code)
    # The province waits for this fee: the desk cannot accept the dossier before it is paid.
    with pytest.raises(FeeUnpaid):
        container.inbox.decide(desk, f"{code}-T1", Decision(action="accept"))
    gateway.pay(params, "success")
    after = container.payments.fee_view(desk, code)
    _, accepted = container.inbox.decide(desk, f"{code}-T1", Decision(action="accept"))

    assert (before.paid, before.waits, after.paid) == (False, True, True)
    assert container.payments.order_view(desk, params["vnp_TxnRef"]).shown == "paid"
    assert accepted.status is Status.IN_PROCESS


def test_a_bad_signature_is_answered_97_and_changes_nothing(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    code, params = file_and_start(container, people.citizen("an@example.vn"))
    forged = dict(parse_qsl(resign(container, params)))
    forged["vnp_SecureHash"] = "0" * 128

    answer = container.payments.notify(forged)

    assert answer.value == "97"
    assert container.payments.store.order(params["vnp_TxnRef"]).state is OrderState.PENDING  # type: ignore[union-attr]
    assert not fee_of(container, code).paid


def test_a_wrong_amount_is_answered_04_and_changes_nothing(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    _, container = sandbox
    code, params = file_and_start(container, people.citizen("an@example.vn"))

    answer = container.payments.notify(dict(parse_qsl(resign(container, params, vnp_Amount="100"))))

    assert answer.value == "04"
    assert container.payments.store.order(params["vnp_TxnRef"]).state is OrderState.PENDING  # type: ignore[union-attr]
    assert not fee_of(container, code).paid


def test_an_unknown_order_is_answered_01(sandbox: tuple[SandboxGateway, Container], people: Fresh) -> None:
    _, container = sandbox
    _, params = file_and_start(container, people.citizen("an@example.vn"))

    answer = container.payments.notify(
        dict(parse_qsl(resign(container, params, vnp_TxnRef="261117NOSUCHORDER")))
    )

    assert answer.value == "01"


def test_a_replayed_ipn_is_answered_02_and_pays_nothing_more(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    code, params = file_and_start(container, people.citizen("an@example.vn"))
    gateway.pay(params, "success")
    paid = fee_of(container, code)

    again = gateway.notify(
        signed_query(gateway.transactions[params["vnp_TxnRef"]].params, gateway.credentials().hash_secret),
        params["vnp_TxnRef"],
    )

    assert again["RspCode"] == "02"
    assert fee_of(container, code) == paid


def test_an_ipn_sent_twice_at_the_same_moment_pays_once(
    sandbox: tuple[SandboxGateway, Container], people: Fresh, aws_requests_atomic: Any
) -> None:
    gateway, container = sandbox
    code, params = file_and_start(container, people.citizen("an@example.vn"))

    gateway.pay(params, "twice")

    assert sorted(d.answer["RspCode"] for d in gateway.deliveries) == ["00", "02"]
    assert fee_of(container, code).paid_by == params["vnp_TxnRef"]


def test_parallel_ipns_for_one_order_pay_it_once(
    sandbox: tuple[SandboxGateway, Container], people: Fresh, aws_requests_atomic: Any
) -> None:
    _, container = sandbox
    code, params = file_and_start(container, people.citizen("an@example.vn"))
    notice = dict(parse_qsl(resign(container, params)))
    answers: list[str] = []

    def send() -> None:
        answers.append(container.payments.notify(notice).value)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == ["00", "02", "02", "02", "02", "02"]
    assert fee_of(container, code).paid_by == params["vnp_TxnRef"]


def test_a_cancelled_payment_leaves_the_fee_due_and_a_new_attempt_is_a_new_order(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    citizen = people.citizen("an@example.vn")
    code, params = file_and_start(container, citizen)

    gateway.pay(params, "cancel")
    cancelled = container.payments.order_view(citizen, params["vnp_TxnRef"])
    again = container.payments.start(citizen, code, client_ip="127.0.0.1", language="en")
    second = dict(parse_qsl(urlsplit(again.pay_url).query))
    gateway.pay(second, "success")

    assert (cancelled.shown, cancelled.state, cancelled.can_pay) == ("not_paid", OrderState.FAILED, True)
    assert again.ref != params["vnp_TxnRef"]
    assert second["vnp_Locale"] == "en"
    assert fee_of(container, code).paid_by == again.ref
    assert fee_of(container, code).orders == 2


def test_a_failed_payment_is_recorded_as_not_paid(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    citizen = people.citizen("an@example.vn")
    code, params = file_and_start(container, citizen)

    gateway.pay(params, "failure")

    view = container.payments.order_view(citizen, params["vnp_TxnRef"])
    assert (view.shown, gateway.deliveries[0].answer["RspCode"]) == ("not_paid", "00")
    assert not fee_of(container, code).paid


def test_a_late_ipn_shows_waiting_until_it_comes(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    citizen = people.citizen("an@example.vn")
    _, params = file_and_start(container, citizen)

    gateway.pay(params, "late")
    # The browser is back before the IPN: its return changes nothing, and the page says waiting.
    container.payments.return_page(params)
    waiting = container.payments.order_view(citizen, params["vnp_TxnRef"]).shown
    from infra.devstack.sandbox_gateway import wait_for_delivery

    delivered = wait_for_delivery(gateway, params["vnp_TxnRef"])

    assert waiting == "waiting"
    assert [d.answer["RspCode"] for d in delivered] == ["00"]
    assert container.payments.order_view(citizen, params["vnp_TxnRef"]).shown == "paid"


def test_an_ipn_after_the_order_expired_is_answered_and_the_money_is_not_lost(
    sandbox: tuple[SandboxGateway, Container], people: Fresh, clock: FrozenClock
) -> None:
    gateway, container = sandbox
    citizen = people.citizen("an@example.vn")
    code, params = file_and_start(container, citizen)
    clock.advance(timedelta(minutes=16))
    expired = container.payments.order_view(citizen, params["vnp_TxnRef"])

    gateway.pay(params, "success")

    assert (expired.shown, expired.expired, expired.can_pay) == ("not_paid", True, True)
    assert gateway.deliveries[0].answer["RspCode"] == "00"
    order = container.payments.store.order(params["vnp_TxnRef"])
    assert order is not None and order.late and order.state is OrderState.PAID
    assert fee_of(container, code).paid


def test_a_second_successful_payment_of_the_same_fee_is_flagged_for_refund(
    sandbox: tuple[SandboxGateway, Container], people: Fresh
) -> None:
    gateway, container = sandbox
    citizen = people.citizen("an@example.vn")
    code, first = file_and_start(container, citizen)
    # Two tabs: two orders for one fee, both paid at the gateway.
    second = dict(
        parse_qsl(
            urlsplit(
                container.payments.start(citizen, code, client_ip="1.1.1.1", language="vi").pay_url
            ).query
        )
    )

    gateway.pay(first, "success")
    gateway.pay(second, "success")

    assert [d.answer["RspCode"] for d in gateway.deliveries] == ["00", "00"]
    assert fee_of(container, code).paid_by == first["vnp_TxnRef"]
    flagged = container.payments.order_view(citizen, second["vnp_TxnRef"])
    assert (flagged.shown, flagged.state) == ("refund_due", OrderState.REFUND_DUE)
    with pytest.raises(FeePaid):
        container.payments.start(citizen, code, client_ip="127.0.0.1", language="vi")


def test_querydr_asks_the_sandbox_how_an_order_stands(
    sandbox: tuple[SandboxGateway, Container], people: Fresh, clock: FrozenClock
) -> None:
    gateway, container = sandbox
    _, params = file_and_start(container, people.citizen("an@example.vn"))
    order = container.payments.store.order(params["vnp_TxnRef"])
    assert order is not None
    port = container.payments._gateway()

    before = port.query(order, client_ip="127.0.0.1", now=clock.now())
    gateway.pay(params, "success")
    after = port.query(order, client_ip="127.0.0.1", now=clock.now())

    assert (before.success, before.response_code) == (False, "91")
    assert (after.success, after.amount_vnd) == (True, 135000)


def test_the_sandbox_page_shows_the_order_and_sends_the_browser_back_signed(
    sandbox: tuple[SandboxGateway, Container], people: Fresh, clock: FrozenClock
) -> None:
    gateway, container = sandbox
    citizen = people.citizen("an@example.vn")
    clock.set(clock.now().replace(year=2099))  # the sandbox's page compares the expiry with the real time
    code = container.filing.file(
        citizen, filing_request(container, citizen, DRIVING), uuid.uuid4().hex
    ).dossier.code
    started = container.payments.start(citizen, code, client_ip="127.0.0.1", language="vi")
    page = urllib.request.urlopen(started.pay_url, timeout=10).read().decode()  # noqa: S310
    query = urlsplit(started.pay_url).query

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    form = urlencode({"order": query, "choice": "success"}).encode()
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(f"{gateway.url}{CHOOSE_PATH}", data=form, timeout=10)

    assert "135,000 VND" in page and started.ref in page
    location = redirect.value.headers["Location"]
    assert redirect.value.code == 303 and location.startswith(container.payments.return_url)
    back = dict(parse_qsl(urlsplit(location).query))
    assert container.payments._gateway().read_notice(back).success
    assert container.payments.return_page(back).endswith(f"/#/payments/{started.ref}")
    assert fee_of(container, code).paid


def test_who_may_start_a_payment_and_when(sandbox: tuple[SandboxGateway, Container], people: Fresh) -> None:
    gateway, container = sandbox
    citizen = people.citizen("an@example.vn")
    other = people.citizen("binh@example.vn", "Trần Văn Bình", phone="+84901234568")
    code, params = file_and_start(container, citizen)
    free = container.filing.file(
        citizen, filing_request(container, citizen, BIRTH), uuid.uuid4().hex
    ).dossier.code

    with pytest.raises(Forbidden):
        container.payments.start(other, code, client_ip="127.0.0.1", language="vi")
    with pytest.raises(NoFeeToPay):
        container.payments.start(citizen, free, client_ip="127.0.0.1", language="vi")
    container.citizen_actions.withdraw(citizen, code, _withdrawal())
    with pytest.raises(DossierClosed):
        container.payments.start(citizen, code, client_ip="127.0.0.1", language="vi")
    assert not gateway.deliveries and params


def _withdrawal() -> Any:
    from motcua.services.citizens import Withdrawal

    return Withdrawal(reason="Không cần nữa")
