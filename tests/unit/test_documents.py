"""The platform's documents as PDFs: what a citizen reads on them, the embedded font, the scannable QR."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pypdfium2 as pdfium
import pytest
import segno
import zxingcpp
from pypdf import PdfReader

from motcua.config.province import Province, load_province
from motcua.documents.fields import form_lines
from motcua.domain.calendar import Timeliness
from motcua.domain.catalog import ContentType
from motcua.domain.errors import Conflict, NotFound
from motcua.domain.i18n import Language, Text
from motcua.domain.models import (
    Apology,
    Applicant,
    Attachment,
    Decided,
    Dossier,
    DossierRecord,
    PrincipalKind,
    Task,
    TaskKind,
    TaskState,
    TimelineEvent,
)
from motcua.domain.roles import Role
from motcua.domain.status import Action, Status
from motcua.presentation.presenter import Presenter
from motcua.services.documents import DocumentKind, available, render, render_result
from tests.conftest import DEMO_PROVINCE
from tests.examples import EXAMPLES

PROVINCE: Province = load_province(DEMO_PROVINCE)
PRESENTER = Presenter(PROVINCE, "http://127.0.0.1:8000")
BUSINESS = "2.001610"
FINANCE, TAX = "000.00.01.H99", "000.00.20.H99"
CODE = "000.00.01.H99-261117-0001"
REFUSED_CODE = "000.00.01.H99-261117-0002"
A5 = (419.53, 595.28)
A4 = (595.28, 841.89)
MM = 72 / 25.4  # points per millimetre


def vn(day: int, hour: int, minute: int = 0) -> datetime:
    """A time of November 2026 in Vietnam (UTC+7), stored in UTC as the platform stores it."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


FILED = vn(17, 9)  # Tuesday 17/11/2026, 09:00
NOW = vn(25, 10)
APPLICANT = Applicant(
    full_name="Nguyễn Văn An",
    id_number="001203004567",
    phone="0901234567",
    email="an@example.vn",
    address="25 Trần Phú, phường Minh Họa, tỉnh Minh Họa",
)
PAPERS_REASON = "Bổ sung bản sao căn cước của chủ doanh nghiệp còn hiệu lực."
REFUSAL_REASON = "Hồ sơ không thuộc thẩm quyền giải quyết của Sở Tài chính."
DELAY = Text(vi="Cơ quan thuế cần thêm thời gian xác minh.", en="The tax office needs more time to verify.")
AGENCY = Text(vi="Sở Tài chính", en="Department of Finance")
TAX_OFFICE = Text(vi="Thuế tỉnh Minh Họa", en="Minh Hoa Provincial Tax Office")


# --- dossiers, built from the models as the repository would return them -------------------------


def attachment(paper: str, filename: str, content_type: ContentType = "application/pdf") -> Attachment:
    return Attachment(
        paper_code=paper,
        upload_id=f"u-{paper}",
        key=f"uploads/{paper}",
        filename=filename,
        content_type=content_type,
        size=1234,
    )


def dossier(code: str = CODE, **changes: Any) -> Dossier:
    procedure = PROVINCE.procedures_by_code[BUSINESS]
    base = Dossier(
        code=code,
        procedure_code=BUSINESS,
        procedure_name=procedure.name,
        agency=FINANCE,
        agencies=(FINANCE, TAX),
        owner="citizen-sub",
        applicant=APPLICANT,
        form=EXAMPLES[BUSINESS],
        attachments=(
            attachment("giay_de_nghi_dang_ky_doanh_nghiep", "de-nghi.pdf"),
            attachment("giay_to_phap_ly_chu_doanh_nghiep", "can-cuoc.jpg", "image/jpeg"),
        ),
        status=Status.IN_PROCESS,
        filed_at=FILED,
        due_at=vn(23, 17),  # 3 working days, and one more while the papers were awaited
        legal_days=3,
        flow=True,
    )
    return base.model_copy(update=changes)


def task(task_id: str, agency: str, kind: TaskKind, created: datetime, due: datetime, **more: Any) -> Task:
    fields: dict[str, Any] = {
        "task_id": task_id,
        "dossier_code": task_id.rsplit("-T", 1)[0],
        "agency": agency,
        "role": Role.OFFICER if kind is TaskKind.STEP else Role.RECEIVER,
        "kind": kind,
        "state": TaskState.OPEN,
        "created_at": created,
        "due_at": due,
        "procedure_code": BUSINESS,
        "procedure_name": PROVINCE.procedures_by_code[BUSINESS].name,
        "applicant_name": APPLICANT.full_name,
        "dossier_status": Status.IN_PROCESS,
    }
    return Task.model_validate(fields | more)


def event(at: datetime, action: Action | None, status: Status, reason: str | None = None) -> TimelineEvent:
    who = PrincipalKind.CITIZEN if action in (None, Action.SUPPLEMENT) else Role.RECEIVER
    return TimelineEvent(at=at, action=action, status=status, agency=FINANCE, actor_role=who, reason=reason)


def decided(action: str, name: str, at: datetime, reason: str | None = None) -> Decided:
    return Decided(action=action, reason=reason, by="canbo.sotaichinh", by_name=name, at=at)


def busy_record() -> DossierRecord:
    """Filed, accepted, papers asked for once and added, two apologies: the tax office's step is late."""
    apologies = (
        Apology(
            number=1,
            issued_at=vn(20, 8),
            agency=FINANCE,
            previous_appointment_at=vn(23, 17),
            appointment_at=vn(24, 17),
            reason=DELAY,
        ),
        Apology(
            number=2,
            issued_at=vn(24, 8),
            agency=FINANCE,
            previous_appointment_at=vn(24, 17),
            appointment_at=vn(26, 17),
            reason=DELAY,
        ),
    )
    events = (
        event(FILED, None, Status.SUBMITTED),
        event(vn(17, 10), Action.ACCEPT, Status.ACCEPTED),
        event(vn(17, 10), Action.ACCEPT, Status.IN_PROCESS),
        event(vn(18, 14, 30), Action.REQUEST_PAPERS, Status.MORE_PAPERS, PAPERS_REASON),
        event(vn(19, 9, 15), Action.SUPPLEMENT, Status.IN_PROCESS),
        event(vn(20, 8), Action.APOLOGISE, Status.IN_PROCESS, DELAY.vi),
        event(vn(24, 8), Action.APOLOGISE, Status.IN_PROCESS, DELAY.vi),
    )
    review = Text(vi="Thẩm định hồ sơ đăng ký doanh nghiệp", en="Review of the registration")
    tasks = (
        task(
            f"{CODE}-T1",
            FINANCE,
            TaskKind.RECEPTION,
            FILED,
            vn(23, 17),
            state=TaskState.WAITING,
            decided=decided("accept", "Trần Thị Bình", vn(17, 10)),
        ),
        task(
            f"{CODE}-T1.1",
            FINANCE,
            TaskKind.STEP,
            vn(17, 10),
            vn(19, 17),
            stage=1,
            step=1,
            days=2,
            name=review,
            state=TaskState.CLOSED,
            closed_at=vn(19, 16),
            timeliness=Timeliness.ON_TIME,
            decided=decided("approve", "Lê Văn Cường", vn(19, 16)),
        ),
        task(
            f"{CODE}-T2.1",
            TAX,
            TaskKind.STEP,
            vn(19, 16),
            vn(20, 17),
            stage=2,
            step=1,
            days=1,
            name=Text(vi="Cấp mã số thuế", en="Issue of the tax code"),
        ),
    )
    return DossierRecord(
        dossier=dossier(apologies=apologies, appointment_at=vn(26, 17), days_paused=1, reason=PAPERS_REASON),
        events=events,
        tasks=tasks,
    )


def refused_record() -> DossierRecord:
    refused = dossier(
        REFUSED_CODE, status=Status.REFUSED, agencies=(FINANCE,), flow=False, reason=REFUSAL_REASON
    )
    desk = task(
        f"{REFUSED_CODE}-T1",
        FINANCE,
        TaskKind.RECEPTION,
        FILED,
        vn(20, 17),
        state=TaskState.CLOSED,
        closed_at=vn(18, 8, 45),
        timeliness=Timeliness.EARLY,
        dossier_status=Status.REFUSED,
        decided=decided("refuse", "Trần Thị Bình", vn(18, 8, 45), REFUSAL_REASON),
    )
    events = (
        event(FILED, None, Status.SUBMITTED),
        event(vn(18, 8, 45), Action.REFUSE, Status.REFUSED, REFUSAL_REASON),
    )
    return DossierRecord(dossier=refused, events=events, tasks=(desk,))


def approved_record() -> DossierRecord:
    record = busy_record()
    return record.model_copy(
        update={"dossier": record.dossier.model_copy(update={"status": Status.PROCESSED})}
    )


# --- reading the PDFs back -------------------------------------------------------------------------


def text_of(pdf: bytes) -> str:
    """All the text, whitespace folded (justified lines extract with doubled spaces)."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def page_size(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return float(box.width), float(box.height)


def embedded_fonts(pdf: bytes) -> list[tuple[str, int]]:
    """(BaseFont, length of the embedded TrueType program) of every font the first page uses."""
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    found = []
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        program = descriptor.get("/FontFile2")
        found.append((str(font["/BaseFont"]), len(program.get_object().get_data()) if program else 0))
    return found


def page_image(pdf: bytes, dpi: int, page: int = 0) -> Any:
    document = pdfium.PdfDocument(pdf)
    return document[page].render(scale=dpi / 72).to_pil()


# What each document must show: the dossier, its applicant and agency, and its own dates.
CASES: dict[str, tuple[Any, dict[Language, list[str]]]] = {
    "receipt": (
        busy_record,
        {"vi": ["17/11/2026", "26/11/2026", "Trần Thị Bình"], "en": ["17/11/2026", "26/11/2026"]},
    ),
    "papers-request-1": (
        busy_record,
        {"vi": ["18/11/2026", PAPERS_REASON], "en": ["18/11/2026", PAPERS_REASON]},
    ),
    "refusal": (refused_record, {"vi": ["18/11/2026", REFUSAL_REASON], "en": ["18/11/2026", REFUSAL_REASON]}),
    "apology-1": (
        busy_record,
        {"vi": ["23/11/2026", "24/11/2026", DELAY.vi], "en": ["23/11/2026", "24/11/2026", DELAY.en]},
    ),
    "apology-2": (busy_record, {"vi": ["24/11/2026", "26/11/2026"], "en": ["24/11/2026", "26/11/2026"]}),
    "control-slip": (
        busy_record,
        {
            "vi": ["17/11/2026", "23/11/2026", TAX_OFFICE.vi, "Lê Văn Cường", "Đúng hạn", "Quá hạn"],
            "en": ["17/11/2026", "23/11/2026", TAX_OFFICE.en, "Lê Văn Cường", "On time", "Late"],
        },
    ),
}
LABEL = Text(vi="Mã hồ sơ", en="Dossier code")
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_document_shows_the_dossier_in_the_language_asked_for(name: str, language: Language) -> None:
    build, expected = CASES[name]
    record = build()

    pdf = render(record, name, presenter=PRESENTER, language=language, now=NOW)

    text = text_of(pdf)
    assert record.dossier.code in text
    assert "Nguyễn Văn An" in text  # diacritics survive: the font maps its glyphs back to Unicode
    assert AGENCY.in_(language) in text
    for wanted in expected[language]:
        assert wanted in text, wanted
    assert MOTTO in text and "Độc lập - Tự do - Hạnh phúc" in text  # Vietnamese in every language
    assert LABEL.in_(language) in text
    other: Language = "en" if language == "vi" else "vi"
    assert LABEL.in_(other) not in text


@pytest.mark.parametrize("name", ["receipt", "papers-request-1", "refusal", "apology-1"])
def test_forms_01_to_04_are_a5_portrait(name: str) -> None:
    build, _ = CASES[name]

    pdf = render(build(), name, presenter=PRESENTER, language="vi", now=NOW)

    assert page_size(pdf) == pytest.approx(A5, abs=1)


def test_the_control_slip_is_a4_landscape_with_a_row_per_hand_over() -> None:
    pdf = render(busy_record(), "control-slip", presenter=PRESENTER, language="vi", now=NOW)

    assert page_size(pdf) == pytest.approx((A4[1], A4[0]), abs=1)
    text = text_of(pdf)
    # The desk, the Finance review, the tax office's step: each with its receiving time.
    assert text.count("17/11/2026") >= 3 and "16:00 ngày 19/11/2026" in text


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_font_is_embedded_as_a_subset(name: str) -> None:
    build, _ = CASES[name]

    fonts = embedded_fonts(render(build(), name, presenter=PRESENTER, language="vi", now=NOW))

    assert fonts, "no font on the page"
    for base_font, length in fonts:
        assert "DejaVuSerif" in base_font
        assert 0 < length < 150_000, f"{base_font}: {length} bytes (the whole font is ~370 KB)"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_receipt_qr_code_scans_to_the_tracking_url(language: Language) -> None:
    record = busy_record()
    pdf = render(record, "receipt", presenter=PRESENTER, language=language, now=NOW)

    found = zxingcpp.read_barcodes(page_image(pdf, dpi=200))

    url = PRESENTER.tracking_url(CODE)
    assert [code.text for code in found] == [url]
    corners = found[0].position
    left, top, right, bottom = (
        corners.top_left.x,
        corners.top_left.y,
        corners.bottom_right.x,
        corners.bottom_right.y,
    )
    assert (right - left) / 200 * 25.4 >= 25  # mm
    # The quiet zone: four modules of white all around, or a phone may not find the symbol.
    quiet = 4 * (right - left) / len(segno.make_qr(url, error="m").matrix)
    image = page_image(pdf, dpi=200).convert("L")
    ring = [
        (left - quiet, top - quiet, right + quiet, top - 2),
        (left - quiet, bottom + 2, right + quiet, bottom + quiet),
        (left - quiet, top, left - 2, bottom),
        (right + 2, top, right + quiet, bottom),
    ]
    for box in ring:
        assert image.crop(tuple(round(v) for v in box)).getextrema()[0] > 200, box
    assert url in text_of(pdf).replace(" ", "")  # printed under it, for those without a camera


def test_available_lists_what_happened_to_the_dossier() -> None:
    refs = available(busy_record(), "vi")

    assert [ref.name for ref in refs] == [
        "receipt",
        "papers-request-1",
        "apology-1",
        "apology-2",
        "control-slip",
    ]
    assert [ref.form for ref in refs] == ["Mẫu 01", "Mẫu 02", "Mẫu 04", "Mẫu 04", "Mẫu 05"]
    assert [ref.kind for ref in refs] == [
        DocumentKind.RECEIPT,
        DocumentKind.PAPERS_REQUEST,
        DocumentKind.APOLOGY,
        DocumentKind.APOLOGY,
        DocumentKind.CONTROL_SLIP,
    ]
    assert refs[3].number == 2 and refs[3].filename == f"{CODE}-2-Mau04.pdf"
    assert refs[0].title == "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    assert all(ref.filename.isascii() and ref.filename.endswith(".pdf") for ref in refs)


def test_available_for_a_refused_dossier_in_english() -> None:
    refs = available(refused_record(), "en")

    assert [(ref.name, ref.form) for ref in refs] == [
        ("receipt", "Form 01"),
        ("refusal", "Form 03"),
        ("control-slip", "Form 05"),
    ]
    assert refs[1].title == "NOTICE OF REFUSAL TO RECEIVE AND PROCESS THE DOSSIER"


@pytest.mark.parametrize("name", ["refusal", "apology-3", "papers-request-2", "result-1", "receipt.pdf", ""])
def test_a_document_the_dossier_does_not_have_is_not_found(name: str) -> None:
    with pytest.raises(NotFound) as raised:
        render(busy_record(), name, presenter=PRESENTER, language="vi", now=NOW)

    assert raised.value.code == "document_not_found"


def test_the_same_dossier_renders_the_same_bytes() -> None:
    record = busy_record()
    first = render(record, "receipt", presenter=PRESENTER, language="vi", now=NOW)

    # A receipt is dated by the filing, not by the moment it is printed again.
    assert (
        render(record, "receipt", presenter=PRESENTER, language="vi", now=NOW + timedelta(days=30)) == first
    )
    assert render(record, "receipt", presenter=PRESENTER, language="en", now=NOW) != first


def test_the_dossier_language_is_the_default() -> None:
    record = busy_record()
    english = record.model_copy(update={"dossier": record.dossier.model_copy(update={"language": "en"})})

    assert "APOLOGY AND NEW APPOINTMENT" in text_of(
        render(english, "apology-1", presenter=PRESENTER, now=NOW)
    )
    assert available(english)[0].title == "RECEIPT OF DOSSIER AND APPOINTMENT FOR THE RESULT"


# --- the result ------------------------------------------------------------------------------------

RESULT_LINES: dict[Language, list[str]] = {
    "vi": [
        "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "Tên doanh nghiệp bằng tiếng Việt: Doanh nghiệp tư nhân Thương mại Hoa Sen",
        "Vốn đầu tư của chủ doanh nghiệp (đồng): 500.000.000",
        "Phương pháp tính thuế giá trị gia tăng: Khấu trừ",
        "ngày 25 tháng 11 năm 2026",
        "17/11/2026",
    ],
    "en": [
        "RESULT OF AN ADMINISTRATIVE PROCEDURE",
        "Enterprise name in Vietnamese: Doanh nghiệp tư nhân Thương mại Hoa Sen",
        "Owner's invested capital (VND): 500,000,000",
        "VAT calculation method: Credit (deduction) method",
        "25/11/2026",
        "17/11/2026",
    ],
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_result_lists_the_form_under_its_number(language: Language) -> None:
    rendered = render_result(approved_record(), 2, province=PROVINCE, language=language, now=NOW)

    text = text_of(rendered.pdf)
    assert f"{CODE}-KQ2" in text
    assert "Nguyễn Văn An" in text and AGENCY.in_(language) in text
    for line in RESULT_LINES[language]:
        assert line in text, line
    assert page_size(rendered.pdf) == pytest.approx(A4, abs=1)
    assert all("DejaVuSerif" in name and length for name, length in embedded_fonts(rendered.pdf))


def test_the_signature_box_is_blank_and_bottom_right() -> None:
    rendered = render_result(approved_record(), 1, province=PROVINCE, language="vi", now=NOW)
    x1, y1, x2, y2 = rendered.signature_box
    width, height = A4

    assert rendered.page == len(PdfReader(io.BytesIO(rendered.pdf)).pages) - 1
    assert width / 2 <= x1 < x2 <= width and 0 <= y1 < y2 <= height / 2
    assert y2 - y1 >= 39 * MM and x2 - x1 >= 60 * MM
    # Nothing printed inside: the visible signature goes there.
    dpi = 100
    image = page_image(rendered.pdf, dpi, rendered.page).convert("L")
    scale = dpi / 72
    crop = image.crop((x1 * scale, (height - y2) * scale, x2 * scale, (height - y1) * scale))
    assert crop.getextrema() == (255, 255)
    # And something is printed just above it: the signer's title, so the box is where it belongs.
    above = image.crop((x1 * scale, (height - y2 - 12 * MM) * scale, x2 * scale, (height - y2) * scale))
    assert above.getextrema()[0] < 128


def test_a_dossier_not_yet_decided_has_no_result() -> None:
    record = busy_record()
    waiting = record.model_copy(
        update={"dossier": record.dossier.model_copy(update={"status": Status.MORE_PAPERS})}
    )
    with pytest.raises(Conflict):
        render_result(waiting, 1, province=PROVINCE, language="vi", now=NOW)


def test_the_officers_note_is_printed_on_the_result() -> None:
    from pypdf import PdfReader

    note = "Đồng ý cấp giấy phép theo đề nghị của phường."
    rendered = render_result(busy_record(), 1, province=PROVINCE, language="vi", now=NOW, note=note)
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(rendered.pdf)).pages
    )
    assert note in text


def test_form_values_read_as_a_person_writes_them() -> None:
    form = PROVINCE.procedures_by_code["3.000333"].form  # judicial record: nested array of objects

    lines = dict(form_lines(form, EXAMPLES["3.000333"], "en"))

    assert lines["Type of certificate"] == "Certificate no. 1"
    assert lines["Number of copies"] == "2"
    history = lines["Places of residence since the age of 14"]
    assert "From (year): 2008, To (year): 2016, Address: Thôn Đồng Tâm" in history
    land = dict(form_lines(PROVINCE.procedures_by_code["1.013978"].form, EXAMPLES["1.013978"], "vi"))
    assert "20/05/1998" in land.values() and "215,4" in land.values() and "Có" in land.values()


def test_times_are_shown_in_vietnam_time() -> None:
    record = busy_record()
    early = vn(17, 6, 30)  # 23:30 UTC on the 16th
    filed_early = record.model_copy(update={"dossier": record.dossier.model_copy(update={"filed_at": early})})

    text = text_of(render(filed_early, "receipt", presenter=PRESENTER, language="vi", now=NOW))

    assert "06:30 ngày 17/11/2026" in text and "ngày 17 tháng 11 năm 2026" in text
    assert "16/11/2026" not in text


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_receipt_of_a_walk_in_says_the_fee_collected_at_the_counter(language: Language) -> None:
    from motcua.domain.counter import Channel
    from motcua.domain.fees import FeeCollection, FilingFee

    fee = FilingFee(amount_vnd=100000, collection=FeeCollection.COUNTER, collected_at=FILED)
    walk_in = dossier(channel=Channel.COUNTER, fee=fee)
    online = dossier(fee=FilingFee(amount_vnd=100000, collection=FeeCollection.ONLINE))

    def receipt_text(d: Dossier) -> str:
        record = DossierRecord(dossier=d, events=(event(FILED, None, Status.SUBMITTED),), tasks=())
        return text_of(render(record, "receipt", presenter=PRESENTER, language=language, now=NOW))

    wanted = {
        "vi": "100.000 VND, đã thu tại Bộ phận tiếp nhận và trả kết quả",
        "en": "100.000 VND, collected at",
    }
    assert wanted[language] in receipt_text(walk_in)
    assert "100.000 VND" not in receipt_text(online)  # paid online: its own payment receipt says so
