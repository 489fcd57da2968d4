"""Fees paid online (thanh toán trực tuyến): orders, what a gateway reports, and the IPN's answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.errors import Conflict
from motcua.domain.i18n import Text

# The fee a procedure's catalog entry fixes, paid right after filing (one per dossier).
FILING_FEE = "filing"


class OrderState(StrEnum):
    """Where an order (đơn thanh toán) stands; only the gateway's signed IPN moves it from pending."""

    PENDING = "pending"  # sent to the gateway; no IPN yet
    PAID = "paid"  # the IPN confirmed it and it paid the fee
    FAILED = "failed"  # the IPN said the citizen cancelled or the bank refused
    REFUND_DUE = "refund_due"  # the IPN confirmed it but the fee was already paid by another order


class Order(BaseModel):
    """One attempt to pay a fee through the gateway; a new attempt is a new order (a new reference)."""

    model_config = ConfigDict(frozen=True)

    ref: str = Field(pattern=r"^[A-Z0-9]{8,32}$")  # vnp_TxnRef: unique, letters and digits
    dossier: str
    fee: str = FILING_FEE
    owner: str
    agency: str  # the collecting agency (đơn vị thu): the dossier's receiving agency
    amount_vnd: int = Field(gt=0)  # integers in VND; the gateway is sent ×100
    gateway: str
    created_at: datetime
    pay_by: datetime  # after this the gateway no longer takes it (vnp_ExpireDate)
    state: OrderState = OrderState.PENDING
    # What the gateway reported in the IPN (never a card number: the gateway keeps that).
    transaction_no: str | None = None
    bank_code: str | None = None
    response_code: str | None = None
    confirmed_at: datetime | None = None
    late: bool = False  # the IPN came after `pay_by`

    def expired(self, now: datetime) -> bool:
        return self.state is OrderState.PENDING and now >= self.pay_by


class FeeRecord(BaseModel):
    """A dossier's fee and whether it is paid: set paid once, by one order, under a condition."""

    model_config = ConfigDict(frozen=True)

    dossier: str
    fee: str = FILING_FEE
    amount_vnd: int = Field(gt=0)
    orders: int = 0  # orders made so far (each attempt one)
    last_order: str | None = None
    paid_by: str | None = None  # the order that paid it
    paid_at: datetime | None = None
    transaction_no: str | None = None

    @property
    def paid(self) -> bool:
        return self.paid_by is not None


class GatewayNotice(BaseModel):
    """What the gateway says of an order, its signature checked: in an IPN, a return or a query."""

    model_config = ConfigDict(frozen=True)

    ref: str
    amount_vnd: int | None  # None: the amount did not read as a whole number of đồng
    success: bool
    response_code: str
    transaction_status: str | None = None
    transaction_no: str | None = None
    bank_code: str | None = None
    paid_at: datetime | None = None


class IpnAnswer(StrEnum):
    """The IPN's answer codes (RspCode), as the gateway's protocol defines them."""

    CONFIRMED = "00"
    ORDER_NOT_FOUND = "01"
    ALREADY_CONFIRMED = "02"
    INVALID_AMOUNT = "04"
    INVALID_SIGNATURE = "97"
    UNKNOWN_ERROR = "99"

    @property
    def message(self) -> str:
        return _IPN_MESSAGES[self]


_IPN_MESSAGES = {
    IpnAnswer.CONFIRMED: "Confirm Success",
    IpnAnswer.ORDER_NOT_FOUND: "Order not found",
    IpnAnswer.ALREADY_CONFIRMED: "Order already confirmed",
    IpnAnswer.INVALID_AMOUNT: "invalid amount",
    IpnAnswer.INVALID_SIGNATURE: "Invalid signature",
    IpnAnswer.UNKNOWN_ERROR: "Unknown error",
}


class InvalidSignature(Exception):  # noqa: N818 — the gateway's word for it
    """A gateway message whose secure hash does not match: nothing in it may be believed."""


class OrderTaken(Exception):  # noqa: N818 — a signal to the service, not a failure
    """The order was no longer pending when its change was written (another IPN settled it first)."""


class FeeAlreadyPaid(Exception):  # noqa: N818 — a signal to the service, not a failure
    """The fee was paid by another order when this one tried to pay it."""


class NoFeeToPay(Conflict):
    code = "no_fee_to_pay"

    def __init__(self) -> None:
        super().__init__(
            Text(
                vi="Thủ tục này không có phí nộp trực tuyến khi nộp hồ sơ.",
                en="This procedure has no fee paid online at filing.",
            )
        )


class FeePaid(Conflict):
    code = "fee_already_paid"

    def __init__(self) -> None:
        super().__init__(
            Text(vi="Phí của hồ sơ này đã được thanh toán.", en="This dossier's fee is already paid.")
        )


class DossierClosed(Conflict):
    code = "dossier_closed"

    def __init__(self) -> None:
        super().__init__(
            Text(
                vi="Hồ sơ đã kết thúc (không được tiếp nhận, đã rút hoặc dừng xử lý); không thể thanh toán.",
                en="The dossier is closed (refused, withdrawn or stopped); it cannot be paid for.",
            )
        )


class PaymentsOff(Conflict):
    """The province has no payment gateway configured (409: a retry would not help)."""

    code = "payments_not_configured"

    def __init__(self) -> None:
        super().__init__(
            Text(
                vi="Tỉnh chưa cấu hình cổng thanh toán trực tuyến.",
                en="The province has no online payment gateway configured.",
            )
        )


class FeeUnpaid(Conflict):
    """The province waits for this procedure's fee before the desk accepts the dossier."""

    code = "fee_unpaid"

    def __init__(self) -> None:
        super().__init__(
            Text(
                vi="Hồ sơ chưa thanh toán phí; thủ tục này chỉ được tiếp nhận sau khi đã thanh toán.",
                en="The dossier's fee is not paid; this procedure is accepted only once it is paid.",
            )
        )
