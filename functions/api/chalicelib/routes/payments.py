"""Fees paid online: the citizen starts a payment, the gateway's IPN records it, the return shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access, Link
from chalicelib.http.responses import Reply
from motcua.services.payments import FeeView, PaymentStarted, PaymentView

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="payments")


class PaymentRequest(BaseModel):
    """A payment of the dossier's fee: nothing to choose today (the amount is the catalog's)."""

    model_config = ConfigDict(extra="forbid")


class IpnReply(BaseModel):
    """The gateway's expected answer to its IPN (VNPAY: `RspCode` 00, 01, 02, 04, 97 or 99)."""

    RspCode: str  # noqa: N815 — the gateway's own field names
    Message: str  # noqa: N815


class Redirect(BaseModel):
    """Where the browser is sent (the same as the `Location` header)."""

    location: str


def _client_ip(call: Call) -> str:
    identity = (call.request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "127.0.0.1")


def _params(call: Call) -> dict[str, str]:
    return {str(k): str(v) for k, v in (call.request.query_params or {}).items()}


@area.route(
    "POST",
    "/v1/dossiers/{code}/payments",
    access=Access.CITIZEN,
    body=PaymentRequest,
    response=PaymentStarted,
    status=201,
    errors=(404, 409),
    links=(Link("GetPayment", "get_payment", {"ref": "$response.body#/ref"}, "How the order stands."),),
)
def start_payment(call: Call, code: str) -> PaymentStarted:
    """Pay the dossier's fee online: a new order (each attempt its own), and the gateway's page for it.

    The order expires after the province's `payments.expire_minutes` (15 by default). Send the browser
    to `pay_url`; the gateway sends it back to the return page, and tells the API itself (the IPN).
    """
    return call.container.payments.start(
        call.principal, code, client_ip=_client_ip(call), language=call.language
    )


@area.route("GET", "/v1/dossiers/{code}/fee", access=Access.SIGNED_IN, response=FeeView, errors=(404,))
def get_fee(call: Call, code: str) -> FeeView:
    """The dossier's fee: its amount, whether it is paid (and when), whether the desk waits for it."""
    return call.container.payments.fee_view(call.principal, code)


@area.route("GET", "/v1/payments/{ref}", access=Access.SIGNED_IN, response=PaymentView, errors=(404,))
def get_payment(call: Call, ref: str) -> PaymentView:
    """An order: paid, not paid or still waiting for the gateway's confirmation (the return page)."""
    return call.container.payments.order_view(call.principal, ref)


@area.route("GET", "/v1/payments/vnpay/ipn", access=Access.PUBLIC, response=IpnReply)
def payment_notice(call: Call) -> IpnReply:
    """The gateway's IPN (server to server, signed): the only thing that marks a fee paid.

    Always answered 200 with the protocol's code: 00 recorded, 01 order not found, 02 already
    confirmed, 04 invalid amount, 97 invalid signature, 99 unknown error.
    """
    answer = call.container.payments.notify(_params(call))
    return IpnReply(RspCode=answer.value, Message=answer.message)


@area.route(
    "GET",
    "/v1/payments/vnpay/return",
    access=Access.PUBLIC,
    response=Redirect,
    status=302,
    response_headers={"Location": "The portal's page for the order: `/#/payments/{ref}`."},
)
def payment_return(call: Call) -> Reply:
    """Where the gateway sends the browser back: on to the portal's page for the order.

    It changes nothing: the page shows what the IPN recorded.
    """
    target = call.container.payments.return_page(_params(call))
    return Reply(Redirect(location=target), headers={"Location": target})
