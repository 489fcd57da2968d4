"""Mẫu 05 — phiếu kiểm soát quá trình giải quyết hồ sơ: one table row per hand-over, on A4 landscape."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fpdf.fonts import FontFace

from motcua.documents.sheet import Sheet, Signatory
from motcua.documents.words import APPLICANT, CODE, PROCEDURE, TIMELINESS, day, moment
from motcua.domain.i18n import Text
from motcua.domain.status import Action

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.documents.sheet import Letterhead
    from motcua.domain.i18n import Language
    from motcua.presentation.views import ControlSlip, ControlSlipRow

TITLE = Text(vi="PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", en="PROCESSING CONTROL SLIP")
WITH_RECEIPT = Text(
    vi="Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số", en="Attached to the receipt and appointment no."
)
AGENCY = Text(vi="Cơ quan giải quyết hồ sơ", en="Agency in charge")
FILED = Text(vi="Ngày tiếp nhận", en="Received on")
DUE = Text(vi="Hạn trả kết quả", en="Result due on")
STATUS = Text(vi="Trạng thái", en="Status")
COLUMNS = (
    Text(vi="STT", en="No."),
    Text(vi="Cơ quan, bước xử lý", en="Agency, step"),
    Text(vi="Cán bộ", en="Officer"),
    Text(vi="Nhận hồ sơ", en="Received"),
    Text(vi="Hạn xử lý", en="Due"),
    Text(vi="Hoàn thành", en="Finished"),
    Text(vi="Kết quả (trước hạn / đúng hạn / quá hạn)", en="Result (early / on time / late)"),
    Text(vi="Ghi chú", en="Note"),
)
WIDTHS = (4, 20, 13, 11, 11, 11, 11, 12)  # shares of the line
DESK = Text(vi="Bộ phận tiếp nhận và trả kết quả", en="Reception and result desk")
OPEN = Text(vi="Đang xử lý", en="In progress")
KEEPER = Text(vi="BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", en="RECEPTION AND RESULT DESK")
PRINTED = Text(vi="(Lập lúc {at})", en="(Drawn up at {at})")


def control_slip(
    slip: ControlSlip, head: Letterhead, *, applicant: str, now: datetime, language: Language
) -> bytes:
    """Mẫu 05 as it stands at `now`: the steps still open show as in progress, or late once past due."""
    sheet = Sheet(
        language, paper="A4", landscape=True, created=now, title=f"{TITLE.in_(language)} {slip.code}"
    )
    sheet.letterhead(head)
    sheet.heading(TITLE.in_(language))
    sheet.field(WITH_RECEIPT.in_(language), slip.code)
    sheet.fields((CODE.in_(language), slip.code), (APPLICANT.in_(language), applicant))
    sheet.field(PROCEDURE.in_(language), slip.procedure_name)
    sheet.fields((AGENCY.in_(language), slip.agency_name), (STATUS.in_(language), slip.status_label))
    sheet.fields((FILED.in_(language), day(slip.filed_at)), (DUE.in_(language), day(slip.due_at)))
    sheet.ln(sheet.leading * 0.5)
    sheet.style("", sheet.body_pt - 1.5)
    with sheet.table(
        col_widths=WIDTHS,
        text_align=("CENTER", "LEFT", "LEFT", "CENTER", "CENTER", "CENTER", "CENTER", "LEFT"),
        line_height=sheet.leading * 0.9,
        headings_style=FontFace(emphasis="BOLD"),
        padding=1,
    ) as table:
        heading = table.row()
        for column in COLUMNS:
            heading.cell(column.in_(language))
        for row in slip.rows:
            cells = table.row()
            for text in _cells(row, language):
                cells.cell(text)
    sheet.style()
    sheet.signatures(
        Signatory(title=KEEPER.in_(language), hint=PRINTED.in_(language).format(at=moment(now, language))),
        space=4,
    )
    return sheet.render()


def _cells(row: ControlSlipRow, language: Language) -> tuple[str, ...]:
    who = row.agency_name if row.step_name is None else f"{row.agency_name}: {row.step_name}"
    if row.kind == "reception":
        who = f"{DESK.in_(language)}, {row.agency_name}"
    result = TIMELINESS[row.timeliness].in_(language) if row.timeliness else OPEN.in_(language)
    return (
        str(row.order),
        who,
        row.officer or "",
        moment(row.received_at, language),
        moment(row.due_at, language),
        moment(row.finished_at, language) if row.finished_at else "",
        result,
        _decision(row.decision, language),
    )


def _decision(decision: str | None, language: Language) -> str:
    if decision is None:
        return ""
    try:
        label = Action(decision).label.in_(language)
    except ValueError:
        return decision
    return label[:1].upper() + label[1:]
