"""Financial obligations (status 6): an officer asks for and cancels them; the applicant sees and pays."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access, Link
from chalicelib.routes.payments import PaymentRequest, _client_ip
from motcua.domain.obligations import ObligationCancel, ObligationRequest
from motcua.services.obligations import ObligationView
from motcua.services.payments import PaymentStarted

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="payments")


@area.route(
    "POST",
    "/v1/tasks/{task_id}/obligation",
    access=Access.STAFF,
    body=ObligationRequest,
    response=ObligationView,
    status=201,
    errors=(404, 409),
)
def request_obligation(call: Call, task_id: str) -> ObligationView:
    """Ask the applicant for a financial obligation (yêu cầu thực hiện nghĩa vụ tài chính).

    The task's holder or the receiving desk, while the dossier is in process (4): `amount_vnd` (an
    integer in VND) must be the sum of the `items`' amounts (422 naming `amount_vnd`). The dossier goes
    to status 6, its legal clock stops as for papers, the task waits, and the applicant is told by
    email/SMS with the amount and a link to pay. 409 `invalid_transition` in any other status.
    """
    return call.container.obligations.request(call.principal, task_id, call.body(ObligationRequest))


@area.route(
    "POST",
    "/v1/tasks/{task_id}/obligation/cancel",
    access=Access.STAFF,
    body=ObligationCancel,
    response=ObligationView,
    errors=(404, 409),
)
def cancel_obligation(call: Call, task_id: str) -> ObligationView:
    """Cancel the financial obligation asked from this task: the dossier resumes (4), its clock moved
    on by the working days it stood still; a payment the gateway confirms afterwards is flagged for
    refund. 409 `obligation_paid` once paid, `no_obligation_due` when none is due."""
    return call.container.obligations.cancel(call.principal, task_id, call.body(ObligationCancel))


@area.route(
    "GET",
    "/v1/dossiers/{code}/obligation",
    access=Access.SIGNED_IN,
    response=ObligationView,
    errors=(404, 409),
)
def get_obligation(call: Call, code: str) -> ObligationView:
    """The dossier's last financial obligation: its items, due, paid (by which order) or cancelled.
    409 `no_obligation_due` when none was ever asked for."""
    return call.container.obligations.view(call.principal, code)


@area.route(
    "POST",
    "/v1/dossiers/{code}/obligation/payments",
    access=Access.CITIZEN,
    body=PaymentRequest,
    response=PaymentStarted,
    status=201,
    errors=(404, 409),
    links=(Link("GetPayment", "get_payment", {"ref": "$response.body#/ref"}, "How the order stands."),),
)
def pay_obligation(call: Call, code: str) -> PaymentStarted:
    """Pay the financial obligation online: a new order (each attempt its own) and the gateway's page.

    The gateway's confirmed payment (its IPN) resumes the dossier by itself. 409 `no_obligation_due`
    when nothing is due.
    """
    return call.container.obligations.pay(
        call.principal, code, client_ip=_client_ip(call), language=call.language
    )
