"""Biên lai thu phí, lệ phí: the receipt of a fee paid online, for the citizen and the agencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.documents.amount_words import amount_in_words, figures
from motcua.documents.sheet import Sheet, Signatory
from motcua.documents.words import APPLICANT, CODE, PROCEDURE, moment
from motcua.domain.i18n import Text

if TYPE_CHECKING:
    from motcua.documents.sheet import Letterhead
    from motcua.domain.i18n import Language
    from motcua.domain.models import Dossier
    from motcua.domain.payments import Order

TITLE = Text(vi="BIÊN LAI THU PHÍ, LỆ PHÍ", en="RECEIPT OF FEES AND CHARGES")
SUBTITLE = Text(vi="(Thanh toán trực tuyến)", en="(Paid online)")
COLLECTOR = Text(vi="Đơn vị thu", en="Collecting agency")
PAYER = Text(vi="Người nộp", en="Paid by")
REASON = Text(vi="Nội dung thu", en="For")
REASON_TEXT = Text(vi="Phí, lệ phí giải quyết thủ tục hành chính", en="Fee for the administrative procedure")
AMOUNT = Text(vi="Số tiền", en="Amount")
IN_WORDS = Text(vi="Bằng chữ", en="In words (Vietnamese)")
GATEWAY = Text(vi="Cổng thanh toán", en="Payment gateway")
TRANSACTION = Text(vi="Mã giao dịch của cổng thanh toán", en="Gateway's transaction number")
ORDER = Text(vi="Mã đơn thanh toán", en="Payment order")
BANK = Text(vi="Ngân hàng", en="Bank")
PAID_AT = Text(vi="Thời gian thanh toán", en="Paid at")
REFUND_DUE = Text(
    vi="Khoản này nộp sau khi phí đã được thanh toán: sẽ được hoàn trả.",
    en="This payment came after the fee had been paid: it is to be refunded.",
)
COLLECTING = Text(vi="ĐƠN VỊ THU", en="COLLECTING AGENCY")
ELECTRONIC = Text(
    vi="(Biên lai điện tử, xác nhận bởi cổng thanh toán)",
    en="(Electronic receipt, confirmed by the payment gateway)",
)
GATEWAYS = {"vnpay": "VNPAY"}


def payment_receipt(order: Order, dossier: Dossier, head: Letterhead, *, language: Language) -> bytes:
    """The receipt of one confirmed payment: the amount in figures and words, the gateway's number."""
    paid_at = order.confirmed_at or order.created_at
    sheet = Sheet(language, paper="A5", created=paid_at, title=f"{TITLE.in_(language)} {order.ref}")
    sheet.letterhead(head)
    sheet.heading(TITLE.in_(language), SUBTITLE.in_(language))
    lines = [
        (COLLECTOR.in_(language), head.agency),
        (PAYER.in_(language), dossier.applicant.full_name),
        (CODE.in_(language), dossier.code),
        (PROCEDURE.in_(language), dossier.procedure_name.in_(language)),
        (REASON.in_(language), REASON_TEXT.in_(language)),
        (AMOUNT.in_(language), f"{figures(order.amount_vnd)} VND"),
        (IN_WORDS.in_(language), amount_in_words(order.amount_vnd)),
        (GATEWAY.in_(language), GATEWAYS.get(order.gateway, order.gateway)),
        (TRANSACTION.in_(language), order.transaction_no or "—"),
        (ORDER.in_(language), order.ref),
        (PAID_AT.in_(language), moment(paid_at, language)),
    ]
    if order.bank_code:
        lines.append((BANK.in_(language), order.bank_code))
    for label, value in lines:
        sheet.field(label, value)
    if order.state.value == "refund_due":
        sheet.paragraph(REFUND_DUE.in_(language), "I")
    sheet.signatures(
        Signatory(title=COLLECTING.in_(language), hint=ELECTRONIC.in_(language)),
        Signatory(title=APPLICANT.in_(language).upper(), name=dossier.applicant.full_name),
        space=6,
    )
    return sheet.render()
