"""Ports of fees paid online: the payment gateway and where orders and fees are kept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from motcua.domain.changes import Change
    from motcua.domain.models import Dossier
    from motcua.domain.payments import FeeRecord, GatewayNotice, Order
    from motcua.domain.refunds import RefundResult


class PaymentGateway(Protocol):
    """A payment gateway's protocol (VNPAY today; the national payment platform could be another)."""

    name: str

    def payment_url(self, order: Order, *, return_url: str, client_ip: str, info: str, locale: str) -> str:
        """Where to send the citizen's browser to pay `order` (signed)."""
        ...

    def read_notice(self, params: Mapping[str, str]) -> GatewayNotice:
        """An IPN's or a return's parameters, their signature checked; InvalidSignature if it fails."""
        ...

    def query(self, order: Order, *, client_ip: str, now: datetime) -> GatewayNotice:
        """Ask the gateway how `order` stands (VNPAY querydr); its answer's signature checked."""
        ...

    def refund(
        self,
        order: Order,
        amount_vnd: int,
        *,
        reason: str,
        by: str,
        client_ip: str,
        now: datetime,
        request_id: str | None = None,
    ) -> RefundResult:
        """Give back `amount_vnd` of the confirmed `order` (the whole of it or a part); `request_id`
        and `now` given again send the very same request again (after a crash); its answer checked."""
        ...


class PaymentStore(Protocol):
    """Orders and fees, each change written under a condition (docs/payments.md)."""

    def dossier_and_fee(self, code: str, fee: str) -> tuple[Dossier | None, FeeRecord | None]:
        """The dossier and its fee (None: no order was made for it yet), read together."""
        ...

    def open_order(
        self,
        order: Order,
        fee: FeeRecord,
        *,
        dossier_filed_at: datetime,
        counted_as: Mapping[str, str] | None = None,
    ) -> None:
        """Keep a new order and count it on the fee (created if absent); FeeAlreadyPaid if paid.
        `counted_as`: where the fee counts in the statistics (domain/fees.py), kept in the fee item."""
        ...

    def order(self, ref: str) -> Order | None: ...

    def settle(self, order: Order, *, change: Change | None = None) -> None:
        """Write `order` (now paid) and mark its fee paid by it, together: OrderTaken if the order
        was no longer pending, FeeAlreadyPaid if another order paid the fee first.

        `change`, the dossier's (a paid financial obligation's resume), is written in the same
        transaction, at the version its dossier was read: DossierChanged if it moved on since."""
        ...

    def close(self, order: Order) -> None:
        """Write `order`'s new state (failed, refund due) if it is still pending; OrderTaken if not."""
        ...

    def cancel_fee(
        self, code: str, fee: str, *, amount_vnd: int, dossier_filed_at: datetime, at: datetime
    ) -> None:
        """Mark a fee no longer due (a cancelled obligation), so that no order pays it afterwards
        (settle then raises FeeAlreadyPaid: the payment is flagged for refund); FeeAlreadyPaid if paid."""
        ...
