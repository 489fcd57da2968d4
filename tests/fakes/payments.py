"""Orders and fees in memory: the PaymentStore port with the table's conditions, for offline tests."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from motcua.adapters.vnpay import Credentials
from motcua.domain.payments import FeeAlreadyPaid, FeeRecord, Order, OrderState, OrderTaken

if TYPE_CHECKING:
    from collections.abc import Mapping

    from motcua.domain.changes import Change
    from motcua.domain.models import Dossier
    from motcua.domain.ports import DossierRepository

# The offline world's merchant (the local stack's and AWS's come from Secrets Manager).
TEST_CREDENTIALS = Credentials(tmn_code="TESTMC01", hash_secret="OFFLINESECRETOFTHEFAKEWORLD00000")


class InMemoryPaymentStore:
    def __init__(self, repository: DossierRepository) -> None:
        self.repository = repository
        self.orders: dict[str, Order] = {}
        self.fees: dict[tuple[str, str], FeeRecord] = {}
        self._lock = threading.Lock()
        self.cancelled: set[tuple[str, str]] = set()
        self.counted_as: dict[tuple[str, str], dict[str, str]] = {}  # kept in the fee item's data

    def dossier_and_fee(self, code: str, fee: str) -> tuple[Dossier | None, FeeRecord | None]:
        record = self.repository.get(code)
        return (record.dossier if record else None), self.fees.get((code, fee))

    def open_order(
        self,
        order: Order,
        fee: FeeRecord,
        *,
        dossier_filed_at: datetime,
        counted_as: Mapping[str, str] | None = None,
    ) -> None:
        with self._lock:
            kept = self.fees.get((fee.dossier, fee.fee))
            if kept is not None and kept.paid:
                raise FeeAlreadyPaid()
            base = kept or fee
            self.fees[(fee.dossier, fee.fee)] = base.model_copy(
                update={"orders": base.orders + 1, "last_order": order.ref}
            )
            self.orders[order.ref] = order
            if counted_as is not None:
                self.counted_as[(fee.dossier, fee.fee)] = dict(counted_as)

    def order(self, ref: str) -> Order | None:
        return self.orders.get(ref)

    def settle(self, order: Order, *, change: Change | None = None) -> None:
        with self._lock:
            if self.orders[order.ref].state is not OrderState.PENDING:
                raise OrderTaken()
            fee = self.fees[(order.dossier, order.fee)]
            if fee.paid or (order.dossier, order.fee) in self.cancelled:
                raise FeeAlreadyPaid()
            if change is not None:  # all or nothing: DossierChanged before anything is written
                self.repository.apply(change)
            self.orders[order.ref] = order
            self.fees[(order.dossier, order.fee)] = fee.model_copy(
                update={
                    "paid_by": order.ref,
                    "paid_at": order.confirmed_at,
                    "transaction_no": order.transaction_no,
                }
            )

    def close(self, order: Order) -> None:
        with self._lock:
            if self.orders[order.ref].state is not OrderState.PENDING:
                raise OrderTaken()
            self.orders[order.ref] = order

    def cancel_fee(
        self, code: str, fee: str, *, amount_vnd: int, dossier_filed_at: datetime, at: datetime
    ) -> None:
        with self._lock:
            kept = self.fees.get((code, fee))
            if kept is not None and kept.paid:
                raise FeeAlreadyPaid()
            self.cancelled.add((code, fee))

    def images(self) -> list[dict[str, Any]]:
        """The fee items as the table's stream shows them (the statistics read them, docs/statistics.md)."""
        images = []
        for (code, name), fee in list(self.fees.items()):
            data = {"dossier": code, "fee": name, "counted_as": self.counted_as.get((code, name))}
            image: dict[str, Any] = {"type": {"S": "fee"}, "data": {"S": json.dumps(data)}}
            if fee.paid_by:
                image["paid_by"] = {"S": fee.paid_by}
            images.append(image)
        return images
