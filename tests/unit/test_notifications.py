"""What the citizen is told: which audit entries speak to them, and the emails and SMS that say it."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import pytest

from motcua.domain.audit import AuditEntry
from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.catalog import ResultDelivery
from motcua.domain.events import Event, event_for
from motcua.domain.i18n import LANGUAGES, Language, Text
from motcua.domain.models import Apology, Applicant, Contacts, Dossier
from motcua.domain.status import Action, Status
from motcua.notifications.compose import TEMPLATE_VERSION, Message, ascii_fold, compose
from motcua.notifications.phones import normalise_phone
from motcua.services.coordinator import Kind
from motcua.services.sweep import APOLOGY_REASON

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "motcua"
CODE = "000.00.01.H99-261117-0001"  # as long as a real code gets
PORTAL = "https://dichvucong.minhhoa.gov.vn"
TRACKING = f"{PORTAL}/#/tracking/{CODE}"
DOSSIER_PAGE = f"{PORTAL}/#/dossiers/{CODE}"
NAME = "Nguyễn Thị Ánh Tuyết"
# What the applicant typed into the form: printed on the receipt, never written to.
TYPED_EMAIL, TYPED_PHONE = "nguoi.khac@example.org", "0987 654 321"
REASON = "Thiếu bản sao căn cước của chủ doanh nghiệp"
ONE_SEGMENT = 160  # GSM-7 characters
# GSM 03.38's basic set within ASCII: one segment holds 160 of these (no [ ] { } \ ^ ~ | `).
GSM7_ASCII = set(
    "@$\n\r _!\"#%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

S = Status
E = Event
# Every action string the services write, with the transitions it makes, and what the citizen hears.
CASES: list[tuple[str, int | None, int, Event | None]] = [
    ("filed", None, S.SUBMITTED, E.FILED),
    ("accept", S.SUBMITTED, S.IN_PROCESS, E.ACCEPTED),
    ("refuse", S.SUBMITTED, S.REFUSED, E.REFUSED),
    ("request_papers", S.SUBMITTED, S.MORE_PAPERS, E.PAPERS_REQUESTED),
    ("request_papers", S.IN_PROCESS, S.MORE_PAPERS, E.PAPERS_REQUESTED),  # a flow's step too
    ("approve", S.IN_PROCESS, S.PROCESSED, E.RESULT_READY),
    ("approve", S.IN_PROCESS, S.IN_PROCESS, None),  # one agency's step of a flow
    ("reject", S.IN_PROCESS, S.STOPPED, E.STOPPED),  # an officer, a step, or the flow's rejection
    ("return_result", S.PROCESSED, S.RETURNED, E.RETURNED),
    ("supplement", S.MORE_PAPERS, S.SUBMITTED, None),  # the citizen's own act, confirmed on screen
    ("supplement", S.MORE_PAPERS, S.IN_PROCESS, None),
    *[("withdraw", s, S.WITHDRAWN, E.WITHDRAWN) for s in (1, 2, 4, 5, 6)],
    ("forward", S.IN_PROCESS, S.IN_PROCESS, None),
    ("expire", S.MORE_PAPERS, S.STOPPED, E.STOPPED),  # the papers never came
    ("restart_flow", S.IN_PROCESS, S.IN_PROCESS, None),
    ("apologise", S.IN_PROCESS, S.IN_PROCESS, E.LATE),
    ("apologised", S.IN_PROCESS, S.IN_PROCESS, E.LATE),  # what the sweep writes
    ("apologised", S.SUBMITTED, S.SUBMITTED, E.LATE),
    ("escalated", S.IN_PROCESS, S.IN_PROCESS, None),
    ("step", S.IN_PROCESS, S.IN_PROCESS, None),
    ("step_started", S.IN_PROCESS, S.IN_PROCESS, None),
    ("step_resumed", S.IN_PROCESS, S.IN_PROCESS, None),
    ("step_overdue", S.IN_PROCESS, S.IN_PROCESS, None),
    ("await_citizen", S.MORE_PAPERS, S.MORE_PAPERS, None),
    ("flow_done", S.IN_PROCESS, S.PROCESSED, E.RESULT_READY),
    ("flow_rejected", S.IN_PROCESS, S.STOPPED, E.STOPPED),
    ("flow_abandoned", S.MORE_PAPERS, S.STOPPED, E.STOPPED),
    ("flow_stalled", S.IN_PROCESS, S.IN_PROCESS, None),
    ("flow_failed", S.IN_PROCESS, S.IN_PROCESS, None),
    ("flow_restarted", S.IN_PROCESS, S.IN_PROCESS, None),
    # A signed result issued: the citizen hears when the dossier is processed (9), not before.
    ("result_issued", S.IN_PROCESS, S.IN_PROCESS, None),
    ("result_issued", S.PROCESSED, S.PROCESSED, None),
    ("flow_restarted", S.MORE_PAPERS, S.MORE_PAPERS, None),
    # Financial obligations (status 6): the citizen hears of the amount; the resume is on screen.
    ("request_fees", S.IN_PROCESS, S.FEES_DUE, E.FEES_DUE),
    ("fees_paid", S.FEES_DUE, S.IN_PROCESS, None),
    ("cancel_fees", S.FEES_DUE, S.IN_PROCESS, None),
]


def written_actions() -> set[str]:
    """The audit actions in the code: string literals given as `action=` or to the audit helpers,
    every Action, and the flow messages' kinds (routing records a stalled or failed flow by its kind)."""
    found: set[str] = set()
    for path in (PACKAGE / "services").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            values = [kw.value for kw in node.keywords if kw.arg == "action"]
            if getattr(node.func, "id", None) in ("record_change", "_audit"):
                values += node.args
            found |= {v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)}
    return found | {action.value for action in Action} | set(get_args(Kind))


def test_every_action_the_services_write_is_classified() -> None:
    actions = written_actions()
    assert {"filed", "escalated", "apologised", "step_started", "flow_restarted"} <= actions
    assert actions <= {action for action, *_ in CASES}, "classify the new action in CASES"


@pytest.mark.parametrize(("action", "before", "after", "expected"), CASES)
def test_event_for(action: str, before: int | None, after: int, expected: Event | None) -> None:
    assert event_for(entry(action, before, after)) == expected


def test_a_flow_finishing_is_the_result_even_under_an_action_not_seen_before() -> None:
    assert event_for(entry("flow_finished_v2", S.IN_PROCESS, S.PROCESSED)) is Event.RESULT_READY
    assert event_for(entry("flow_finished_v2", S.IN_PROCESS, S.IN_PROCESS)) is None


# --- the messages ---------------------------------------------------------------------------------


def vn(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=VIETNAM_TZ)


APOLOGY = Apology(
    number=1,
    issued_at=vn(24, 6),
    agency="000.00.01.H99",
    previous_appointment_at=vn(24, 17),
    appointment_at=vn(27, 17),
    reason=APOLOGY_REASON,
)
STATUS_AFTER = {
    E.FILED: (None, S.SUBMITTED, "filed"),
    E.ACCEPTED: (S.SUBMITTED, S.IN_PROCESS, "accept"),
    E.REFUSED: (S.SUBMITTED, S.REFUSED, "refuse"),
    E.PAPERS_REQUESTED: (S.IN_PROCESS, S.MORE_PAPERS, "request_papers"),
    E.LATE: (S.IN_PROCESS, S.IN_PROCESS, "apologised"),
    E.RESULT_READY: (S.IN_PROCESS, S.PROCESSED, "flow_done"),
    E.RETURNED: (S.PROCESSED, S.RETURNED, "return_result"),
    E.STOPPED: (S.IN_PROCESS, S.STOPPED, "reject"),
    E.WITHDRAWN: (S.IN_PROCESS, S.WITHDRAWN, "withdraw"),
    E.FEES_DUE: (S.IN_PROCESS, S.FEES_DUE, "request_fees"),
    E.REFUNDED: (S.REFUSED, S.REFUSED, "refund"),  # the status does not change
}
WITH_REASON = (E.REFUSED, E.PAPERS_REQUESTED, E.STOPPED)
WITH_DOCUMENT = (
    *(E.ACCEPTED, E.REFUSED, E.PAPERS_REQUESTED, E.LATE, E.RESULT_READY, E.RETURNED, E.FEES_DUE, E.REFUNDED),
)


def entry(
    action: str, before: int | None, after: int, *, reason: str | None = None, at: datetime | None = None
) -> AuditEntry:
    return AuditEntry(
        at=at or vn(24, 6),
        actor="system",
        role="system",
        action=action,
        status_before=before,
        status_after=after,
        reason=reason,
        seq=7,
        prev_hash="0" * 64,
        hash="1" * 64,
    )


def dossier(
    language: Language = "vi",
    *,
    email: str | None = "tuyet.nguyen@example.vn",
    phone: str | None = "+84912345678",
    status: Status = S.IN_PROCESS,
) -> Dossier:
    """A dossier whose filing account verified `email` and `phone`; its applicant typed others."""
    return Dossier(
        code=CODE,
        procedure_code="2.001610",
        procedure_name=Text(
            vi="Đăng ký thành lập doanh nghiệp tư nhân", en="Registration of a private enterprise"
        ),
        agency="000.00.01.H99",
        agencies=("000.00.01.H99", "000.00.20.H99"),
        owner="sub-1",
        language=language,
        applicant=Applicant(
            full_name=NAME,
            id_number="001190012345",
            phone=TYPED_PHONE,
            email=TYPED_EMAIL,
            address="Số 45 đường Lê Lợi, phường Minh Họa, tỉnh Minh Họa",
        ),
        contacts=Contacts(email=email, phone=phone),
        form={},
        attachments=(),
        status=status,
        filed_at=vn(17, 9),
        due_at=vn(24, 17),
        legal_days=5,
        appointment_at=APOLOGY.appointment_at,
        apologies=(APOLOGY,),
    )


def messages(
    event: Event,
    language: Language = "vi",
    *,
    reason: str | None = REASON,
    delivery: tuple[ResultDelivery, ...] = (ResultDelivery.ONLINE,),
    portal: str = PORTAL,
    email: str | None = "tuyet.nguyen@example.vn",
    phone: str | None = "+84912345678",
) -> dict[str, Message]:
    before, after, action = STATUS_AFTER[event]
    composed = compose(
        event,
        dossier(language, email=email, phone=phone),
        entry(action, before, after, reason=reason),
        province_name=Text(vi="Tỉnh Minh Họa", en="Minh Hoa Province"),
        agency_name=Text(vi="Sở Tài chính", en="Department of Finance"),
        portal_url=portal,
        tracking_url=f"{portal}/#/tracking/{CODE}",
        sender="motcua@minhhoa.example.gov.vn",
        result_delivery=delivery,
    )
    return {message.channel: message for message in composed}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("event", list(Event))
def test_every_event_renders_in_every_language_and_channel(event: Event, language: Language) -> None:
    sent = messages(event, language)
    email, sms = sent["email"], sent["sms"]
    assert email.to == "tuyet.nguyen@example.vn" and sms.to == "+84912345678"
    assert email.template == sms.template == f"{TEMPLATE_VERSION}/{event.value}"
    assert (email.key, sms.key) == (f"{CODE}#7#email", f"{CODE}#7#sms")
    assert email.event is sms.event is event and email.language == sms.language == language
    assert email.subject and "\n" not in email.subject and CODE in email.subject
    assert email.html is not None
    for body in (email.text, email.html):
        assert CODE in body and NAME in body and TRACKING in body
        assert "Sở Tài chính" in body if language == "vi" else "Department of Finance" in body
        assert ("thư tự động" if language == "vi" else "automatic message") in body
        assert ("Tỉnh Minh Họa" if language == "vi" else "Minh Hoa Province") in body
        assert (DOSSIER_PAGE in body) is (event in WITH_DOCUMENT)
        if event in WITH_REASON:
            assert REASON in body
    assert CODE in sms.text and sms.text.endswith(TRACKING)
    assert len(sms.text) <= ONE_SEGMENT and set(sms.text) <= GSM7_ASCII, sms.text


@pytest.mark.parametrize("event", list(Event))
def test_vietnamese_keeps_its_diacritics_in_email_and_drops_them_in_sms(event: Event) -> None:
    sent = messages(event, "vi")
    assert "Kính gửi ông/bà Nguyễn Thị Ánh Tuyết" in sent["email"].text
    assert "hồ sơ" in (sent["email"].subject or "").lower()
    assert "ho so" in sent["sms"].text.lower()
    assert sent["sms"].text.isascii()


@pytest.mark.parametrize("language", LANGUAGES)
def test_late_gives_the_new_appointment_of_the_apology(language: Language) -> None:
    sent = messages(Event.LATE, language)
    for text in (sent["email"].text, sent["email"].html or "", sent["sms"].text):
        assert "27/11/2026 17:00" in text
    assert "24/11/2026 17:00" in sent["email"].text  # the date it replaces
    assert APOLOGY_REASON.in_(language) in sent["email"].text


def test_accepted_and_filed_give_the_appointment() -> None:
    assert "27/11/2026 17:00" in messages(Event.ACCEPTED)["sms"].text
    assert "Ngày hẹn trả kết quả: 27/11/2026 17:00" in messages(Event.ACCEPTED)["email"].text


def test_times_are_vietnam_time() -> None:
    email, _ = compose(
        Event.WITHDRAWN,
        dossier(),
        entry("withdraw", S.IN_PROCESS, S.WITHDRAWN, at=datetime(2026, 11, 24, 2, 30, tzinfo=UTC)),
        province_name="Tỉnh Minh Họa",
        agency_name="Sở Tài chính",
        portal_url=PORTAL,
        tracking_url=TRACKING,
    )
    assert "lúc 24/11/2026 09:30" in email.text


def test_html_escapes_what_officers_type() -> None:
    sent = messages(Event.STOPPED, "en", reason='<script>alert("x")</script> & more')
    html = sent["email"].html
    assert html is not None
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in html
    assert '<script>alert("x")</script> & more' in sent["email"].text  # plain text stays as typed


def test_a_stop_because_the_papers_never_came_says_so_without_the_machine_s_cause() -> None:
    composed = compose(
        Event.STOPPED,
        dossier(),
        entry("expire", S.MORE_PAPERS, S.STOPPED, reason="stage 1 step 1"),
        province_name="Tỉnh Minh Họa",
        agency_name="Sở Tài chính",
        portal_url=PORTAL,
        tracking_url=TRACKING,
    )
    email, sms = composed
    assert "không được nộp trong thời hạn" in email.text and "stage 1" not in email.text
    assert "qua han bo sung" in sms.text


@pytest.mark.parametrize(
    ("delivery", "vi", "sms"),
    [
        ((ResultDelivery.ONLINE,), "chữ ký số", "tai tren cong"),
        ((ResultDelivery.POST,), "bưu chính", "gui qua buu dien"),
        ((ResultDelivery.EMAIL,), "gửi đến địa chỉ email", "gui qua email"),
        ((ResultDelivery.COUNTER,), "bộ phận một cửa của Sở Tài chính", "nhan tai bo phan mot cua"),
        ((), "Xem hướng dẫn nhận kết quả", "da co ket qua. Xem:"),
    ],
)
def test_result_ready_says_how_to_get_the_result(
    delivery: tuple[ResultDelivery, ...], vi: str, sms: str
) -> None:
    sent = messages(Event.RESULT_READY, delivery=delivery)
    assert vi in sent["email"].text and vi in (sent["email"].html or "")
    assert sms in sent["sms"].text


def test_a_long_portal_address_still_fits_one_sms_with_the_link_whole() -> None:
    portal = "https://dichvucong.tinh-minh-hoa-mo-rong.example.gov.vn/cong-mot-cua"
    for event in Event:
        text = messages(event, portal=portal)["sms"].text
        assert len(text) <= ONE_SEGMENT and text.endswith(f"{portal}/#/tracking/{CODE}"), text
    # The code gives way first (the link holds it), so that the words stay whole.
    assert messages(Event.REFUSED, portal=portal)["sms"].text.startswith("Ho so khong duoc tiep nhan;")


def test_no_verified_contact_no_message_whatever_the_applicant_typed() -> None:
    assert set(messages(Event.ACCEPTED, email=None)) == {"sms"}
    assert set(messages(Event.ACCEPTED, phone=None)) == {"email"}
    assert set(messages(Event.ACCEPTED, phone="+842438251234")) == {"email"}  # a landline takes no SMS
    # the applicant's own email and phone (TYPED_EMAIL, TYPED_PHONE) are data, never an address
    assert messages(Event.ACCEPTED, email=None, phone=None) == {}


def test_ascii_fold() -> None:
    assert ascii_fold("Đường Nguyễn Thị Minh Khai – “Hồ sơ” đã xong…") == (
        'Duong Nguyen Thi Minh Khai - "Ho so" da xong...'
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678", "+84912345678"),
        ("+84912345678", "+84912345678"),
        ("84 912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("024 3825 1234", "+842438251234"),  # a Hà Nội landline is a valid number
        ("01234 567 890", None),  # an 11-digit mobile number from before the 2018 renumbering
        ("0000 000 000", None),
        ("1900 1234", None),  # a premium-rate service line, not a person
        ("091234567", None),
        ("không có", None),
    ],
)
def test_normalise_phone(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


def test_only_mobile_numbers_are_texted() -> None:
    from motcua.notifications.phones import is_mobile, normalise_phone

    landline = normalise_phone("024 3825 3536")  # a Hà Nội office number
    assert landline is not None and not is_mobile(landline)
    assert is_mobile(normalise_phone("0912 345 678") or "")


@pytest.mark.parametrize(("language", "amount"), [("vi", "135.000 đồng"), ("en", "135.000 VND")])
def test_a_refund_names_its_amount_and_reason_and_is_its_own_event(language: Language, amount: str) -> None:
    sent = messages(E.REFUNDED, language, reason="135000 VND: Hồ sơ không được tiếp nhận")

    assert event_for(entry("refund", S.REFUSED, S.REFUSED)) is E.REFUNDED
    assert amount in sent["email"].text and "Hồ sơ không được tiếp nhận" in sent["email"].text
    assert "135000 VND:" not in sent["email"].text  # the audit's wording is not shown as it is
    assert "135.000" in sent["sms"].text and len(sent["sms"].text) <= 160
