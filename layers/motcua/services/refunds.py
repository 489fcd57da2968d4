"""Refunds (hoàn phí): an officer of the collecting agency gives a payment back through the gateway.

Recorded once on the order (a conditional write: requested), then the gateway's refund call, then its
outcome (done, failed); a failure may be tried again, and a retry first asks the gateway (querydr)
whether the earlier request went through. docs/payments.md, "Refunds".
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel

from motcua.domain.changes import seal
from motcua.domain.codes import is_dossier_code
from motcua.domain.errors import Forbidden, NotFound
from motcua.domain.i18n import Text
from motcua.domain.payments import InvalidSignature, OrderState
from motcua.domain.permissions import DESK, check_role
from motcua.domain.refunds import (
    Refund,
    RefundExists,
    RefundNotAllowed,
    RefundOutcome,
    RefundRequest,
    RefundResult,
    RefundState,
    RefundTaken,
    too_much,
)
from motcua.domain.status import Status
from motcua.observability import count, logger
from motcua.services.auditing import record as record_change
from motcua.services.dossiers import can_see
from motcua.services.retry import on_fresh_read

if TYPE_CHECKING:
    from motcua.config.province import Province
    from motcua.domain.models import Dossier, Principal
    from motcua.domain.payments import Order
    from motcua.domain.ports import Clock, DossierRepository
    from motcua.domain.refunds import RefundStore
    from motcua.services.payments import PaymentService

# The audit entry a done refund writes on its dossier: the citizen's message (`refunded`) reads it.
REFUND_ACTION = "refund"
ORDER = Text(vi="giao dịch thanh toán", en="payment")
DOSSIER = Text(vi="hồ sơ", en="dossier")
# A request recorded this long ago without an outcome was cut short (the function stopped between
# our write and the gateway's answer): the officer's retry then finishes it.
STALE = timedelta(minutes=2)
# The gateway's transaction statuses once a refund is under way or made (querydr).
REFUNDING = frozenset({"05", "06"})
_STATUS_NAMES = {"refused": Status.REFUSED, "stopped": Status.STOPPED}


class RefundView(BaseModel):
    """A payment's refund as the console and the portal show it."""

    state: RefundState
    amount_vnd: int
    full: bool
    reason: str
    by: str
    requested_at: datetime
    attempt: int
    done_at: datetime | None = None
    response_code: str | None = None
    transaction_no: str | None = None


class DossierPayment(BaseModel):
    """One order of a dossier: its state, its refund, and whether the caller may refund it."""

    ref: str
    fee: str
    amount_vnd: int
    state: OrderState
    created_at: datetime
    confirmed_at: datetime | None = None
    transaction_no: str | None = None
    refund: RefundView | None = None
    can_refund: bool


class DossierPayments(BaseModel):
    dossier: str
    items: list[DossierPayment]
    refunded_vnd: int  # the sum of the refunds done


class RefundService:
    def __init__(
        self,
        *,
        province: Province,
        store: RefundStore,
        payments: PaymentService,
        repository: DossierRepository,
        clock: Clock,
    ) -> None:
        self.province = province
        self.store = store
        self.payments = payments
        self.repository = repository
        self.clock = clock

    # --- the officer -------------------------------------------------------------------------

    def refund(
        self, principal: Principal, ref: str, body: RefundRequest, *, client_ip: str
    ) -> DossierPayment:
        found = self.store.order_with_refund(ref) if ref.isalnum() else None
        if found is None:
            raise NotFound(ORDER, ref, code="payment_not_found")
        order, refund = found
        if not principal.is_staff or principal.agency != order.agency:
            raise Forbidden(
                Text(
                    vi="Chỉ cơ quan thu phí của hồ sơ được hoàn phí.",
                    en="Only the agency that collected the fee refunds it.",
                )
            )
        check_role(principal, DESK, Text(vi="hoàn phí", en="refund a payment"))
        dossier = self._dossier(order.dossier)
        now = self.clock.now()
        if refund is not None and refund.state is RefundState.DONE:
            if not refund.told:  # the message was cut short last time: it is written now, once
                self._tell(principal, order, refund)
            raise RefundExists(RefundState.DONE)
        if refund is not None and refund.state is RefundState.REQUESTED and now - refund.requested_at < STALE:
            raise RefundExists(RefundState.REQUESTED)
        if refund is None:
            self._check_allowed(order, dossier)
        amount = body.amount_vnd or order.amount_vnd
        if amount > order.amount_vnd:
            raise too_much(amount, order.amount_vnd)
        self.payments._gateway()  # PaymentsOff (409) before anything is written
        if refund is None:
            attempt = Refund(
                state=RefundState.REQUESTED,
                amount_vnd=amount,
                full=amount == order.amount_vnd,
                reason=body.reason,
                by=principal.username,
                requested_at=now,
                request_id=uuid.uuid4().hex,
                request_date=now,
                first_requested_at=now,
            )
            self._begin(order, attempt, replacing=None)
            result = self._call(order, attempt, client_ip)
        else:
            # A retry: a failure, or a request whose answer never came back. The same request is
            # sent again when its answer is unknown; a failed one gets a new request (a new id).
            cut_short = refund.state is RefundState.REQUESTED
            attempt = refund.model_copy(
                update={
                    "state": RefundState.REQUESTED,
                    "requested_at": now,
                    "attempt": refund.attempt + 1,
                    "by": principal.username,
                    "reason": refund.reason if cut_short else body.reason,
                    "amount_vnd": refund.amount_vnd if cut_short else amount,
                    "full": refund.full if cut_short else amount == order.amount_vnd,
                    "request_id": refund.request_id if cut_short else uuid.uuid4().hex,
                    "request_date": refund.request_date if cut_short else now,
                    "response_code": None,
                    "done_at": None,
                }
            )
            self._begin(order, attempt, replacing=refund)
            result = self._already(order, attempt, client_ip) or self._call(order, attempt, client_ip)
        done = result.taken
        finished = attempt.model_copy(
            update={
                "state": RefundState.DONE if done else RefundState.FAILED,
                "done_at": self.clock.now(),
                "response_code": result.response_code,
                "transaction_no": result.transaction_no,
            }
        )
        self._finish(order, finished)
        count("Refund", outcome=result.outcome.value)
        if done:
            finished = self._tell(principal, order, finished)
        else:
            logger.warning(
                "refund refused by the gateway", extra={"ref": order.ref, "code": result.response_code}
            )
        return self._item(principal, order, finished, dossier)

    # --- the dossier's payments (staff and the applicant) ------------------------------------

    def payments_of(self, principal: Principal, code: str) -> DossierPayments:
        dossier = self._dossier(code)
        if not can_see(principal, dossier):
            raise Forbidden()
        items = [self._item(principal, o, r, dossier) for o, r in self.store.orders_of(dossier.code)]
        refunded = sum(
            i.refund.amount_vnd for i in items if i.refund is not None and i.refund.state is RefundState.DONE
        )
        return DossierPayments(dossier=dossier.code, items=items, refunded_vnd=refunded)

    # --- helpers -----------------------------------------------------------------------------

    def allowed(self, order: Order, dossier: Dossier) -> Text | None:
        """Why `order` may not be refunded; None when it may."""
        if order.state is OrderState.REFUND_DUE:
            return None  # paid twice: the second payment is given back whatever the dossier's state
        if order.state is not OrderState.PAID:
            return Text(vi="khoản thanh toán chưa được xác nhận.", en="the payment was never confirmed.")
        procedure = self.province.procedures_by_code.get(dossier.procedure_code)
        statuses = {_STATUS_NAMES[name] for name in procedure.fee.refund_on} if procedure else set()
        if dossier.status in statuses:
            return None
        names = ", ".join(f"{s.label.vi} ({s.value})" for s in sorted(statuses)) or "—"
        names_en = ", ".join(f"{s.label.en} ({s.value})" for s in sorted(statuses)) or "—"
        return Text(
            vi=f"hồ sơ đang ở trạng thái {dossier.status.label.vi} ({dossier.status.value}); phí của thủ tục "
            f"này chỉ được hoàn khi hồ sơ ở trạng thái: {names}.",
            en=f"the dossier is {dossier.status.label.en} ({dossier.status.value}); this procedure's fee "
            f"is refunded only when the dossier is: {names_en}.",
        )

    def _check_allowed(self, order: Order, dossier: Dossier) -> None:
        why = self.allowed(order, dossier)
        if why is not None:
            raise RefundNotAllowed(why)

    def _begin(self, order: Order, attempt: Refund, *, replacing: Refund | None) -> None:
        try:
            self.store.begin(order, attempt, replacing=replacing)
        except RefundTaken:
            found = self.store.order_with_refund(order.ref)
            now_refund = found[1] if found else None
            if now_refund is None:  # not a confirmed payment any more (cannot happen: kept as is)
                raise RefundNotAllowed(
                    Text(vi="khoản thanh toán chưa được xác nhận.", en="the payment was never confirmed.")
                ) from None
            raise RefundExists(now_refund.state) from None

    def _finish(self, order: Order, refund: Refund) -> None:
        try:
            self.store.finish(order, refund)
        except RefundTaken:  # another officer's retry replaced this attempt: theirs is the record
            raise RefundExists(RefundState.REQUESTED) from None

    def _call(self, order: Order, attempt: Refund, client_ip: str) -> RefundResult:
        gateway = self.payments._gateway()
        return gateway.refund(
            order,
            attempt.amount_vnd,
            reason=attempt.reason,
            by=attempt.by,
            client_ip=client_ip,
            now=attempt.request_date,
            request_id=attempt.request_id,
        )

    def _already(self, order: Order, attempt: Refund, client_ip: str) -> RefundResult | None:
        """Whether the gateway already holds a refund of this payment (querydr), before asking again."""
        try:
            notice = self.payments._gateway().query(order, client_ip=client_ip, now=self.clock.now())
        except (InvalidSignature, OSError, ValueError):
            return None  # not known: the request itself will tell (94 if it was taken)
        if notice.transaction_status in REFUNDING:
            return RefundResult(
                outcome=RefundOutcome.ALREADY,
                response_code=notice.transaction_status or "",
                request_id=attempt.request_id,
            )
        return None

    def _tell(self, principal: Principal, order: Order, refund: Refund) -> Refund:
        """The dossier's audit entry `refund` (the citizen's email and SMS), then the refund `told`."""
        said = f"{refund.amount_vnd} VND: {refund.reason}"

        def write() -> None:
            record = self.repository.get(order.dossier)
            if record is None:
                return
            dossier = record.dossier
            audit = record_change(
                principal, REFUND_ACTION, before=dossier.status, after=dossier, at=self.clock.now(),
                agency=order.agency, reason=said,
            )  # fmt: skip
            self.repository.apply(seal(dossier, dossier, audit))

        on_fresh_read(write)
        told = refund.model_copy(update={"told": True})
        try:
            self.store.finish(order, told)
        except RefundTaken:
            logger.warning("refund told, but its record moved on", extra={"ref": order.ref})
        return told

    def _item(
        self, principal: Principal, order: Order, refund: Refund | None, dossier: Dossier
    ) -> DossierPayment:
        staff = principal.is_staff and principal.agency == order.agency and principal.role in DESK
        if refund is None:
            may = staff and self.allowed(order, dossier) is None
        else:  # a failure, or a request cut short, may be tried again
            cut_short = (
                refund.state is RefundState.REQUESTED and self.clock.now() - refund.requested_at >= STALE
            )
            may = staff and (refund.state is RefundState.FAILED or cut_short)
        return DossierPayment(
            ref=order.ref,
            fee=order.fee,
            amount_vnd=order.amount_vnd,
            state=order.state,
            created_at=order.created_at,
            confirmed_at=order.confirmed_at,
            transaction_no=order.transaction_no,
            refund=RefundView.model_validate(refund.model_dump()) if refund is not None else None,
            can_refund=bool(may),
        )

    def _dossier(self, code: str) -> Dossier:
        record = self.repository.get(code) if is_dossier_code(code) else None
        if record is None:
            raise NotFound(DOSSIER, code, code="dossier_not_found")
        return record.dossier
