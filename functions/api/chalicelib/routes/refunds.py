"""Refunds (hoàn phí): the collecting agency gives a payment back; a dossier's payments and refunds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from chalicelib.routes.payments import _client_ip
from motcua.domain.refunds import RefundRequest
from motcua.services.refunds import DossierPayment, DossierPayments

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="payments")


@area.route(
    "POST",
    "/v1/payments/{ref}/refund",
    access=Access.STAFF,
    body=RefundRequest,
    response=DossierPayment,
    errors=(404, 409, 422),
)
def refund_payment(call: Call, ref: str) -> DossierPayment:
    """Refund a confirmed payment through the gateway (its refund call), with the reason.

    For the receiving desk or a leader of the collecting agency: a paid fee of a dossier whose status
    the procedure's `fee.refund_on` names (by default refused), or a payment flagged `refund_due` (a
    second payment of one fee). Recorded once: 409 `refund_exists` for a second refund; 409
    `refund_not_allowed` saying why; 422 `amount_too_large`. A gateway failure is answered 200 with the
    refund `failed` and its code; the same call then tries again (asking the gateway first).
    """
    body = call.body(RefundRequest)
    return call.container.refunds.refund(call.principal, ref, body, client_ip=_client_ip(call))


@area.route(
    "GET",
    "/v1/dossiers/{code}/payments",
    access=Access.SIGNED_IN,
    response=DossierPayments,
    errors=(404,),
)
def list_dossier_payments(call: Call, code: str) -> DossierPayments:
    """Every payment order of the dossier (each fee's attempts) with its state and its refund.

    For the applicant and the working staff of the agencies involved in the dossier; `can_refund` says
    whether the caller may refund it now.
    """
    return call.container.refunds.payments_of(call.principal, code)
