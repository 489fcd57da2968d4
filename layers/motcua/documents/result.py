"""The result (kết quả giải quyết thủ tục hành chính), `<code>-KQ<n>`, with room for its digital signature."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fpdf.enums import XPos, YPos
from pydantic import BaseModel, ConfigDict

from motcua.documents.fields import form_lines
from motcua.documents.parts import applicant
from motcua.documents.sheet import Sheet, Signatory
from motcua.documents.words import CODE, FILED_AT, moment
from motcua.domain.i18n import Text

if TYPE_CHECKING:
    from motcua.documents.sheet import Letterhead
    from motcua.domain.catalog import Procedure
    from motcua.domain.i18n import Language
    from motcua.domain.models import Dossier

TITLE = Text(vi="KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", en="RESULT OF AN ADMINISTRATIVE PROCEDURE")
BASED_ON = Text(vi="Căn cứ {basis};", en="Having regard to {basis};")
BASED_ON_DOSSIER = Text(
    vi="Căn cứ hồ sơ số {code} tiếp nhận lúc {filed},",
    en="Having regard to dossier {code}, received at {filed},",
)
APPROVED = Text(
    vi="{agency} chấp thuận yêu cầu giải quyết thủ tục hành chính “{procedure}” của:",
    en="{agency} approves the request for the administrative procedure “{procedure}” of:",
)
CONTENT = Text(vi="với các nội dung sau:", en="as follows:")
ELECTRONIC = Text(
    vi="Kết quả này là văn bản điện tử mang mã {number}, được ký số theo Nghị định số 45/2020/NĐ-CP; "
    "bản điện tử có giá trị pháp lý như bản giấy.",
    en="This result is an electronic document numbered {number}, digitally signed under Decree "
    "45/2020/ND-CP; the electronic copy has the same legal value as a paper one.",
)
RECIPIENTS = Text(vi="Nơi nhận:", en="To:")
FILED_COPY = Text(vi="Lưu: hồ sơ {code}.", en="File: dossier {code}.")
SIGNATURE_HINT = Text(vi="(Chữ ký số)", en="(Digital signature)")

SIGNATURE_MM = (70.0, 40.0)  # width, height of the space left for the visible signature


class RenderedResult(BaseModel):
    """The result's PDF and where its signature goes: a box in PDF points on a 0-based page."""

    model_config = ConfigDict(frozen=True)

    pdf: bytes
    # (x1, y1, x2, y2) in points from the page's bottom left, as pyHanko's SigFieldSpec.box wants it.
    signature_box: tuple[float, float, float, float]
    page: int  # 0-based, as pyHanko's SigFieldSpec.on_page


def result(
    dossier: Dossier,
    head: Letterhead,
    *,
    procedure: Procedure | None,
    language: Language,
    note: str | None = None,
) -> RenderedResult:
    """The approval, the form's fields as label: value, and an empty signature area at the bottom right."""
    sheet = Sheet(language, paper="A4", created=head.at, title=f"{TITLE.in_(language)} {head.number}")
    sheet.letterhead(head)
    procedure_name = dossier.procedure_name.in_(language)
    sheet.heading(TITLE.in_(language), procedure_name)
    for basis in procedure.legal_basis if procedure else ():
        sheet.paragraph(BASED_ON.in_(language).format(basis=basis), "I")
    filed = moment(dossier.filed_at, language)
    sheet.paragraph(BASED_ON_DOSSIER.in_(language).format(code=dossier.code, filed=filed), "I")
    sheet.ln(sheet.leading * 0.5)
    sheet.paragraph(APPROVED.in_(language).format(agency=head.agency, procedure=procedure_name))
    if note:  # the officer's own words on the decision
        sheet.paragraph(note)
    applicant(sheet, dossier.applicant)
    sheet.field(CODE.in_(language), dossier.code)
    sheet.field(FILED_AT.in_(language), filed)
    sheet.paragraph(CONTENT.in_(language))
    for label, value in form_lines(procedure.form if procedure else {}, dossier.form, language):
        sheet.field(f"– {label}", value, indent=5)
    sheet.ln(sheet.leading * 0.5)
    sheet.paragraph(ELECTRONIC.in_(language).format(number=head.number), "I")
    return _close(sheet, dossier, head)


def _close(sheet: Sheet, dossier: Dossier, head: Letterhead) -> RenderedResult:
    """Recipients on the left; on the right the signer's title and the empty box, on one page."""
    language, (box_w, box_h) = sheet.language, SIGNATURE_MM
    if sheet.will_page_break(box_h + 4 * sheet.leading):
        sheet.add_page()
    sheet.ln(sheet.leading)
    top, half = sheet.get_y(), sheet.epw / 2
    signer = Signatory(title=head.agency.upper(), hint=SIGNATURE_HINT.in_(language))
    box_y = sheet.signatory(signer, sheet.l_margin + half, top, half, space=1)
    box_x = sheet.l_margin + half + (half - box_w) / 2
    sheet.set_xy(sheet.l_margin, top)
    sheet.style("B", sheet.body_pt - 1)
    sheet.cell(half, sheet.leading, RECIPIENTS.in_(language), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    sheet.style("", sheet.body_pt - 2)
    for line in (dossier.applicant.full_name + ";", FILED_COPY.in_(language).format(code=dossier.code)):
        sheet.multi_cell(half - 5, sheet.leading * 0.8, f"- {line}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    # Nothing is drawn in the box: the signer's visible signature field goes there.
    box, page = sheet.box_points(box_x, box_y, box_w, box_h), sheet.page - 1
    return RenderedResult(pdf=sheet.render(), signature_box=box, page=page)
