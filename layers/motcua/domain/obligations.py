"""A financial obligation (nghĩa vụ tài chính) an officer asks for during processing: status 6."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from motcua.domain.errors import Conflict
from motcua.domain.i18n import Text

# An obligation's fee is `FEE#<id>` beside the filing's `FEE#filing`; its id starts so.
OBLIGATION_PREFIX = "ob"


class ObligationItem(BaseModel):
    """One line of the obligation: a registration fee, a tax assessed during the flow…"""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    amount_vnd: int = Field(gt=0, le=100_000_000_000)  # integers in VND


class ObligationRequest(BaseModel):
    """What the officer asks the citizen to pay: the total, its items (their sum is the total), why."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    amount_vnd: int = Field(gt=0, le=100_000_000_000, strict=True)
    items: list[ObligationItem] = Field(min_length=1, max_length=20)
    reason: str = Field(min_length=1, max_length=2000)


class ObligationCancel(BaseModel):
    """The officer withdraws the request (the dossier resumes; the fee is no longer due)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str | None = Field(default=None, max_length=2000)


class ObligationState(StrEnum):
    DUE = "due"  # asked for, not paid: the dossier is in status 6, its clock stands still
    PAID = "paid"  # the gateway's IPN confirmed it: the dossier resumed by itself
    CANCELLED = "cancelled"  # the officer withdrew it: the dossier resumed, a later payment is refunded


class Obligation(BaseModel):
    """A financial obligation on a dossier, kept on the dossier itself (the last one asked for)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^ob[a-z0-9]{6,16}$")
    amount_vnd: int = Field(gt=0)
    items: tuple[ObligationItem, ...]
    reason: str
    state: ObligationState = ObligationState.DUE
    task_id: str  # the task it was asked from, which waits until it is paid or cancelled
    requested_by: str
    requested_at: datetime
    settled_at: datetime | None = None  # paid or cancelled
    paid_by: str | None = None  # the order that paid it
    cancelled_by: str | None = None

    @property
    def fee(self) -> str:
        """Its fee's name (the table's `FEE#<fee>`)."""
        return self.id


def new_obligation_id() -> str:
    return OBLIGATION_PREFIX + "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))


def is_obligation_fee(fee: str) -> bool:
    return fee.startswith(OBLIGATION_PREFIX)


class NoObligation(Conflict):
    """Nothing is due: the dossier is not waiting for a financial obligation (409)."""

    code = "no_obligation_due"

    def __init__(self) -> None:
        super().__init__(
            Text(
                vi="Hồ sơ không có nghĩa vụ tài chính đang chờ thực hiện.",
                en="The dossier has no financial obligation due.",
            )
        )


class ObligationAlreadyPaid(Conflict):
    code = "obligation_paid"

    def __init__(self) -> None:
        super().__init__(
            Text(
                vi="Nghĩa vụ tài chính đã được thanh toán; không thể hủy.",
                en="The financial obligation is already paid; it cannot be cancelled.",
            )
        )


class FeeCancelled(Exception):  # noqa: N818 — a signal to the service, not a failure
    """The fee was cancelled before this payment paid it."""
