"""Refunds (hoàn phí, lệ phí): a confirmed payment given back through the gateway, recorded once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.errors import Conflict, FieldError, InvalidInput
from motcua.domain.i18n import Text

if TYPE_CHECKING:
    from motcua.domain.payments import Order


class RefundState(StrEnum):
    """Where a payment's refund stands (the order's `refund_state`)."""

    REQUESTED = "requested"  # recorded; the gateway's refund call made or about to be made
    DONE = "done"  # the gateway took the refund (00, or 94: it already holds one for this payment)
    FAILED = "failed"  # the gateway refused it or did not answer: the officer may try again


class RefundOutcome(StrEnum):
    """What the gateway's refund call said, whatever the gateway's own codes."""

    DONE = "done"  # 00: the refund is taken
    ALREADY = "already"  # 94: a refund of this payment was asked before and is under way
    REFUSED = "refused"  # 95: the payment was not successful at the gateway
    NOT_FOUND = "not_found"  # 91: no such transaction at the gateway
    BAD_CHECKSUM = "bad_checksum"  # 97: the gateway did not accept our signature
    ERROR = "error"  # 99 or any other code, an answer with a bad signature, no answer


class RefundResult(BaseModel):
    """The gateway's answer to a refund call, its signature checked."""

    model_config = ConfigDict(frozen=True)

    outcome: RefundOutcome
    response_code: str  # the gateway's own code ("00", "94"…; "" when there was no answer)
    request_id: str  # vnp_RequestId: never the same for two different requests
    transaction_no: str | None = None  # the gateway's number of the refund transaction
    message: str | None = None

    @property
    def taken(self) -> bool:
        return self.outcome in (RefundOutcome.DONE, RefundOutcome.ALREADY)


class Refund(BaseModel):
    """A payment's refund as recorded on its order: who asked, why, how much, what the gateway said."""

    model_config = ConfigDict(frozen=True)

    state: RefundState
    amount_vnd: int = Field(gt=0)
    full: bool  # the whole payment (VNPAY 02) or a part of it (03)
    reason: str
    by: str  # the officer's user name (vnp_CreateBy)
    requested_at: datetime  # this attempt's
    attempt: int = 1  # 1, then one more each time the officer tries again after a failure
    # The gateway's request, kept before it is sent: after a crash the very same request is sent again.
    request_id: str
    request_date: datetime
    done_at: datetime | None = None
    response_code: str | None = None
    transaction_no: str | None = None
    first_requested_at: datetime | None = None
    told: bool = False  # the citizen's message is written (the dossier's audit entry `refund`)


class RefundRequest(BaseModel):
    """The officer's refund: why (required), and how much when not the whole payment."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=500)
    amount_vnd: int | None = Field(default=None, gt=0, le=100_000_000_000, strict=True)


class RefundExists(Conflict):
    code = "refund_exists"

    def __init__(self, state: RefundState) -> None:
        said = {
            RefundState.REQUESTED: ("đang được gửi tới cổng thanh toán", "is being sent to the gateway"),
            RefundState.DONE: ("đã được hoàn", "was already made"),
            RefundState.FAILED: ("không thành công", "failed"),
        }[state]
        super().__init__(
            Text(
                vi=f"Khoản thanh toán này đã có yêu cầu hoàn phí ({said[0]}).",
                en=f"A refund of this payment was already recorded (it {said[1]}).",
            )
        )


class RefundNotAllowed(Conflict):
    """The payment is not one to refund: not confirmed, or its dossier's status does not return it."""

    code = "refund_not_allowed"

    def __init__(self, why: Text) -> None:
        super().__init__(
            Text(
                vi=f"Không thể hoàn phí khoản thanh toán này: {why.vi}",
                en=f"This payment cannot be refunded: {why.en}",
            )
        )


def too_much(amount: int, paid: int) -> InvalidInput:
    message = Text(
        vi=f"Số tiền hoàn ({amount:,} đồng) không được lớn hơn số tiền đã thanh toán ({paid:,} đồng).",
        en=f"The refund ({amount:,} VND) cannot be more than the payment ({paid:,} VND).",
    )
    return InvalidInput(
        message, fields=(FieldError(field="amount_vnd", code="amount_too_large", message=message),)
    )


class RefundTaken(Exception):  # noqa: N818 — a signal to the service, not a failure
    """The order's refund was not in the state read when its change was written (another officer)."""


class RefundStore(Protocol):
    """Refunds kept on their orders (`PAY#<ref>`), each change under a condition on the refund's state."""

    def order_with_refund(self, ref: str) -> tuple[Order, Refund | None] | None: ...

    def orders_of(self, code: str) -> list[tuple[Order, Refund | None]]:
        """Every order of the dossier (each fee's attempts), oldest first."""
        ...

    def begin(self, order: Order, refund: Refund, *, replacing: Refund | None) -> None:
        """Record `refund` (requested) on the confirmed order: when `replacing` is None only if it has
        none yet, else only if it is still `replacing` (a retry); RefundTaken if not."""
        ...

    def finish(self, order: Order, refund: Refund) -> None:
        """Write the gateway's outcome (done, failed) of the attempt `refund` is; RefundTaken if another
        attempt replaced it."""
        ...
