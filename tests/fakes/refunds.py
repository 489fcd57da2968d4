"""Refunds in memory: the RefundStore port beside the in-memory orders, with the table's conditions."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from motcua.domain.payments import OrderState
from motcua.domain.refunds import Refund, RefundState, RefundTaken

if TYPE_CHECKING:
    from motcua.domain.payments import Order
    from motcua.domain.refunds import RefundStore
    from tests.fakes.payments import InMemoryPaymentStore


class InMemoryRefundStore:
    def __init__(self, payments: InMemoryPaymentStore) -> None:
        self.payments = payments
        self.refunds: dict[str, Refund] = {}
        self._lock = threading.Lock()

    def order_with_refund(self, ref: str) -> tuple[Order, Refund | None] | None:
        order = self.payments.order(ref)
        return (order, self.refunds.get(ref)) if order is not None else None

    def orders_of(self, code: str) -> list[tuple[Order, Refund | None]]:
        orders = [o for o in self.payments.orders.values() if o.dossier == code]
        return [(o, self.refunds.get(o.ref)) for o in sorted(orders, key=lambda o: (o.created_at, o.ref))]

    def begin(self, order: Order, refund: Refund, *, replacing: Refund | None) -> None:
        with self._lock:
            kept = self.refunds.get(order.ref)
            state = self.payments.orders[order.ref].state
            if replacing is None:
                if kept is not None or state not in (OrderState.PAID, OrderState.REFUND_DUE):
                    raise RefundTaken()
            elif kept is None or (kept.state, kept.requested_at) != (replacing.state, replacing.requested_at):
                raise RefundTaken()
            self.refunds[order.ref] = refund

    def finish(self, order: Order, refund: Refund) -> None:
        with self._lock:
            kept = self.refunds.get(order.ref)
            told = refund.told and refund.state is RefundState.DONE
            expected = refund.state if told else RefundState.REQUESTED
            if kept is None or (kept.request_id, kept.requested_at, kept.state) != (
                refund.request_id,
                refund.requested_at,
                expected,
            ):
                raise RefundTaken()
            self.refunds[order.ref] = refund


def _conforms() -> RefundStore:
    from tests.fakes.payments import InMemoryPaymentStore
    from tests.fakes.repository import InMemoryDossierRepository

    return InMemoryRefundStore(InMemoryPaymentStore(InMemoryDossierRepository()))
