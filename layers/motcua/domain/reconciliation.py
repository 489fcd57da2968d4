"""Daily reconciliation (đối soát): the gateway's list of a day's transactions against our orders."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.errors import NotFound, Unavailable
from motcua.domain.i18n import Text
from motcua.domain.payments import OrderState

if TYPE_CHECKING:
    from collections.abc import Iterable

    from motcua.domain.models import Page
    from motcua.domain.payments import Order

# The gateway's day T runs 00:00:00–23:59:59 in Vietnam's time (UTC+7, no daylight saving).
VIETNAM = timezone(timedelta(hours=7))
# An order the IPN confirmed: the gateway took the money (paid, or a second payment flagged for refund).
CONFIRMED = frozenset({OrderState.PAID, OrderState.REFUND_DUE})


def vietnam_day(at: datetime) -> date:
    return at.astimezone(VIETNAM).date()


class TransactionType(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"


class GatewayTransaction(BaseModel):
    """One line of the gateway's list of a day (a payment or a refund), as the gateway recorded it."""

    model_config = ConfigDict(frozen=True)

    ref: str  # our order (vnp_TxnRef)
    transaction_no: str  # the gateway's (vnp_TransactionNo)
    amount_vnd: int
    paid_at: datetime  # vnp_PayDate
    type: TransactionType = TransactionType.PAYMENT
    status: str = "00"  # vnp_TransactionStatus: 00 success

    @property
    def success(self) -> bool:
        return self.status == "00"


class TransactionList(Protocol):
    """The gateway's own list of a day's transactions (VNPAY: the reconciliation file of day T)."""

    def day(self, day: date) -> list[GatewayTransaction]:
        """Every transaction of `day` (Vietnam time); ReconciliationFileMissing if not published yet."""
        ...


class DifferenceKind(StrEnum):
    PAID_THERE_NOT_HERE = "paid_there_not_here"  # the gateway took it, our order is not paid (IPN lost)
    AMOUNT_DIFFERS = "amount_differs"  # both have it, with other amounts
    HERE_NOT_THERE = "here_not_there"  # paid here, absent from the gateway's list


class Difference(BaseModel):
    """One thing the two sides do not agree on; nothing in the orders is changed because of it."""

    model_config = ConfigDict(frozen=True)

    kind: DifferenceKind
    ref: str
    agency: str | None = None  # the collecting agency; None: no such order here
    dossier: str | None = None
    state_here: OrderState | None = None  # None: no such order here
    amount_here: int | None = None
    amount_there: int | None = None
    transaction_no: str | None = None
    paid_at: datetime | None = None  # the gateway's time, or ours when it has none


class Totals(BaseModel):
    """Counts and sums of one side (or one agency's part of it)."""

    here_count: int = 0
    here_vnd: int = 0
    there_count: int = 0
    there_vnd: int = 0
    refunds_count: int = 0  # refunds in the gateway's list (shown; refunds are not compared yet)
    refunds_vnd: int = 0


class Reconciliation(BaseModel):
    """The report of a day (kept one per day; a new run of the day replaces it)."""

    day: date
    gateway: str
    ran_at: datetime
    totals: Totals = Field(default_factory=Totals)
    agencies: dict[str, Totals] = Field(default_factory=dict)
    differences: list[Difference] = Field(default_factory=list)

    def counts(self) -> dict[DifferenceKind, int]:
        return {kind: sum(1 for d in self.differences if d.kind is kind) for kind in DifferenceKind}

    def part(self, agencies: Iterable[str]) -> Reconciliation:
        """What `agencies` see: their totals and their differences (a payment at the gateway for no
        order of ours belongs to no agency: the province's report, for its administrators, shows it)."""
        keep = set(agencies)
        mine = {code: totals for code, totals in self.agencies.items() if code in keep}
        total = Totals()
        for part in mine.values():
            for name in Totals.model_fields:
                setattr(total, name, getattr(total, name) + getattr(part, name))
        return self.model_copy(
            update={
                "agencies": mine,
                "totals": total,
                "differences": [d for d in self.differences if d.agency in keep],
            }
        )


def confirmed_on(order: Order, day: date) -> bool:
    """Whether the IPN confirmed `order` on `day` (Vietnam time): the gateway took the money then."""
    return (
        order.state in CONFIRMED and order.confirmed_at is not None and vietnam_day(order.confirmed_at) == day
    )


def compare(
    day: date,
    there: Iterable[GatewayTransaction],
    here: Iterable[Order],
    *,
    gateway: str,
    ran_at: datetime,
    listed_before: frozenset[str] = frozenset(),
) -> Reconciliation:
    """The day's differences between the gateway's list (`there`) and our orders (`here`: every order
    the gateway's payments name, and ours confirmed that day). `listed_before`: references the gateway
    listed the day before (a payment at 23:59:59 whose IPN came after midnight is not a difference)."""
    orders = {order.ref: order for order in here}
    report = Reconciliation(day=day, gateway=gateway, ran_at=ran_at)
    paid_there: set[str] = set()
    for line in there:
        if line.success:
            _there(report, line, orders.get(line.ref))
            if line.type is TransactionType.PAYMENT:
                paid_there.add(line.ref)
    for order in sorted(orders.values(), key=lambda o: o.ref):
        if not confirmed_on(order, day):
            continue
        for totals in _sides(report, order.agency):
            totals.here_count += 1
            totals.here_vnd += order.amount_vnd
        if order.ref in paid_there or order.ref in listed_before:
            continue
        report.differences.append(
            Difference(
                kind=DifferenceKind.HERE_NOT_THERE,
                ref=order.ref,
                agency=order.agency,
                dossier=order.dossier,
                state_here=order.state,
                amount_here=order.amount_vnd,
                transaction_no=order.transaction_no,
                paid_at=order.confirmed_at,
            )
        )
    report.differences.sort(key=lambda d: (d.agency or "", d.kind.value, d.ref))
    return report


def _there(report: Reconciliation, line: GatewayTransaction, order: Order | None) -> None:
    """Count one successful line of the gateway's and note how it differs from our order."""
    sides = _sides(report, order.agency if order else None)
    if line.type is TransactionType.REFUND:
        for totals in sides:
            totals.refunds_count += 1
            totals.refunds_vnd += line.amount_vnd
        return
    for totals in sides:
        totals.there_count += 1
        totals.there_vnd += line.amount_vnd
    if order is not None and order.state in CONFIRMED and order.amount_vnd == line.amount_vnd:
        return
    report.differences.append(
        Difference(
            kind=DifferenceKind.AMOUNT_DIFFERS
            if order is not None and order.state in CONFIRMED
            else DifferenceKind.PAID_THERE_NOT_HERE,
            ref=line.ref,
            agency=order.agency if order else None,
            dossier=order.dossier if order else None,
            state_here=order.state if order else None,
            amount_here=order.amount_vnd if order else None,
            amount_there=line.amount_vnd,
            transaction_no=line.transaction_no,
            paid_at=line.paid_at,
        )
    )


def _sides(report: Reconciliation, agency: str | None) -> list[Totals]:
    """The province's totals and, for an order we know, its agency's."""
    if agency is None:
        return [report.totals]
    return [report.totals, report.agencies.setdefault(agency, Totals())]


class ReconciliationStore(Protocol):
    """Our side of a day and the kept reports (one table: docs/payments.md, "Reconciliation")."""

    def orders_created(self, day: date) -> list[Order]:
        """Every order made on `day` (Vietnam time), whatever its state: one Query per page."""
        ...

    def orders(self, refs: Iterable[str]) -> dict[str, Order]:
        """The orders of these references that exist (read together)."""
        ...

    def agency_orders(self, agency: str, day: date, *, limit: int, token: str | None) -> Page[Order]:
        """One page of the orders made on `day` that `agency` collects, in reference order."""
        ...

    def keep(self, report: Reconciliation) -> None:
        """Write the day's report, replacing an earlier run's."""
        ...

    def report(self, day: date) -> Reconciliation | None: ...


class ReconciliationFileMissing(Unavailable):
    """The gateway's list of the day is not there yet: the run fails and is retried later."""

    code = "reconciliation_file_missing"

    def __init__(self, day: date) -> None:
        super().__init__(
            Text(
                vi=f"Chưa có tệp đối soát của cổng thanh toán cho ngày {day:%d/%m/%Y}.",
                en=f"The gateway's reconciliation file for {day:%Y-%m-%d} is not there yet.",
            ),
            retry_after=3600,
        )


class NoReconciliation(NotFound):
    def __init__(self, day: date) -> None:
        super().__init__(
            Text(vi="báo cáo đối soát của ngày", en="reconciliation report for the day"),
            day.isoformat(),
            code="reconciliation_not_found",
        )
