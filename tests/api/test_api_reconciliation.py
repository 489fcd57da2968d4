"""The agency's payments of a day and the reconciliation report through the API (docs/payments.md):
each agency its own, a page at a time; a leader their agency's part, an administrator the province's;
errors in vi and en."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motcua.domain.payments import OrderState
from motcua.domain.reconciliation import GatewayTransaction, vietnam_day
from motcua.domain.roles import Role
from tests.conftest import DEMO_PROVINCE
from tests.fakes.world import World

pytestmark = pytest.mark.offline

DRIVING, BUSINESS = "3.000347", "2.001610"  # collected by the police and by Finance
POLICE, FINANCE = "000.00.21.H99", "000.00.01.H99"


@pytest.fixture
def world() -> World:
    return World(DEMO_PROVINCE)


def _order(world: World, procedure: str, *, paid: bool) -> str:
    owner = world.citizen("Nguyễn Văn An")
    code = world.file(owner, procedure).code
    ref = world.container.payments.start(owner, code, client_ip="127.0.0.1", language="vi").ref
    if paid:
        pending = world.payments.order(ref)
        assert pending is not None
        world.payments.settle(
            pending.model_copy(
                update={
                    "state": OrderState.PAID,
                    "transaction_no": "14000001",
                    "confirmed_at": world.clock.now(),
                }
            )
        )
    return ref


def test_each_agency_lists_its_own_payments_of_the_day_a_page_at_a_time(world: World) -> None:
    refs = [
        _order(world, DRIVING, paid=True),
        _order(world, DRIVING, paid=False),
        _order(world, BUSINESS, paid=True),
    ]
    day = vietnam_day(world.clock.now()).isoformat()
    police = world.staff(POLICE, Role.RECEIVER)
    with world.api() as api:
        first = api.call("GET", f"/v1/payments?day={day}&limit=1", police)
        second = api.call(
            "GET", f"/v1/payments?day={day}&limit=1&next_token={first.body['next_token']}", police
        )
        finance = api.call("GET", "/v1/payments", world.staff(FINANCE, Role.LEADER))
        officer = api.call("GET", "/v1/payments", world.staff(POLICE, Role.OFFICER), Accept_Language="en")

    assert first.status == 200, first.body
    assert {first.body["items"][0]["ref"], second.body["items"][0]["ref"]} == set(refs[:2])
    assert second.body["next_token"] is None
    assert [line["ref"] for line in finance.body["items"]] == [refs[2]]
    assert (finance.body["paid_count"], finance.body["paid_vnd"]) == (1, 100_000)
    assert officer.status == 403 and "needs the role of receiving officer" in officer.body["error"]["message"]


def test_a_leader_reads_their_agencys_part_an_administrator_the_provinces(world: World) -> None:
    lost, fine = _order(world, DRIVING, paid=False), _order(world, BUSINESS, paid=True)
    day = vietnam_day(world.clock.now())
    order = world.payments.order(lost)
    assert order is not None
    world.gateway_days.days[day] = [
        GatewayTransaction(ref=lost, transaction_no="1", amount_vnd=135_000, paid_at=world.clock.now()),
        GatewayTransaction(ref=fine, transaction_no="2", amount_vnd=100_000, paid_at=world.clock.now()),
    ]
    world.gateway_days.days[day - timedelta(days=1)] = []
    world.container.reconciliation.run(day)
    with world.api() as api:
        police = api.call("GET", f"/v1/reconciliations/{day}", world.staff(POLICE, Role.LEADER))
        finance = api.call("GET", f"/v1/reconciliations/{day}", world.staff(FINANCE, Role.LEADER))
        admin = api.call("GET", f"/v1/reconciliations/{day}", world.staff(FINANCE, Role.ADMIN))
        receiver = api.call("GET", f"/v1/reconciliations/{day}", world.staff(POLICE, Role.RECEIVER))

    assert [(d["ref"], d["kind"]) for d in police.body["differences"]] == [(lost, "paid_there_not_here")]
    assert finance.body["differences"] == [] and finance.body["totals"]["there_count"] == 1
    assert admin.body["totals"]["there_vnd"] == 235_000 and len(admin.body["differences"]) == 1
    assert receiver.status == 403
    # The police's mailbox was told, with the console's link.
    told = [m for m in world.mail.sent if m.to == "congan@minhhoa.example.gov.vn"]
    assert len(told) == 1 and f"#/payments/reconciliation?day={day}" in told[0].text


@pytest.mark.parametrize(
    ("language", "missing", "invalid"),
    [
        ("vi", "Không tìm thấy báo cáo đối soát", "Ngày không hợp lệ"),
        ("en", "No reconciliation report", "The day is not valid"),
    ],
)
def test_a_day_not_reconciled_or_not_a_day_is_said_in_both_languages(
    world: World, language: str, missing: str, invalid: str
) -> None:
    leader = world.staff(POLICE, Role.LEADER)
    with world.api() as api:
        none = api.call("GET", "/v1/reconciliations/2026-01-01", leader, Accept_Language=language)
        bad = api.call("GET", "/v1/reconciliations/2026-13-01", leader, Accept_Language=language)

    assert (none.status, none.body["error"]["code"]) == (404, "reconciliation_not_found")
    assert missing in none.body["error"]["message"]
    assert (bad.status, bad.body["error"]["code"]) == (400, "invalid_day")
    assert invalid in bad.body["error"]["message"]
