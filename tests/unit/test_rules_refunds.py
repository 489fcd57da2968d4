"""Refunds through the API on the in-memory world, the sandbox gateway's merchant API answering the
refund call: the 409s and 422 in both languages, the dossier's payments, the citizen told
(docs/payments.md, "Refunds")."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from infra.devstack.sandbox_gateway import SandboxGateway
from motcua.domain.roles import Role
from tests.conftest import DEMO_PROVINCE
from tests.fakes.payments import TEST_CREDENTIALS
from tests.fakes.world import World

pytestmark = pytest.mark.offline

DRIVING, POLICE = "3.000347", "000.00.21.H99"  # 135,000 VND paid at filing; the police's desk receives


@pytest.fixture
def world() -> World:
    return World(DEMO_PROVINCE)


@pytest.fixture
def sandbox(world: World) -> SandboxGateway:
    """The sandbox's protocol without its server: IPNs handed to the service, refund calls to the sandbox."""

    def deliver(query: str) -> dict[str, Any]:
        answer = world.container.payments.notify(dict(parse_qsl(query, keep_blank_values=True)))
        return {"RspCode": answer.value, "Message": answer.message}

    gateway = SandboxGateway(
        credentials=lambda: TEST_CREDENTIALS, ipn_url="http://unused.invalid", deliver=deliver
    )
    world.container.payments._gateway()._post = lambda url, body: gateway.api(body)  # type: ignore[attr-defined]
    return gateway


def paid(world: World, sandbox: SandboxGateway) -> tuple[str, str]:
    """A driving licence renewal filed with a phone and paid in the sandbox: its code and its order."""
    citizen = world.citizen(phone="+84912345678")
    code = world.file(citizen, DRIVING).code
    with world.api() as api:
        started = api.call("POST", f"/v1/dossiers/{code}/payments", citizen, {})
    assert started.status == 201, started.body
    sandbox.pay(dict(parse_qsl(urlsplit(started.body["pay_url"]).query)), "success")
    return code, started.body["ref"]


def test_the_desk_refunds_a_refused_dossiers_fee_and_the_citizen_sees_it_and_is_told(
    world: World, sandbox: SandboxGateway
) -> None:
    code, ref = paid(world, sandbox)
    desk = world.staff(POLICE, Role.RECEIVER)
    world.decide(desk, f"{code}-T1", "refuse", "Thiếu giấy khám sức khỏe")
    world.deliver()

    with world.api() as api:
        before = api.call("GET", f"/v1/dossiers/{code}/payments", desk)
        done = api.call("POST", f"/v1/payments/{ref}/refund", desk, {"reason": "Hồ sơ không được tiếp nhận"})
        seen = api.call("GET", f"/v1/dossiers/{code}/payments", world.owner(code))

    assert before.status == 200 and before.body["items"][0]["can_refund"] is True
    assert done.status == 200, done.body
    assert (done.body["refund"]["state"], done.body["refund"]["amount_vnd"]) == ("done", 135000)
    assert seen.body["refunded_vnd"] == 135000 and seen.body["items"][0]["refund"]["state"] == "done"
    assert seen.body["items"][0]["can_refund"] is False  # the applicant never may
    told = world.deliver()
    assert {m.channel for m in told} == {"email", "sms"}
    assert any("135.000" in m.text and "hoan phi" in m.text.lower() for m in told if m.channel == "sms")


@pytest.mark.parametrize(
    ("language", "says"),
    [("vi", "Không thể hoàn phí"), ("en", "cannot be refunded")],
)
def test_a_refund_not_allowed_is_a_409_saying_why_in_both_languages(
    world: World, sandbox: SandboxGateway, language: str, says: str
) -> None:
    code, ref = paid(world, sandbox)  # the dossier is new (1): its fee is not returned
    leader = world.staff(POLICE, Role.LEADER)

    with world.api() as api:
        refused = api.call(
            "POST", f"/v1/payments/{ref}/refund", leader, {"reason": "Hoàn phí"}, Accept_Language=language
        )

    assert (refused.status, refused.error_code) == (409, "refund_not_allowed")
    assert says in refused.body["error"]["message"]
    assert sandbox.transactions[ref].refunded == 0


@pytest.mark.parametrize(("language", "says"), [("vi", "không được lớn hơn"), ("en", "cannot be more than")])
def test_a_refund_over_the_payment_is_a_422_naming_the_amount(
    world: World, sandbox: SandboxGateway, language: str, says: str
) -> None:
    code, ref = paid(world, sandbox)
    desk = world.staff(POLICE, Role.RECEIVER)
    world.decide(desk, f"{code}-T1", "refuse", "Thiếu giấy khám sức khỏe")

    with world.api() as api:
        body = {"reason": "Hoàn phí", "amount_vnd": 135001}
        wrong = api.call("POST", f"/v1/payments/{ref}/refund", desk, body, Accept_Language=language)
        done = api.call("POST", f"/v1/payments/{ref}/refund", desk, {"reason": "Hoàn phí"})
        again = api.call(
            "POST", f"/v1/payments/{ref}/refund", desk, {"reason": "Hoàn phí"}, Accept_Language=language
        )

    assert (wrong.status, wrong.body["error"]["fields"][0]["field"]) == (422, "amount_vnd")
    assert says in wrong.body["error"]["message"]
    assert done.status == 200
    assert (again.status, again.error_code) == (409, "refund_exists")
    assert ("đã có yêu cầu hoàn phí" if language == "vi" else "already recorded") in again.body["error"][
        "message"
    ]


def test_a_processing_officer_may_not_refund(world: World, sandbox: SandboxGateway) -> None:
    code, ref = paid(world, sandbox)
    world.decide(world.staff(POLICE, Role.RECEIVER), f"{code}-T1", "refuse", "Thiếu giấy khám sức khỏe")

    with world.api() as api:
        answer = api.call(
            "POST", f"/v1/payments/{ref}/refund", world.staff(POLICE, Role.OFFICER), {"reason": "Hoàn"}
        )

    assert (answer.status, answer.error_code) == (403, "role_required")
    assert sandbox.transactions[ref].refunded == 0
