"""The daily reconciliation (đối soát): the gateway's list of a day against our orders, reported to leaders.

Nothing in the orders is changed: every difference is reported to the collecting agency's leaders, who
take it up with the gateway (docs/payments.md, "Reconciliation").
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from pydantic import BaseModel

from motcua.domain.errors import Forbidden
from motcua.domain.i18n import Text
from motcua.domain.payments import OrderState
from motcua.domain.permissions import DESK, LEADERS, check_role
from motcua.domain.ports import OutgoingMessage
from motcua.domain.reconciliation import (
    CONFIRMED,
    DifferenceKind,
    NoReconciliation,
    Reconciliation,
    ReconciliationFileMissing,
    TransactionType,
    compare,
    confirmed_on,
    vietnam_day,
)
from motcua.domain.roles import Role
from motcua.observability import count, logger

if TYPE_CHECKING:
    from collections.abc import Callable

    from motcua.config.province import Province
    from motcua.domain.models import Principal
    from motcua.domain.payments import Order
    from motcua.domain.ports import Clock, Messenger, OnceOnly
    from motcua.domain.reconciliation import ReconciliationStore, TransactionList

PAYMENTS = Text(vi="xem các khoản thanh toán của cơ quan", en="see the agency's payments")
REPORT = Text(vi="xem báo cáo đối soát", en="see the reconciliation report")
KIND_WORDS = {
    DifferenceKind.PAID_THERE_NOT_HERE: Text(
        vi="Cổng thanh toán đã thu, hệ thống chưa ghi nhận",
        en="Paid at the gateway, not recorded here",
    ),
    DifferenceKind.AMOUNT_DIFFERS: Text(vi="Số tiền khác nhau", en="The amounts differ"),
    DifferenceKind.HERE_NOT_THERE: Text(
        vi="Hệ thống ghi nhận đã thu, cổng thanh toán không có",
        en="Recorded as paid here, not at the gateway",
    ),
}


class PaymentLine(BaseModel):
    """One order of the day as the agency's payments list shows it."""

    ref: str
    dossier: str
    amount_vnd: int
    state: OrderState
    created_at: datetime
    confirmed_at: datetime | None = None
    transaction_no: str | None = None


class DayPayments(BaseModel):
    """The agency's orders of a day (one page), with the page's totals."""

    day: date
    agency: str
    items: list[PaymentLine]
    paid_count: int  # on this page: confirmed by the gateway (paid, or flagged for refund)
    paid_vnd: int
    next_token: str | None = None


class ReconciliationService:
    def __init__(
        self,
        *,
        province: Province,
        store: ReconciliationStore,
        transactions: Callable[[], TransactionList],
        gateway: str,
        clock: Clock,
        messenger: Callable[[], Messenger],
        once: Callable[[], OnceOnly],
        console_url: str,
    ) -> None:
        self.province = province
        self.store = store
        self.transactions = transactions
        self.gateway = gateway
        self.clock = clock
        self.messenger = messenger
        self.once = once
        self.console_url = console_url.rstrip("/")

    def yesterday(self) -> date:
        return vietnam_day(self.clock.now()) - timedelta(days=1)

    # --- the run -------------------------------------------------------------------------------

    def run(self, day: date | None = None) -> Reconciliation:
        """Compare `day` (yesterday, Vietnam time, by default), keep the report (replacing an earlier
        run's) and tell each agency with differences. Safe to run again: the same report, no new mail."""
        day = day or self.yesterday()
        source = self.transactions()
        there = source.day(day)
        # An order made before midnight may be paid after it: the day's and the day before's orders.
        here: dict[str, Order] = {}
        for created in (day - timedelta(days=1), day):
            here |= {order.ref: order for order in self.store.orders_created(created)}
        named = {line.ref for line in there if line.type is TransactionType.PAYMENT and line.success}
        missing = named - here.keys()
        if missing:  # paid to an order older than that, or to no order of ours
            here |= self.store.orders(missing)
        listed_before: frozenset[str] = frozenset()
        if any(confirmed_on(order, day) and order.ref not in named for order in here.values()):
            # Paid at 23:59:59 and confirmed after midnight: the gateway lists it the day before.
            try:
                listed_before = frozenset(line.ref for line in source.day(day - timedelta(days=1)))
            except ReconciliationFileMissing:
                listed_before = frozenset()
        now = self.clock.now()
        report = compare(
            day, there, here.values(), gateway=self.gateway, ran_at=now, listed_before=listed_before
        )
        self.store.keep(report)
        counts = report.counts()
        logger.info(
            "reconciliation kept",
            extra={"day": day.isoformat(), "differences": len(report.differences)}
            | {kind.value: n for kind, n in counts.items()},
        )
        count("ReconciliationDifferences", len(report.differences))
        self._tell(report)
        return report

    def _tell(self, report: Reconciliation) -> None:
        """An email to each agency with differences (its mailbox, read by its leaders), once per content."""
        agencies = sorted({d.agency for d in report.differences if d.agency is not None})
        if any(d.agency is None for d in report.differences):
            logger.warning("reconciliation: payments at the gateway for no order of ours")
        for code in agencies:
            agency = self.province.agencies_by_code.get(code)
            if agency is None or not agency.email:
                logger.warning("reconciliation: no mailbox for the agency", extra={"agency": code})
                continue
            part = report.part([code])
            digest = hashlib.sha256(
                "|".join(f"{d.kind.value}:{d.ref}" for d in part.differences).encode()
            ).hexdigest()[:16]
            self.once().run(
                f"reconciliation#{report.day.isoformat()}#{code}#{digest}",
                partial(self._send, self._message(part, agency.email)),
            )

    def _send(self, message: OutgoingMessage) -> dict[str, str]:
        return {"id": self.messenger().send(message)}

    def _message(self, part: Reconciliation, to: str) -> OutgoingMessage:
        link = f"{self.console_url}/#/payments/reconciliation?day={part.day.isoformat()}"
        counts = part.counts()
        lines_vi = [f"- {KIND_WORDS[kind].vi}: {n}" for kind, n in counts.items() if n]
        lines_en = [f"- {KIND_WORDS[kind].en}: {n}" for kind, n in counts.items() if n]
        text = "\n".join(
            [
                f"Đối soát thanh toán ngày {part.day:%d/%m/%Y}: {len(part.differences)} chênh lệch.",
                *lines_vi,
                "Không có khoản nào bị tự động thay đổi. Xem chi tiết:",
                link,
                "",
                f"Payment reconciliation of {part.day:%Y-%m-%d}: {len(part.differences)} differences.",
                *lines_en,
                "Nothing was changed automatically. The details:",
                link,
            ]
        )
        subject = f"Đối soát thanh toán {part.day:%d/%m/%Y}: {len(part.differences)} chênh lệch"
        return OutgoingMessage(channel="email", to=to, text=text, subject=subject)

    # --- reading -------------------------------------------------------------------------------

    def report(self, principal: Principal, day: date) -> Reconciliation:
        """The day's report: a leader sees their agency's part, an administrator the province's."""
        if principal.is_staff and principal.role is Role.ADMIN:
            found = self.store.report(day)
            if found is None:
                raise NoReconciliation(day)
            return found
        check_role(principal, LEADERS, REPORT)
        found = self.store.report(day)
        if found is None:
            raise NoReconciliation(day)
        return found.part([principal.agency or ""])

    def payments(
        self, principal: Principal, day: date | None, *, limit: int, token: str | None
    ) -> DayPayments:
        """The orders the principal's agency collects that were made on `day` (today by default)."""
        check_role(principal, DESK, PAYMENTS)
        if not principal.agency:
            raise Forbidden(PAYMENTS)
        day = day or vietnam_day(self.clock.now())
        page = self.store.agency_orders(principal.agency, day, limit=limit, token=token)
        confirmed = [order for order in page.items if order.state in CONFIRMED]
        return DayPayments(
            day=day,
            agency=principal.agency,
            items=[
                PaymentLine(
                    ref=order.ref,
                    dossier=order.dossier,
                    amount_vnd=order.amount_vnd,
                    state=order.state,
                    created_at=order.created_at,
                    confirmed_at=order.confirmed_at,
                    transaction_no=order.transaction_no,
                )
                for order in page.items
            ],
            paid_count=len(confirmed),
            paid_vnd=sum(order.amount_vnd for order in confirmed),
            next_token=page.next_token,
        )
