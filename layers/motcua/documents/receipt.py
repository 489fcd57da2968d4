"""Mẫu 01 — giấy tiếp nhận hồ sơ và hẹn trả kết quả: the receipt, with the tracking QR code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fpdf.enums import WrapMode, XPos, YPos

from motcua.documents.amount_words import figures
from motcua.documents.parts import applicant
from motcua.documents.qr import draw_qr
from motcua.documents.sheet import Sheet, Signatory
from motcua.documents.words import (
    APPLICANT,
    CODE,
    DELIVERY,
    PROCEDURE,
    RECEIVER,
    SIGN_HINT,
    moment,
)
from motcua.domain.counter import Channel
from motcua.domain.i18n import Text

if TYPE_CHECKING:
    from motcua.documents.sheet import Letterhead
    from motcua.domain.catalog import Procedure
    from motcua.domain.i18n import Language
    from motcua.domain.models import Dossier

TITLE = Text(
    vi="GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", en="RECEIPT OF DOSSIER AND APPOINTMENT FOR THE RESULT"
)
DESK = Text(vi="Bộ phận tiếp nhận và trả kết quả", en="Reception and result desk")
RECEIVED_FROM = Text(vi="Tiếp nhận hồ sơ của", en="Dossier received from")
TRACK = Text(
    vi="Tra cứu tình trạng hồ sơ: quét mã QR hoặc mở địa chỉ dưới mã.",
    en="Follow the dossier: scan the QR code or open the address under it.",
)
PAPERS = Text(vi="1. Thành phần hồ sơ nộp gồm:", en="1. Papers received:")
LEGAL_TIME = Text(vi="2. Thời gian giải quyết theo quy định", en="2. Time allowed by law")
WORKING_DAYS = Text(vi="ngày làm việc", en="working days")
RECEIVED = Text(vi="3. Thời gian nhận hồ sơ", en="3. Received at")
APPOINTMENT = Text(vi="4. Thời gian trả kết quả giải quyết hồ sơ", en="4. Result due at")
DELIVERY_LABEL = Text(vi="5. Hình thức nhận kết quả", en="5. The result is delivered")
NO_PAPERS = Text(vi="(không có tệp đính kèm)", en="(no file attached)")
AT_COUNTER = Text(vi="Nộp trực tiếp tại quầy", en="Handed in at the counter")
TICKET = Text(vi="số thứ tự", en="queue ticket")
FEE = Text(vi="Phí, lệ phí", en="Fee")
FEE_AT_COUNTER = Text(vi="đã thu tại Bộ phận tiếp nhận và trả kết quả", en="collected at the desk")

QR_SYMBOL_MM = 27.0  # the symbol alone; a phone reads it from a printed A5 sheet at arm's length


def receipt(
    dossier: Dossier,
    head: Letterhead,
    *,
    procedure: Procedure | None,
    tracking_url: str,
    officer: str | None,
    language: Language,
) -> bytes:
    sheet = Sheet(
        language, paper="A5", created=dossier.filed_at, title=f"{TITLE.in_(language)} {dossier.code}"
    )
    sheet.letterhead(head)
    sheet.heading(TITLE.in_(language))
    _tracking(sheet, dossier.code, tracking_url)
    sheet.field(DESK.in_(language), head.agency)
    if dossier.channel is Channel.COUNTER:
        ticket = f" ({TICKET.in_(language)} {dossier.ticket})" if dossier.ticket else ""
        sheet.paragraph(f"{AT_COUNTER.in_(language)}{ticket}", "I")
        if dossier.fee is not None:  # collected at the intake (domain/fees.py)
            sheet.field(
                FEE.in_(language), f"{figures(dossier.fee.amount_vnd)} VND, {FEE_AT_COUNTER.in_(language)}"
            )
    applicant(sheet, dossier.applicant, RECEIVED_FROM)
    sheet.field(PROCEDURE.in_(language), dossier.procedure_name.in_(language))
    sheet.paragraph(PAPERS.in_(language), "B")
    for i, attachment in enumerate(dossier.attachments, start=1):
        paper = procedure.paper(attachment.paper_code) if procedure else None
        name = paper.name.in_(language) if paper else attachment.paper_code
        sheet.paragraph(f"{i}) {name}: {attachment.filename}", indent=4)
    if not dossier.attachments:
        sheet.paragraph(NO_PAPERS.in_(language), "I", indent=4)
    sheet.field(LEGAL_TIME.in_(language), f"{dossier.legal_days} {WORKING_DAYS.in_(language)}")
    sheet.field(RECEIVED.in_(language), moment(dossier.filed_at, language))
    sheet.field(APPOINTMENT.in_(language), moment(dossier.appointment, language))
    if procedure is not None:
        ways = "; ".join(DELIVERY[way].in_(language) for way in procedure.result_delivery)
        sheet.field(DELIVERY_LABEL.in_(language), ways)
    sheet.signatures(
        Signatory(title=RECEIVER.in_(language), hint=SIGN_HINT.in_(language), name=officer),
        Signatory(
            title=APPLICANT.in_(language).upper(),
            hint=SIGN_HINT.in_(language),
            name=dossier.applicant.full_name,
        ),
        space=9,
    )
    return sheet.render()


def _tracking(sheet: Sheet, code: str, url: str) -> None:
    """The QR code of the tracking page, the dossier code beside it and the address under it."""
    language, x, top = sheet.language, sheet.l_margin, sheet.get_y()
    width = draw_qr(sheet, url, x, top, QR_SYMBOL_MM)
    beside = x + width + 2
    sheet.set_xy(beside, top + width / 2 - 2.2 * sheet.leading)
    sheet.style("", sheet.body_pt)
    column = sheet.w - sheet.r_margin - beside
    sheet.multi_cell(column, sheet.leading, f"{CODE.in_(language)}:", new_x=XPos.LEFT, new_y=YPos.NEXT)
    sheet.fit(code, column, "B", sheet.body_pt + 2)
    sheet.multi_cell(column, sheet.leading * 1.3, code, new_x=XPos.LEFT, new_y=YPos.NEXT)
    sheet.style("I", sheet.body_pt - 1.5)
    sheet.multi_cell(column, sheet.leading * 0.85, TRACK.in_(language), new_x=XPos.LEFT, new_y=YPos.NEXT)
    # Under the quiet zone, never inside it: a mark there would stop the code from being read.
    sheet.style("", sheet.body_pt - 2.5)
    sheet.set_xy(x, top + width)
    sheet.multi_cell(0, sheet.leading * 0.8, url, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    sheet.ln(sheet.leading * 0.4)
    sheet.style()
