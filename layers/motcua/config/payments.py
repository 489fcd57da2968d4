"""The province's payment gateway (cổng thanh toán): where it is, how long an order lasts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PaymentSettings(BaseModel):
    """The gateway a province collects fees through; the sandbox and the real one differ only here.

    The terminal code and the hash secret are not here: they are in AWS Secrets Manager, named by the
    function's environment (MOTCUA_PAYMENT_SECRET), and never logged.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    gateway: Literal["vnpay"] = "vnpay"
    # The gateway's payment page (VNPAY: …/paymentv2/vpcpay.html) and its API (querydr, refund).
    pay_url: str = Field(pattern=r"^https?://")
    api_url: str = Field(pattern=r"^https?://")
    # Where the gateway sends the browser back; empty: the portal's own `/v1/payments/vnpay/return`.
    return_url: str = ""
    # An order the citizen does not pay within this many minutes expires; a new attempt is a new order.
    expire_minutes: int = Field(default=15, ge=5, le=24 * 60)
    # The gateway's addresses (CIDR): the web ACL may keep the IPN route to them (empty: anyone).
    ipn_sources: tuple[str, ...] = ()
    # Where the gateway's reconciliation file of a day lands (docs/payments.md, "Reconciliation"):
    # `s3://bucket/prefix/{date}.csv` or an http(s) URL; `{date}` is 2026-12-06, `{yyyymmdd}` 20261206.
    # Empty: no daily reconciliation.
    reconciliation: str = Field(default="", pattern=r"^((s3|https?)://.*)?$")
