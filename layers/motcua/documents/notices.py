"""Mẫu 02 (papers asked for), Mẫu 03 (refusal) and Mẫu 04 (apology): the desk's notices to the applicant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.documents.parts import dossier_lines
from motcua.documents.sheet import Sheet, Signatory
from motcua.documents.words import FILED_AT, RECEIVER, SIGN_HINT, day, moment
from motcua.domain.i18n import Text

if TYPE_CHECKING:
    from datetime import datetime

    from motcua.documents.sheet import Letterhead
    from motcua.domain.i18n import Language
    from motcua.domain.models import Apology, Dossier

PAPERS_TITLE = Text(
    vi="PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", en="REQUEST TO COMPLETE THE DOSSIER WITH MORE PAPERS"
)
REFUSAL_TITLE = Text(
    vi="PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", en="NOTICE OF REFUSAL TO RECEIVE AND PROCESS THE DOSSIER"
)
APOLOGY_TITLE = Text(
    vi="PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", en="APOLOGY AND NEW APPOINTMENT FOR THE RESULT"
)

ASKED_AT = Text(vi="Thời gian yêu cầu", en="Asked at")
ASKED_BY = Text(vi="Cơ quan, bộ phận yêu cầu", en="Asked by")
ASKED_WHAT = Text(
    vi="Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:",
    en="Please complete the dossier as follows:",
)
CLOCK_STOPPED = Text(
    vi="Thời gian giải quyết hồ sơ tạm dừng từ ngày {day} cho đến khi ông/bà nộp đủ giấy tờ bổ sung.",
    en="The time allowed to process the dossier stands still from {day} until you send the papers asked for.",
)
CONTACT = Text(
    vi="Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, ông/bà liên hệ với {agency}{email} "
    "để được hướng dẫn.",
    en="If anything is unclear while you complete the dossier, contact {agency}{email} for guidance.",
)
EMAIL_AT = Text(vi=" qua thư điện tử {email}", en=" by email at {email}")
GUIDE = Text(vi="NGƯỜI HƯỚNG DẪN", en="OFFICER IN CHARGE")

REFUSED_AT = Text(vi="Thời gian từ chối", en="Refused at")
REFUSED = Text(
    vi="Qua xem xét, {agency} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
    en="Having examined it, {agency} does not receive or process this dossier, for the following reason:",
)
NOTICE_END = Text(vi="Xin trân trọng thông báo!", en="Yours faithfully.")

DEAR = Text(vi="Kính gửi", en="To")
APOLOGY_INTRO = Text(
    vi="{agency} đã tiếp nhận hồ sơ của ông/bà lúc {filed}, hẹn trả kết quả lúc {previous}.",
    en="{agency} received your dossier at {filed} and promised the result for {previous}.",
)
APOLOGY_WHY = Text(
    vi="Tuy nhiên đến nay, hồ sơ chưa giải quyết xong đúng hạn đã hẹn. Lý do:",
    en="The dossier will not be ready by the promised date, for the following reason:",
)
APOLOGY_NEW = Text(
    vi="Sự chậm trễ này đã gây phiền hà cho ông/bà. {agency} xin lỗi ông/bà và sẽ trả kết quả "
    "giải quyết hồ sơ vào lúc {new}.",
    en="We are sorry for the inconvenience this delay causes you. {agency} apologises and will deliver "
    "the result at {new}.",
)
PREVIOUS = Text(vi="Ngày hẹn trả trước đây", en="Previous appointment")
NEW = Text(vi="Ngày hẹn trả mới", en="New appointment")
THANKS = Text(vi="Xin trân trọng cảm ơn sự hợp tác của ông/bà.", en="Thank you for your understanding.")
ON_BEHALF = Text(vi="ĐẠI DIỆN CƠ QUAN", en="ON BEHALF OF THE AGENCY")
SEAL_HINT = Text(vi="(Ký, đóng dấu)", en="(Signature and seal)")


def papers_request(
    dossier: Dossier,
    head: Letterhead,
    *,
    asked_at: datetime,
    asked_by: str,
    reason: str,
    officer: str | None,
    email: str | None,
    language: Language,
) -> bytes:
    """Mẫu 02: what the applicant must add, and that the clock stands still until they do."""
    sheet = Sheet(language, paper="A5", created=asked_at, title=f"{PAPERS_TITLE.in_(language)} {head.number}")
    sheet.letterhead(head)
    sheet.heading(PAPERS_TITLE.in_(language))
    dossier_lines(sheet, dossier)
    sheet.field(FILED_AT.in_(language), moment(dossier.filed_at, language))
    sheet.field(ASKED_AT.in_(language), moment(asked_at, language))
    sheet.field(ASKED_BY.in_(language), asked_by)
    sheet.paragraph(ASKED_WHAT.in_(language), "B")
    sheet.paragraph(reason, indent=4)
    sheet.paragraph(CLOCK_STOPPED.in_(language).format(day=day(asked_at)), "I")
    at = EMAIL_AT.in_(language).format(email=email) if email else ""
    sheet.paragraph(CONTACT.in_(language).format(agency=head.agency, email=at))
    sheet.signatures(Signatory(title=GUIDE.in_(language), hint=SIGN_HINT.in_(language), name=officer))
    return sheet.render()


def refusal(
    dossier: Dossier,
    head: Letterhead,
    *,
    refused_at: datetime,
    reason: str,
    officer: str | None,
    language: Language,
) -> bytes:
    """Mẫu 03: the desk does not receive the dossier, and says why."""
    sheet = Sheet(
        language, paper="A5", created=refused_at, title=f"{REFUSAL_TITLE.in_(language)} {head.number}"
    )
    sheet.letterhead(head)
    sheet.heading(REFUSAL_TITLE.in_(language))
    dossier_lines(sheet, dossier)
    sheet.field(FILED_AT.in_(language), moment(dossier.filed_at, language))
    sheet.field(REFUSED_AT.in_(language), moment(refused_at, language))
    sheet.paragraph(REFUSED.in_(language).format(agency=head.agency))
    sheet.paragraph(reason, indent=4)
    sheet.paragraph(NOTICE_END.in_(language), "I")
    sheet.signatures(Signatory(title=RECEIVER.in_(language), hint=SIGN_HINT.in_(language), name=officer))
    return sheet.render()


def apology(dossier: Dossier, head: Letterhead, apology: Apology, *, language: Language) -> bytes:
    """Mẫu 04: the agency will miss its appointment; it apologises and gives a new date."""
    sheet = Sheet(
        language, paper="A5", created=apology.issued_at, title=f"{APOLOGY_TITLE.in_(language)} {head.number}"
    )
    sheet.letterhead(head)
    sheet.heading(APOLOGY_TITLE.in_(language))
    sheet.field(DEAR.in_(language), dossier.applicant.full_name)
    dossier_lines(sheet, dossier)
    previous, new = (
        moment(apology.previous_appointment_at, language),
        moment(apology.appointment_at, language),
    )
    filed = moment(dossier.filed_at, language)
    sheet.paragraph(APOLOGY_INTRO.in_(language).format(agency=head.agency, filed=filed, previous=previous))
    sheet.paragraph(APOLOGY_WHY.in_(language))
    sheet.paragraph(apology.reason.in_(language), indent=4)
    sheet.paragraph(APOLOGY_NEW.in_(language).format(agency=head.agency, new=new))
    sheet.field(PREVIOUS.in_(language), previous)
    sheet.field(NEW.in_(language), new)
    sheet.paragraph(THANKS.in_(language), "I")
    sheet.signatures(Signatory(title=ON_BEHALF.in_(language), hint=SEAL_HINT.in_(language), name=head.agency))
    return sheet.render()
