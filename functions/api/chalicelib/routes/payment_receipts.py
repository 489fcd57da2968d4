"""Payment receipts (biên lai thu phí, lệ phí) as PDFs: listed on a dossier, downloaded by its readers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.http.area import Area
from chalicelib.http.endpoints import Access, Link
from chalicelib.http.responses import FileReply
from motcua.services.payment_receipts import PaymentReceiptList

if TYPE_CHECKING:
    from chalicelib.http.call import Call

area = Area(__name__, tag="payments")
PDF = "application/pdf"


@area.route(
    "GET",
    "/v1/dossiers/{code}/payment-receipts",
    access=Access.SIGNED_IN,
    response=PaymentReceiptList,
    errors=(404,),
    links=(
        Link(
            "GetPaymentReceipt",
            "get_payment_receipt",
            {"ref": "$response.body#/items/0/ref"},
            "The first receipt as a PDF.",
        ),
    ),
)
def list_payment_receipts(call: Call, code: str) -> PaymentReceiptList:
    """The dossier's payment receipts: the confirmed payment of its fee, with where to download it.

    For the applicant and the working staff of the agencies involved in the dossier.
    """
    return call.container.payment_receipts.receipts(call.principal, code)


@area.route(
    "GET",
    "/v1/payments/{ref}/receipt",
    access=Access.SIGNED_IN,
    response=PaymentReceiptList,
    produces=PDF,
    errors=(404,),
)
def get_payment_receipt(call: Call, ref: str) -> FileReply:
    """A confirmed payment's receipt as a PDF (send Accept: application/pdf): the amount in figures and
    in Vietnamese words, the gateway's transaction number, the dossier code, the collecting agency."""
    content, filename = call.container.payment_receipts.receipt(call.principal, ref, call.language)
    return FileReply(content=content, content_type=PDF, filename=filename)
