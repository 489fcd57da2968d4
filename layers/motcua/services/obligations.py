"""Financial obligations (status 6): asked by an officer, paid online, resumed by the IPN's own
transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel

from motcua.domain.changes import seal
from motcua.domain.errors import FieldError, Forbidden, InvalidInput
from motcua.domain.i18n import Text
from motcua.domain.models import PrincipalKind, TaskKind, TaskState
from motcua.domain.obligations import (
    NoObligation,
    Obligation,
    ObligationAlreadyPaid,
    ObligationCancel,
    ObligationItem,
    ObligationRequest,
    ObligationState,
    is_obligation_fee,
    new_obligation_id,
)
from motcua.domain.payments import FeeAlreadyPaid
from motcua.domain.permissions import DESK, may_act
from motcua.domain.status import Action, Status, plan
from motcua.domain.tasks import moved
from motcua.observability import count, logger
from motcua.services.auditing import record as record_change
from motcua.services.auditing import timeline
from motcua.services.dossiers import can_see
from motcua.services.retry import on_fresh_read

if TYPE_CHECKING:
    from motcua.config.province import Province
    from motcua.domain.changes import Change
    from motcua.domain.i18n import Language
    from motcua.domain.models import Dossier, DossierRecord, Principal, Task
    from motcua.domain.payments import Order
    from motcua.domain.ports import Clock, DossierRepository
    from motcua.services.inbox import InboxService
    from motcua.services.payments import PaymentService, PaymentStarted


class ObligationView(BaseModel):
    """A dossier's financial obligation as the portal and the console show it."""

    dossier: str
    id: str
    amount_vnd: int
    items: tuple[ObligationItem, ...]
    reason: str
    state: ObligationState
    requested_at: datetime
    settled_at: datetime | None = None
    paid_by: str | None = None  # the order that paid it
    transaction_no: str | None = None
    orders: int = 0  # payment attempts so far
    last_order: str | None = None
    can_pay: bool  # the applicant, while it is due
    can_cancel: bool  # staff who may act on its task, while it is due


class ObligationService:
    def __init__(
        self,
        *,
        province: Province,
        repository: DossierRepository,
        inbox: InboxService,
        payments: PaymentService,
        clock: Clock,
    ) -> None:
        self.province = province
        self.repository = repository
        self.inbox = inbox
        self.payments = payments
        self.clock = clock

    # --- the officer -------------------------------------------------------------------------

    def request(self, principal: Principal, task_id: str, body: ObligationRequest) -> ObligationView:
        """Ask the applicant to pay: the dossier goes to status 6 and its clock stops (as for papers)."""
        _check_sum(body)
        return on_fresh_read(lambda: self._request(principal, task_id, body))

    def _request(self, principal: Principal, task_id: str, body: ObligationRequest) -> ObligationView:
        task, record = self.inbox.load_task(principal, task_id)
        dossier = record.dossier
        ob = dossier.obligation
        if (
            dossier.status is Status.FEES_DUE
            and ob is not None
            and ob.task_id == task_id
            and (ob.amount_vnd, ob.items, ob.reason) == (body.amount_vnd, tuple(body.items), body.reason)
        ):
            return self._view(principal, record)  # this very request: a retry whose answer was lost
        self._check_may(principal, task, dossier, Action.REQUEST_FEES)
        _check_open(task)
        path = plan(Action.REQUEST_FEES, dossier.status)
        self.payments.settings  # noqa: B018 — PaymentsOff (409) when the province cannot take payments
        now = self.clock.now()
        obligation = Obligation(
            id=new_obligation_id(),
            amount_vnd=body.amount_vnd,
            items=tuple(body.items),
            reason=body.reason,
            task_id=task.task_id,
            requested_by=principal.username,
            requested_at=now,
        )
        after = dossier.model_copy(
            update={
                "status": path[-1],
                "resume_to": dossier.status,
                "paused_at": now,
                "reason": body.reason,
                "obligation": obligation,
            }
        )
        waiting = moved(task, after, TaskState.WAITING, now)
        said = f"{body.amount_vnd} VND: {body.reason}"
        audit = record_change(
            principal, Action.REQUEST_FEES.value, before=dossier.status, after=after, at=now,
            task_id=task.task_id, reason=said,
        )  # fmt: skip
        role = principal.role or PrincipalKind.STAFF
        events = timeline(path, Action.REQUEST_FEES, task.agency, role, said, now)
        self.repository.apply(seal(dossier, after, audit, tasks=(waiting,), events=events))
        count("ObligationRequested")
        return self._view(principal, self.repository_record(dossier.code))

    def cancel(self, principal: Principal, task_id: str, body: ObligationCancel) -> ObligationView:
        """Withdraw the request: the fee is no longer due (a payment after this is refunded), the
        dossier resumes with its clock moved on by the days it stood still."""
        return on_fresh_read(lambda: self._cancel(principal, task_id, body))

    def _cancel(self, principal: Principal, task_id: str, body: ObligationCancel) -> ObligationView:
        task, record = self.inbox.load_task(principal, task_id)
        dossier = record.dossier
        ob = dossier.obligation
        if ob is not None and ob.state is ObligationState.CANCELLED and ob.cancelled_by == principal.username:
            return self._view(principal, record)  # cancelled by this very request
        self._check_may(principal, task, dossier, Action.CANCEL_FEES)
        if ob is None or ob.task_id != task_id:
            raise NoObligation()
        if ob.state is ObligationState.PAID:
            raise ObligationAlreadyPaid()
        if dossier.status is not Status.FEES_DUE or ob.state is not ObligationState.DUE:
            raise NoObligation()
        now = self.clock.now()
        try:
            # First the fee, under its condition: from now on an IPN for it is a payment to refund.
            self.payments.store.cancel_fee(
                dossier.code, ob.fee, amount_vnd=ob.amount_vnd, dossier_filed_at=dossier.filed_at, at=now
            )
        except FeeAlreadyPaid:
            self.settled_fee(dossier.code, ob.fee)  # the payment won: the dossier resumes as paid
            raise ObligationAlreadyPaid() from None
        settled = ob.model_copy(
            update={"state": ObligationState.CANCELLED, "settled_at": now, "cancelled_by": principal.username}
        )
        self.repository.apply(self._resumed(principal, record, Action.CANCEL_FEES, settled, body.reason, now))
        count("ObligationCancelled")
        return self._view(principal, self.repository_record(dossier.code))

    # --- the gateway's confirmed payment (from the IPN) --------------------------------------

    def paid_change(self, order: Order) -> Change | None:
        """What the IPN writes beside `order`'s payment, in the same transaction: the dossier waiting
        for the obligation that the order pays resumes (None: no dossier waits for it).

        FeeAlreadyPaid when the dossier shows that obligation settled already, cancelled or paid by
        another order: its fee item says so too (a cancel marks the fee first; a payment marks it in
        the transaction that resumes the dossier), and this payment is to be refunded."""
        if not is_obligation_fee(order.fee):
            return None
        record = self.repository.get(order.dossier)
        if record is None:
            return None
        dossier = record.dossier
        ob = dossier.obligation
        if ob is None or ob.id != order.fee:
            return None
        if ob.state is not ObligationState.DUE:
            raise FeeAlreadyPaid()
        if dossier.status is not Status.FEES_DUE:
            return None
        now = self.clock.now()
        paid = ob.model_copy(update={"state": ObligationState.PAID, "settled_at": now, "paid_by": order.ref})
        return self._resumed(None, record, Action.FEES_PAID, paid, None, now)

    def settled_fee(self, code: str, fee: str) -> None:
        """The fee is paid (its item says so): a dossier still waiting for it resumes. A cancel that
        lost the race to the payment calls it; the IPN resumes the dossier in its own transaction."""
        on_fresh_read(lambda: self._settled(code, fee))

    def _settled(self, code: str, fee: str) -> None:
        record = self.repository.get(code)
        if record is None:
            return
        dossier = record.dossier
        ob = dossier.obligation
        if (
            ob is None
            or ob.id != fee
            or ob.state is not ObligationState.DUE
            or dossier.status is not Status.FEES_DUE
        ):
            return  # resumed already (by the payment's transaction), or cancelled first
        _, fee_record = self.payments.store.dossier_and_fee(code, fee)
        if fee_record is None or not fee_record.paid:
            return
        now = self.clock.now()
        paid = ob.model_copy(
            update={"state": ObligationState.PAID, "settled_at": now, "paid_by": fee_record.paid_by}
        )
        self.repository.apply(self._resumed(None, record, Action.FEES_PAID, paid, None, now))
        count("ObligationPaid")
        logger.info("financial obligation paid: the dossier resumes", extra={"dossier": code})

    def _resumed(
        self,
        principal: Principal | None,
        record: DossierRecord,
        action: Action,
        obligation: Obligation,
        reason: str | None,
        now: datetime,
    ) -> Change:
        """The dossier back to where it was before status 6, its clock moved on by the days it
        stood still, the task open again: the change, written by the caller."""
        dossier = record.dossier
        path = plan(action, dossier.status)
        assert dossier.paused_at is not None  # status 6 sets it
        calendar = self.province.working_calendar
        due_at, stood_still = calendar.resume(dossier.due_at, dossier.paused_at, now)
        resumed = dossier.model_copy(
            update={
                "status": dossier.resume_to or path[-1],
                "resume_to": None,
                "paused_at": None,
                "due_at": due_at,
                "appointment_at": calendar.shift(dossier.appointment_at, stood_still)
                if dossier.appointment_at
                else None,
                "days_paused": dossier.days_paused + stood_still,
                "obligation": obligation,
            }
        )
        task = record.task(obligation.task_id)
        tasks: tuple[Task, ...] = ()
        if task is not None and task.state is TaskState.WAITING:
            step_due = calendar.shift(task.due_at, stood_still) if task.kind is TaskKind.STEP else due_at
            tasks = (moved(task, resumed, TaskState.OPEN, now, due_at=step_due),)
        agency = task.agency if task is not None else dossier.agency
        audit = record_change(
            principal, action.value, before=dossier.status, after=resumed, at=now,
            task_id=obligation.task_id, agency=agency, reason=reason,
        )  # fmt: skip
        role = (principal.role or PrincipalKind.STAFF) if principal else PrincipalKind.STAFF
        events = timeline(path, action, agency, role, reason, now)
        return seal(dossier, resumed, audit, tasks=tasks, events=events)

    # --- the citizen -------------------------------------------------------------------------

    def view(self, principal: Principal, code: str) -> ObligationView:
        record = self.repository_record(code)
        if not can_see(principal, record.dossier):
            raise Forbidden()
        return self._view(principal, record)

    def pay(self, principal: Principal, code: str, *, client_ip: str, language: Language) -> PaymentStarted:
        """A new order for the obligation (each attempt its own), and the gateway's page for it."""
        record = self.repository_record(code)
        dossier = record.dossier
        if principal.kind is not PrincipalKind.CITIZEN or principal.sub != dossier.owner:
            raise Forbidden(
                Text(vi="Chỉ người nộp hồ sơ thanh toán phí.", en="Only the applicant pays the fee.")
            )
        ob = dossier.obligation
        if ob is None or ob.state is not ObligationState.DUE or dossier.status is not Status.FEES_DUE:
            raise NoObligation()
        return self.payments.start_fee(
            dossier,
            ob.fee,
            ob.amount_vnd,
            client_ip=client_ip,
            language=language,
            info=f"Thanh toan nghia vu tai chinh ho so {dossier.code}",
        )

    # --- helpers -----------------------------------------------------------------------------

    def repository_record(self, code: str) -> DossierRecord:
        return self.inbox.dossiers.load(code)

    def _check_may(self, principal: Principal, task: Task, dossier: Dossier, action: Action) -> None:
        """The task's holder (its role, whom it was forwarded to) or the receiving desk."""
        desk = principal.is_staff and principal.agency == dossier.agency and principal.role in DESK
        if not desk and not may_act(principal, task, Action.APPROVE, Status.IN_PROCESS):
            raise Forbidden(
                Text(
                    vi="Chỉ người đang xử lý công việc này hoặc bộ phận một cửa được yêu cầu hay hủy "
                    "nghĩa vụ tài chính.",
                    en="Only the holder of this task or the one-stop desk asks for or cancels a "
                    "financial obligation.",
                )
            )

    def _view(self, principal: Principal, record: DossierRecord) -> ObligationView:
        dossier = record.dossier
        ob = dossier.obligation
        if ob is None:
            raise NoObligation()
        _, fee = self.payments.store.dossier_and_fee(dossier.code, ob.fee)
        due = ob.state is ObligationState.DUE and dossier.status is Status.FEES_DUE
        task = record.task(ob.task_id)
        may_cancel = (
            due
            and principal.is_staff
            and task is not None
            and (
                (principal.agency == dossier.agency and principal.role in DESK)
                or may_act(principal, task, Action.APPROVE, Status.IN_PROCESS)
            )
        )
        return ObligationView(
            dossier=dossier.code,
            id=ob.id,
            amount_vnd=ob.amount_vnd,
            items=ob.items,
            reason=ob.reason,
            state=ob.state,
            requested_at=ob.requested_at,
            settled_at=ob.settled_at,
            paid_by=ob.paid_by,
            transaction_no=fee.transaction_no if fee is not None and fee.paid else None,
            orders=fee.orders if fee else 0,
            last_order=fee.last_order if fee else None,
            can_pay=due and principal.kind is PrincipalKind.CITIZEN and principal.sub == dossier.owner,
            can_cancel=bool(may_cancel),
        )


def _check_sum(body: ObligationRequest) -> None:
    total = sum(item.amount_vnd for item in body.items)
    if total != body.amount_vnd:
        message = Text(
            vi=f"Tổng số tiền ({body.amount_vnd:,} đồng) phải bằng tổng các khoản ({total:,} đồng).",
            en=f"The amount ({body.amount_vnd:,} VND) must be the sum of the items ({total:,} VND).",
        )
        raise InvalidInput(
            message, fields=(FieldError(field="amount_vnd", code="amount_not_sum", message=message),)
        )


def _check_open(task: Task) -> None:
    if task.state is not TaskState.OPEN:
        from motcua.domain.errors import Conflict

        raise Conflict(
            Text(
                vi=f"Công việc {task.task_id} không còn mở ({task.state.value}).",
                en=f"Task {task.task_id} is no longer open ({task.state.value}).",
            ),
            code="task_not_open",
        )
