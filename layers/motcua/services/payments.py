"""Fees paid online: an order after filing, the gateway's IPN as the only truth, the state shown."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from motcua.domain.codes import is_dossier_code
from motcua.domain.counter import Channel
from motcua.domain.errors import Forbidden, NotFound
from motcua.domain.fees import counted_as
from motcua.domain.i18n import Text
from motcua.domain.models import PrincipalKind
from motcua.domain.payments import (
    FILING_FEE,
    DossierClosed,
    FeeAlreadyPaid,
    FeePaid,
    FeeRecord,
    InvalidSignature,
    IpnAnswer,
    NoFeeToPay,
    Order,
    OrderState,
    OrderTaken,
    PaymentsOff,
)
from motcua.domain.permissions import may_read_dossiers
from motcua.domain.status import Status
from motcua.observability import count, logger
from motcua.services.dossiers import can_see
from motcua.services.retry import on_fresh_read

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from motcua.config.payments import PaymentSettings
    from motcua.config.province import Province
    from motcua.domain.catalog import Fee
    from motcua.domain.changes import Change
    from motcua.domain.i18n import Language
    from motcua.domain.models import Dossier, Principal
    from motcua.domain.payment_ports import PaymentGateway, PaymentStore
    from motcua.domain.ports import Clock

DOSSIER = Text(vi="hồ sơ", en="dossier")
ORDER = Text(vi="giao dịch thanh toán", en="payment")
CLOSED = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED})
# What the citizen is shown of an order: the IPN decides paid; an order never confirmed is not paid.
Shown = Literal["paid", "not_paid", "waiting", "refund_due"]


class PaymentStarted(BaseModel):
    """A new order: where to send the browser, and until when the gateway takes it."""

    ref: str
    dossier: str
    amount_vnd: int
    pay_by: datetime
    pay_url: str


class PaymentView(BaseModel):
    """An order as the return page and the dossier page show it."""

    ref: str
    dossier: str
    amount_vnd: int
    shown: Shown
    state: OrderState
    expired: bool
    pay_by: datetime
    confirmed_at: datetime | None = None
    transaction_no: str | None = None
    # Whether a new attempt would be taken (the fee still due, the dossier still open).
    can_pay: bool


class FeeView(BaseModel):
    """A dossier's fee: the amount, whether it is paid, whether the desk waits for it."""

    dossier: str
    amount_vnd: int
    note: Text | None = None
    online: bool  # paid online through the gateway right after filing
    waits: bool  # the receiving desk accepts the dossier only once it is paid
    paid: bool
    paid_at: datetime | None = None
    transaction_no: str | None = None
    orders: int = 0
    last_order: str | None = None
    can_pay: bool


def online_fee(province: Province, procedure_code: str) -> Fee | None:
    """The procedure's fee if it is paid online at filing (known up front, not nil)."""
    procedure = province.procedures_by_code.get(procedure_code)
    if procedure is None or not procedure.fee.at_filing or procedure.fee.amount_vnd <= 0:
        return None
    return procedure.fee


def new_ref(now: datetime) -> str:
    """An order reference (vnp_TxnRef): the day and 12 random characters, unique, letters and digits."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"{now:%y%m%d}" + "".join(secrets.choice(alphabet) for _ in range(12))


class PaymentService:
    def __init__(
        self,
        *,
        province: Province,
        store: PaymentStore,
        gateway: Callable[[], PaymentGateway],
        clock: Clock,
        portal_url: str,
    ) -> None:
        self.province = province
        self.store = store
        self._gateway = gateway  # built on first use: its secret is read only when a payment needs it
        self.clock = clock
        self.portal_url = portal_url.rstrip("/")
        # What a paid order writes beside its fee, in the same transaction (a financial obligation's
        # dossier resumes); it may raise FeeAlreadyPaid when it knows the fee is no longer due.
        self.paid_change: Callable[[Order], Change | None] | None = None

    @property
    def settings(self) -> PaymentSettings:
        if self.province.payments is None:
            raise PaymentsOff()
        return self.province.payments

    @property
    def return_url(self) -> str:
        return self.settings.return_url or f"{self.portal_url}/v1/payments/vnpay/return"

    # --- the citizen pays --------------------------------------------------------------------

    def start(self, principal: Principal, code: str, *, client_ip: str, language: Language) -> PaymentStarted:
        """A new order for the dossier's fee (each attempt its own), and the gateway's page for it."""
        settings = self.settings
        dossier, fee = self._load(code)
        if principal.kind is not PrincipalKind.CITIZEN or principal.sub != dossier.owner:
            raise Forbidden(
                Text(vi="Chỉ người nộp hồ sơ thanh toán phí.", en="Only the applicant pays the fee.")
            )
        catalog_fee = online_fee(self.province, dossier.procedure_code)
        if catalog_fee is None:
            raise NoFeeToPay()
        if dossier.status in CLOSED:
            raise DossierClosed()
        if fee is not None and fee.paid:
            raise FeePaid()
        amount = fee.amount_vnd if fee is not None else catalog_fee.amount_vnd
        # The gateway asks for the order's description without diacritics (ASCII).
        info = f"Thanh toan le phi ho so {dossier.code}"
        return self._open(
            settings, dossier, FILING_FEE, amount, client_ip=client_ip, language=language, info=info
        )

    # --- the gateway tells (IPN, server to server): the only thing that marks a fee paid --------

    def notify(self, params: Mapping[str, str]) -> IpnAnswer:
        """Record what the gateway's IPN reports, and give the answer its protocol expects."""
        try:
            answer = self._notify(params)
        except Exception:
            logger.exception("payment notice failed")
            answer = IpnAnswer.UNKNOWN_ERROR
        count("PaymentNotice", answer=answer.value)
        return answer

    def _notify(self, params: Mapping[str, str]) -> IpnAnswer:
        if self.province.payments is None:
            return IpnAnswer.UNKNOWN_ERROR
        try:
            notice = self._gateway().read_notice(params)
        except InvalidSignature:
            logger.warning("payment notice with an invalid signature")
            return IpnAnswer.INVALID_SIGNATURE
        order = self.store.order(notice.ref) if notice.ref else None
        if order is None:
            return IpnAnswer.ORDER_NOT_FOUND
        if notice.amount_vnd != order.amount_vnd:
            logger.warning("payment notice with another amount", extra={"ref": order.ref})
            return IpnAnswer.INVALID_AMOUNT
        if order.state is not OrderState.PENDING:  # a replay, or the gateway sending it again
            return IpnAnswer.ALREADY_CONFIRMED
        now = self.clock.now()
        reported = {
            "response_code": notice.response_code,
            "transaction_no": notice.transaction_no,
            "bank_code": notice.bank_code,
            "confirmed_at": now,
            # The gateway should refuse a payment after vnp_ExpireDate; if money was taken anyway,
            # it is recorded (and pays the fee if still due) rather than lost.
            "late": now >= order.pay_by,
        }
        try:
            if not notice.success:
                self.store.close(order.model_copy(update={**reported, "state": OrderState.FAILED}))
                return IpnAnswer.CONFIRMED
            paid = order.model_copy(update={**reported, "state": OrderState.PAID})
            try:
                # The payment and what it resumes, in one transaction: both or neither (a failure
                # answers 99 with the order still pending, and the gateway's next copy does it all).
                if on_fresh_read(lambda: self._settle(paid)):
                    count("ObligationPaid")
                    logger.info("financial obligation paid: the dossier resumes", extra={"ref": order.ref})
            except FeeAlreadyPaid:
                # Paid twice for one fee: the second payment is kept, flagged to be refunded.
                self.store.close(paid.model_copy(update={"state": OrderState.REFUND_DUE}))
                logger.warning(
                    "a second payment for a fee already paid: refund due", extra={"ref": order.ref}
                )
                count("PaymentRefundDue")
        except OrderTaken:  # another copy of this IPN settled it a moment before
            return IpnAnswer.ALREADY_CONFIRMED
        return IpnAnswer.CONFIRMED

    # --- what the citizen and the desk see ---------------------------------------------------

    def order_view(self, principal: Principal, ref: str) -> PaymentView:
        order = self.store.order(ref) if ref.isalnum() else None
        if order is None:
            raise NotFound(ORDER, ref, code="payment_not_found")
        # The owner, or the working staff of the collecting agency (the desk that sees it paid).
        staff = principal.is_staff and may_read_dossiers(principal) and principal.agency == order.agency
        if not staff and (principal.kind is not PrincipalKind.CITIZEN or principal.sub != order.owner):
            raise Forbidden()
        now = self.clock.now()
        expired = order.expired(now)
        shown: Shown = {
            OrderState.PAID: "paid",
            OrderState.FAILED: "not_paid",
            OrderState.REFUND_DUE: "refund_due",
            OrderState.PENDING: "not_paid" if expired else "waiting",
        }[order.state]
        can_pay = order.state is not OrderState.PAID and order.state is not OrderState.REFUND_DUE
        # An obligation's new attempt starts from the dossier page (its own route), not from here.
        can_pay = can_pay and order.fee == FILING_FEE
        if can_pay:
            _, fee = self.store.dossier_and_fee(order.dossier, order.fee)
            can_pay = fee is None or not fee.paid
        return PaymentView(
            ref=order.ref,
            dossier=order.dossier,
            amount_vnd=order.amount_vnd,
            shown=shown,
            state=order.state,
            expired=expired,
            pay_by=order.pay_by,
            confirmed_at=order.confirmed_at,
            transaction_no=order.transaction_no,
            can_pay=can_pay and (expired or order.state is OrderState.FAILED),
        )

    def fee_view(self, principal: Principal, code: str) -> FeeView:
        dossier, fee = self._load(code)
        if not can_see(principal, dossier):
            raise Forbidden()
        procedure = self.province.procedures_by_code.get(dossier.procedure_code)
        catalog = procedure.fee if procedure is not None else None
        online = (
            online_fee(self.province, dossier.procedure_code) is not None
            and self.province.payments is not None
        )
        paid = fee is not None and fee.paid
        return FeeView(
            dossier=dossier.code,
            amount_vnd=fee.amount_vnd if fee is not None else (catalog.amount_vnd if catalog else 0),
            note=catalog.note if catalog else None,
            online=online,
            waits=bool(online and catalog and catalog.waits),
            paid=paid,
            paid_at=fee.paid_at if fee else None,
            transaction_no=fee.transaction_no if fee else None,
            orders=fee.orders if fee else 0,
            last_order=fee.last_order if fee else None,
            can_pay=online and not paid and dossier.status not in CLOSED and principal.sub == dossier.owner,
        )

    def unpaid_and_waited_for(self, dossier: Dossier) -> bool:
        """Whether the desk must wait: a dossier filed online whose fee is paid online, the province
        waits for it, and it is not paid (at the counter the fee is collected there)."""
        if dossier.channel is not Channel.ONLINE:
            return False
        fee = online_fee(self.province, dossier.procedure_code)
        if fee is None or not fee.waits or self.province.payments is None:
            return False
        _, record = self.store.dossier_and_fee(dossier.code, FILING_FEE)
        return record is None or not record.paid

    def return_page(self, params: Mapping[str, str]) -> str:
        """Where the browser goes after the gateway: the portal's page for the order. It changes
        nothing: the page shows what the IPN recorded (a forged return shows the truth)."""
        ref = params.get("vnp_TxnRef", "")
        if not ref.isalnum():
            return f"{self.portal_url}/#/me"
        return f"{self.portal_url}/#/payments/{ref}"

    def _load(self, code: str) -> tuple[Dossier, FeeRecord | None]:
        dossier, fee = self.store.dossier_and_fee(code, FILING_FEE) if is_dossier_code(code) else (None, None)
        if dossier is None:
            raise NotFound(DOSSIER, code, code="dossier_not_found")
        return dossier, fee

    # --- fees set during processing (financial obligations, services/obligations.py) ----------

    def start_fee(
        self, dossier: Dossier, fee: str, amount_vnd: int, *, client_ip: str, language: Language, info: str
    ) -> PaymentStarted:
        """A new order for one of the dossier's fees other than the filing's (the caller checked who
        pays and that it is due), and the gateway's page for it."""
        return self._open(
            self.settings, dossier, fee, amount_vnd, client_ip=client_ip, language=language, info=info
        )

    def _open(
        self,
        settings: PaymentSettings,
        dossier: Dossier,
        fee: str,
        amount_vnd: int,
        *,
        client_ip: str,
        language: Language,
        info: str,
    ) -> PaymentStarted:
        """A new order for the dossier's `fee`, kept and counted on the fee (FeePaid if it is paid
        already), and the gateway's signed page for it."""
        now = self.clock.now()
        order = Order(
            ref=new_ref(now),
            dossier=dossier.code,
            fee=fee,
            owner=dossier.owner,
            agency=dossier.agency,
            amount_vnd=amount_vnd,
            gateway=settings.gateway,
            created_at=now,
            pay_by=now + timedelta(minutes=settings.expire_minutes),
        )
        try:
            self.store.open_order(
                order,
                FeeRecord(dossier=dossier.code, fee=fee, amount_vnd=amount_vnd),
                dossier_filed_at=dossier.filed_at,
                # The fee at filing counts in the online-payment indicator (docs/statistics.md).
                counted_as=counted_as(dossier) if fee == FILING_FEE else None,
            )
        except FeeAlreadyPaid:
            raise FeePaid() from None
        url = self._gateway().payment_url(
            order, return_url=self.return_url, client_ip=client_ip, info=info, locale=language
        )
        count("PaymentStarted")
        return PaymentStarted(
            ref=order.ref, dossier=dossier.code, amount_vnd=amount_vnd, pay_by=order.pay_by, pay_url=url
        )

    def _settle(self, paid: Order) -> bool:
        """Write the paid order, its fee and the dossier's change if any (read afresh at each
        attempt: DossierChanged means nothing was written); whether a dossier changed with it."""
        change = self.paid_change(paid) if self.paid_change is not None else None
        self.store.settle(paid, change=change)
        return change is not None
