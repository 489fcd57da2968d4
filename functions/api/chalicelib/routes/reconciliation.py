"""The agency's payments of a day and the daily reconciliation's report (docs/payments.md)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access
from chalicelib.models import PageQuery
from motcua.domain.errors import BadRequest
from motcua.domain.i18n import Text
from motcua.domain.reconciliation import Reconciliation
from motcua.services.reconciliation import DayPayments

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="payments")


class DayPaymentsQuery(PageQuery):
    day: date | None = Field(
        default=None, description="The day, `2026-12-05`; today (Vietnam time) if absent."
    )


@area.route("GET", "/v1/payments", access=Access.STAFF, query=DayPaymentsQuery, response=DayPayments)
def day_payments(call: Call) -> DayPayments:
    """The orders made on a day that the caller's agency collects (each attempt to pay a fee), whatever
    their state, with the page's count and sum of those the gateway confirmed. For the agency's
    receivers and leaders; one Query of the day's index a page."""
    query = call.query(DayPaymentsQuery)
    return call.container.reconciliation.payments(
        call.principal, query.day, limit=query.limit, token=query.next_token
    )


@area.route(
    "GET", "/v1/reconciliations/{day}", access=Access.STAFF, response=Reconciliation, errors=(400, 404)
)
def get_reconciliation(call: Call, day: str) -> Reconciliation:
    """The daily reconciliation of a day (`2026-12-05`): the gateway's list against our orders, each
    difference (`paid_there_not_here`: an IPN lost; `amount_differs`; `here_not_there`), the counts
    and totals. An agency's leaders see their agency's part, administrators the province's. Nothing in
    the orders is changed by a difference. 400 for a day not written `yyyy-mm-dd`; 404 before the
    day's run."""
    try:
        asked = date.fromisoformat(day)
    except ValueError:
        raise BadRequest(
            Text(vi="Ngày không hợp lệ (yyyy-mm-dd).", en="The day is not valid (yyyy-mm-dd)."),
            code="invalid_day",
        ) from None
    return call.container.reconciliation.report(call.principal, asked)
