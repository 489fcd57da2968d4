"""The reconciliation's ports in memory: our side of a day from the fake orders, the gateway's list by day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.domain.models import Page
from motcua.domain.paging import decode_token, encode_token
from motcua.domain.payments import Order
from motcua.domain.reconciliation import (
    GatewayTransaction,
    Reconciliation,
    ReconciliationFileMissing,
    ReconciliationStore,
    TransactionList,
    vietnam_day,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from tests.fakes.payments import InMemoryPaymentStore


class InMemoryReconciliationStore:
    def __init__(self, payments: InMemoryPaymentStore) -> None:
        self.payments = payments
        self.reports: dict[date, Reconciliation] = {}

    def orders_created(self, day: date) -> list[Order]:
        return sorted(
            (o for o in self.payments.orders.values() if vietnam_day(o.created_at) == day),
            key=lambda o: (o.agency, o.ref),
        )

    def orders(self, refs: Iterable[str]) -> dict[str, Order]:
        return {ref: self.payments.orders[ref] for ref in refs if ref in self.payments.orders}

    def agency_orders(self, agency: str, day: date, *, limit: int, token: str | None) -> Page[Order]:
        mine = [o for o in self.orders_created(day) if o.agency == agency]
        start = int(decode_token(token)["at"]) if token else 0
        rest = mine[start : start + limit]
        more = start + limit < len(mine)
        return Page[Order](items=rest, next_token=encode_token({"at": start + limit}) if more else None)

    def keep(self, report: Reconciliation) -> None:
        self.reports[report.day] = report

    def report(self, day: date) -> Reconciliation | None:
        return self.reports.get(day)


class InMemoryTransactionList:
    """The gateway's lists, day by day, as a test sets them; a day never set has no file yet."""

    def __init__(self) -> None:
        self.days: dict[date, list[GatewayTransaction]] = {}

    def day(self, day: date) -> list[GatewayTransaction]:
        if day not in self.days:
            raise ReconciliationFileMissing(day)
        return list(self.days[day])


def _conforms() -> tuple[ReconciliationStore, TransactionList]:
    from tests.fakes.payments import InMemoryPaymentStore
    from tests.fakes.repository import InMemoryDossierRepository

    return InMemoryReconciliationStore(
        InMemoryPaymentStore(InMemoryDossierRepository())
    ), InMemoryTransactionList()
