"""Payment receipts (biên lai): one PDF per confirmed payment, for the citizen and the agencies involved."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel

from motcua.documents.payment_receipt import payment_receipt
from motcua.documents.sheet import Letterhead
from motcua.domain.codes import is_dossier_code
from motcua.domain.errors import Forbidden, NotFound
from motcua.domain.i18n import Text
from motcua.domain.payments import FILING_FEE, Order, OrderState
from motcua.services.dossiers import can_see

if TYPE_CHECKING:
    from motcua.domain.i18n import Language
    from motcua.domain.models import Principal
    from motcua.domain.payment_ports import PaymentStore
    from motcua.presentation.presenter import Presenter

DOSSIER = Text(vi="hồ sơ", en="dossier")
RECEIPT = Text(vi="biên lai thanh toán", en="payment receipt")
# The money was taken: a paid order, or a second payment kept to be refunded.
CONFIRMED = frozenset({OrderState.PAID, OrderState.REFUND_DUE})


class PaymentReceiptRef(BaseModel):
    """One payment receipt of a dossier, and where to download it."""

    ref: str
    amount_vnd: int
    transaction_no: str | None = None
    paid_at: datetime
    filename: str
    href: str  # GET it with Accept: application/pdf


class PaymentReceiptList(BaseModel):
    dossier: str
    items: list[PaymentReceiptRef]


def filename(order: Order) -> str:
    return f"{order.dossier}-BL-{order.ref}.pdf"


class PaymentReceiptService:
    def __init__(self, *, store: PaymentStore, presenter: Presenter) -> None:
        self.store = store
        self.presenter = presenter

    def receipts(self, principal: Principal, code: str) -> PaymentReceiptList:
        """The dossier's receipts: the payment that paid its fee (listed on the dossier page)."""
        dossier, fee = self.store.dossier_and_fee(code, FILING_FEE) if is_dossier_code(code) else (None, None)
        if dossier is None:
            raise NotFound(DOSSIER, code, code="dossier_not_found")
        if not can_see(principal, dossier):
            raise Forbidden()
        items: list[PaymentReceiptRef] = []
        order = self.store.order(fee.paid_by) if fee is not None and fee.paid_by else None
        if order is not None and order.state in CONFIRMED:
            items.append(
                PaymentReceiptRef(
                    ref=order.ref,
                    amount_vnd=order.amount_vnd,
                    transaction_no=order.transaction_no,
                    paid_at=order.confirmed_at or order.created_at,
                    filename=filename(order),
                    href=f"/v1/payments/{order.ref}/receipt",
                )
            )
        return PaymentReceiptList(dossier=dossier.code, items=items)

    def receipt(self, principal: Principal, ref: str, language: Language) -> tuple[bytes, str]:
        """The receipt's PDF: for the payer and the staff of the agencies involved in the dossier."""
        order = self.store.order(ref) if ref.isalnum() else None
        if order is None:
            raise NotFound(RECEIPT, ref, code="payment_receipt_not_found")
        dossier, _ = self.store.dossier_and_fee(order.dossier, order.fee)
        if dossier is None or not can_see(principal, dossier):
            raise Forbidden()
        if order.state not in CONFIRMED:  # not paid (yet): no receipt
            raise NotFound(RECEIPT, ref, code="payment_receipt_not_found")
        agency = self.presenter.province.agencies_by_code.get(order.agency)
        parent = agency.parent if agency else None
        head = Letterhead(
            agency=self.presenter.agency_name(order.agency, language),
            parent=self.presenter.agency_name(parent, language) if parent else None,
            number=f"{order.dossier}-BL",
            place=self.presenter.province.name.in_(language),
            at=order.confirmed_at or order.created_at,
        )
        return payment_receipt(order, dossier, head, language=language), filename(order)
