"""The daily reconciliation on moto and the sandbox gateway: the sandbox's file of the day read over
HTTP, our orders of the day from their index, each kind of difference found and reported to the
collecting agency's leaders, nothing in the orders changed, and a rerun the same (docs/payments.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from infra.devstack.outbox import sent_messages
from infra.devstack.sandbox_gateway import remember_lost
from motcua.domain.payments import OrderState
from motcua.domain.reconciliation import VIETNAM, DifferenceKind, NoReconciliation
from motcua.domain.roles import Role
from tests.conftest import REGION
from tests.integration import test_payments as payments
from tests.integration.test_payments import Fresh, file_and_start

# The payments' module world (moto, the sandbox on a free port) and its fixtures, for this module too.
world, sandbox, people, clock = payments.world, payments.sandbox, payments.people, payments.clock
aws_requests_atomic = payments.aws_requests_atomic

if TYPE_CHECKING:
    from infra.devstack.sandbox_gateway import SandboxGateway
    from motcua.container import Container
    from tests.fakes.clock import FrozenClock

POLICE = "000.00.21.H99"  # the driving licence's receiving agency: it collects the fee
# Each test its own day: the sandbox and the table are the module's.
DAYS = iter(range(1, 28))


def _new_day(clock: FrozenClock) -> datetime:
    at = datetime(2026, 11, next(DAYS), 10, 0, tzinfo=VIETNAM)
    clock.set(at.astimezone(UTC))
    return at


def _pay(
    gateway: SandboxGateway, clock: FrozenClock, params: dict[str, str], choice: str = "success"
) -> None:
    gateway.pay(params, choice)
    gateway.transactions[params["vnp_TxnRef"]].paid_at = clock.now()  # the gateway's clock, as ours


def _mails_to(address: str) -> list[dict[str, object]]:
    return [m for m in sent_messages(REGION) if address in m["to"]]


def test_each_kind_of_difference_is_found_and_the_leaders_told_once(
    sandbox: tuple[SandboxGateway, Container], people: Fresh, clock: FrozenClock
) -> None:
    gateway, container = sandbox
    at = _new_day(clock)
    day = at.date()
    # Given four payments of the day at the police: one as it should be; one whose IPN never came;
    # one whose amount the gateway's list gives otherwise; one paid here that the list lacks.
    refs = {}
    for name in ("fine", "lost", "amount", "missing"):
        _, params = file_and_start(container, people.citizen(f"{name}@example.vn"))
        refs[name] = params["vnp_TxnRef"]
        if name == "lost":
            remember_lost(gateway, params["vnp_TxnRef"], amount_vnd=135_000, paid_at=clock.now())
        else:
            _pay(gateway, clock, params)
    gateway.transactions[refs["amount"]].params["vnp_Amount"] = "12000000"
    del gateway.transactions[refs["missing"]]
    before = {ref: container.payments.store.order(ref) for ref in refs.values()}
    mails_before = len(_mails_to("congan@minhhoa.example.gov.vn"))

    # When the day is reconciled (the next morning).
    clock.set((at + timedelta(days=1)).replace(hour=5).astimezone(UTC))
    report = container.reconciliation.run(day)

    # Then each difference is there with its kind, and only those.
    found = {d.ref: d.kind for d in report.differences}
    assert found == {
        refs["lost"]: DifferenceKind.PAID_THERE_NOT_HERE,
        refs["amount"]: DifferenceKind.AMOUNT_DIFFERS,
        refs["missing"]: DifferenceKind.HERE_NOT_THERE,
    }
    amounts = next(d for d in report.differences if d.ref == refs["amount"])
    assert (amounts.amount_here, amounts.amount_there, amounts.agency) == (135_000, 120_000, POLICE)
    assert (report.totals.here_count, report.totals.here_vnd) == (3, 405_000)
    assert (report.totals.there_count, report.totals.there_vnd) == (3, 390_000)
    # Nothing in the orders changed: the lost payment's order is still pending.
    assert {ref: container.payments.store.order(ref) for ref in refs.values()} == before
    assert before[refs["lost"]].state is OrderState.PENDING  # type: ignore[union-attr]
    # The police's mailbox got one email, with the counts and the console's link.
    mails = _mails_to("congan@minhhoa.example.gov.vn")[mails_before:]
    assert len(mails) == 1
    assert f"#/payments/reconciliation?day={day.isoformat()}" in str(mails[0]["body"])
    assert "3 chênh lệch" in str(mails[0]["subject"])

    # A rerun of the day keeps the same report (replaced) and sends nothing new.
    again = container.reconciliation.run(day)
    assert again.differences == report.differences
    assert container.reconciliation.store.report(day) == again
    assert len(_mails_to("congan@minhhoa.example.gov.vn")) == mails_before + 1


def test_an_order_made_before_midnight_and_paid_after_belongs_to_the_day_it_was_paid(
    sandbox: tuple[SandboxGateway, Container], people: Fresh, clock: FrozenClock
) -> None:
    gateway, container = sandbox
    at = _new_day(clock).replace(hour=23, minute=55)
    clock.set(at.astimezone(UTC))
    _, params = file_and_start(container, people.citizen("late@example.vn"))
    clock.set((at + timedelta(minutes=8)).astimezone(UTC))  # 00:03 the next day
    _pay(gateway, clock, params)

    paid_day = container.reconciliation.run(at.date() + timedelta(days=1))
    made_day = container.reconciliation.run(at.date())

    assert paid_day.differences == [] and paid_day.totals.here_count == 1
    assert paid_day.totals.there_count == 1
    assert made_day.totals.here_count == 0 and made_day.differences == []


def test_leaders_see_their_agencys_part_and_the_payments_of_the_day(
    sandbox: tuple[SandboxGateway, Container], people: Fresh, clock: FrozenClock
) -> None:
    gateway, container = sandbox
    at = _new_day(clock)
    _, params = file_and_start(container, people.citizen("seen@example.vn"))
    remember_lost(gateway, params["vnp_TxnRef"], amount_vnd=135_000, paid_at=clock.now())
    container.reconciliation.run(at.date())
    police_leader = people.staff("police.leader", POLICE, Role.LEADER.value)
    other_leader = people.staff("finance.leader", "000.00.01.H99", Role.LEADER.value)
    receiver = people.staff("police.desk", POLICE, Role.RECEIVER.value)

    mine = container.reconciliation.report(police_leader, at.date())
    theirs = container.reconciliation.report(other_leader, at.date())
    listed = container.reconciliation.payments(receiver, at.date(), limit=1, token=None)

    assert [d.ref for d in mine.differences] == [params["vnp_TxnRef"]]
    assert theirs.differences == [] and theirs.totals.there_count == 0
    assert [line.ref for line in listed.items] == [params["vnp_TxnRef"]]
    assert listed.items[0].state is OrderState.PENDING
    with pytest.raises(NoReconciliation):
        container.reconciliation.report(police_leader, at.date() - timedelta(days=400))
