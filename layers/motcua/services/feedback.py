"""Feedback and complaints (phản ánh, kiến nghị): sending, the agency's list, answering, publishing, and
telling the citizen of the answer (docs/feedback.md)."""

from __future__ import annotations

import functools
import random
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator

from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.codes import MAX_SEQUENCE, is_dossier_code
from motcua.domain.errors import Conflict, FieldError, Forbidden, InvalidInput, Unavailable
from motcua.domain.feedback import (
    Answer,
    Feedback,
    FeedbackChanged,
    FeedbackCode,
    FeedbackNotFound,
    FeedbackSequenceTaken,
    FeedbackState,
    Publication,
    is_feedback_code,
)
from motcua.domain.i18n import Language, Text
from motcua.domain.models import PrincipalKind
from motcua.domain.paging import decode_token, encode_token
from motcua.domain.ports import OutgoingMessage
from motcua.domain.roles import Role
from motcua.domain.sent import mask_address
from motcua.notifications.compose import SMS_LIMIT, ascii_fold
from motcua.notifications.phones import is_mobile, normalise_phone
from motcua.observability import count

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from motcua.config.province import Province
    from motcua.domain.feedback import FeedbackBox
    from motcua.domain.models import Principal
    from motcua.domain.ports import Clock, DossierRepository, Messenger, OnceOnly

FEEDBACK = Text(vi="phản ánh, kiến nghị", en="feedback")
ANSWERING = frozenset({Role.OFFICER, Role.LEADER})  # the agency's officers and leaders answer
# Senders racing for an agency's next number of the day: how often one tries again before "busy" —
# as many as filings do (services/filing.py).
MAX_ATTEMPTS = 50
MINE_LIMIT = 100


class FeedbackRequest(BaseModel):
    """What a citizen sends: about one of their dossiers (its code), or to an agency (its code)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    dossier_code: str | None = Field(
        default=None, max_length=40, description="One of the sender's dossiers; its receiving agency answers."
    )
    agency: str | None = Field(
        default=None, max_length=20, description="The agency's code, when the feedback is about no dossier."
    )
    subject: str = Field(min_length=3, max_length=200)
    text: str = Field(min_length=10, max_length=4000)


class AnswerRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=10, max_length=4000, description="The answer the citizen is sent.")


class PublicationRequest(BaseModel):
    """The question and the answer as the public page will show them, edited to hold no personal data."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    subject: str = Field(min_length=3, max_length=200)
    question: str = Field(min_length=10, max_length=4000)
    answer: str = Field(min_length=10, max_length=4000)

    @field_validator("question", "answer", "subject")
    @classmethod
    def _no_dossier_code(cls, value: str) -> str:
        if any(is_dossier_code(word.strip(".,;:()")) for word in value.split()):
            raise ValueError("a published text must not name a dossier code")
        return value


class AnswerView(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    at: datetime
    by: str | None = None  # staff only: the officer's name or username


class PublicationView(BaseModel):
    """A published question and answer: no name, no contact, no dossier code, no feedback code."""

    model_config = ConfigDict(frozen=True)

    agency: str
    agency_name: Text
    subject: str
    question: str
    answer: str
    sent_on: str
    answered_at: datetime
    published_at: datetime


class FeedbackView(BaseModel):
    """A feedback as its sender and the agency's staff see it."""

    model_config = ConfigDict(frozen=True)

    code: str
    agency: str
    agency_name: Text
    dossier_code: str | None = None
    subject: str
    text: str
    state: FeedbackState
    sent_at: datetime
    due_at: datetime
    overdue: bool
    answer: AnswerView | None = None
    published: PublicationView | None = None
    # Staff only: who sent it and where the answer goes (masked).
    sender: str | None = None
    told_by: list[str] | None = None


class FeedbackPage(BaseModel):
    items: list[FeedbackView]
    next_token: str | None = None


class PublicPage(BaseModel):
    items: list[PublicationView]
    next_token: str | None = None


def _invalid(name: str, vi: str, en: str) -> InvalidInput:
    message = Text(vi=vi, en=en)
    return InvalidInput(message, fields=(FieldError(field=name, code="invalid", message=message),))


class FeedbackService:
    def __init__(
        self,
        *,
        province: Province,
        box: FeedbackBox,
        repository: DossierRepository,
        clock: Clock,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self.province = province
        self.box = box
        self.repository = repository
        self.clock = clock
        self.pause = pause

    # --- sending -------------------------------------------------------------------------------

    def send(self, principal: Principal, request: FeedbackRequest, language: Language = "vi") -> Feedback:
        """Give the feedback the agency's next code of the day and a due date in working days."""
        if principal.kind is not PrincipalKind.CITIZEN:
            raise Forbidden(
                Text(
                    vi="Chỉ công dân mới gửi được phản ánh, kiến nghị.", en="Only citizens can send feedback."
                )
            )
        agency = self._addressee(principal, request)
        now = self.clock.now()
        policy = self.province.feedback
        due_at = self.province.working_calendar.due_at(now, policy.answer_working_days)
        day = now.astimezone(VIETNAM_TZ).date()
        for attempt in range(MAX_ATTEMPTS):
            sequence = self.box.last_sequence(agency, day) + 1
            if sequence > MAX_SEQUENCE:
                raise Conflict(
                    Text(
                        vi="Cơ quan đã nhận tối đa 9999 phản ánh, kiến nghị trong ngày; "
                        "vui lòng gửi lại ngày mai.",
                        en="The agency has received the most feedback a day can number (9999); "
                        "please send it tomorrow.",
                    ),
                    code="daily_sequence_exhausted",
                )
            feedback = Feedback(
                code=str(FeedbackCode(agency=agency, day=day, sequence=sequence)),
                agency=agency,
                owner=principal.sub,
                name=principal.name,
                contacts=principal.contacts,
                language=language,
                dossier_code=request.dossier_code,
                subject=request.subject,
                text=request.text,
                sent_at=now,
                due_at=due_at,
            )
            try:
                self.box.add(feedback, sequence=sequence, expires_at=now + timedelta(days=policy.keep_days))
            except FeedbackSequenceTaken:
                self.pause(random.uniform(0, min(0.2, 0.005 * 2**attempt)))  # noqa: S311 — jitter
                continue
            count("FeedbackSent")
            return feedback
        raise Unavailable(
            Text(vi="Hệ thống đang bận, vui lòng thử lại.", en="The service is busy; please try again."),
            retry_after=2,
            code="busy",
        )

    def _addressee(self, principal: Principal, request: FeedbackRequest) -> str:
        """The agency that answers: the dossier's receiving agency (today's, after a merger), or the one
        named."""
        if request.dossier_code:
            record = (
                self.repository.get(request.dossier_code) if is_dossier_code(request.dossier_code) else None
            )
            if record is None or record.dossier.owner != principal.sub:
                raise _invalid(
                    "dossier_code",
                    f"“{request.dossier_code}” không phải mã một hồ sơ của bạn.",
                    f"“{request.dossier_code}” is not the code of one of your dossiers.",
                )
            agency = self.province.current_agency(record.dossier.agency)
            if agency is None:  # pragma: no cover — a dossier's agency stays in the catalog
                raise _invalid(
                    "dossier_code", "Cơ quan của hồ sơ không còn.", "The dossier's agency is gone."
                )
            return agency.code
        if not request.agency:
            raise _invalid(
                "agency",
                "Hãy chọn cơ quan nhận phản ánh, kiến nghị, hoặc nhập mã hồ sơ của bạn.",
                "Choose the agency the feedback is for, or give the code of your dossier.",
            )
        agency = self.province.current_agency(request.agency)
        if agency is None:
            raise _invalid(
                "agency", f"Không có cơ quan “{request.agency}”.", f"There is no agency “{request.agency}”."
            )
        return agency.code

    # --- reading -------------------------------------------------------------------------------

    def mine(self, principal: Principal) -> list[Feedback]:
        if principal.kind is not PrincipalKind.CITIZEN:
            raise Forbidden()
        return self.box.for_owner(principal.sub, limit=MINE_LIMIT)

    def get(self, principal: Principal, code: str) -> Feedback:
        """The sender's own feedback, or one of the agency of the officer or leader who asks; 404 else."""
        feedback = self.box.get(code) if is_feedback_code(code) else None
        if feedback is None or not (
            feedback.owner == principal.sub or self._answers(principal, feedback.agency)
        ):
            raise FeedbackNotFound()
        return feedback

    def _answers(self, principal: Principal, agency: str) -> bool:
        return principal.is_staff and principal.role in ANSWERING and principal.agency == agency

    def inbox(
        self, principal: Principal, agency: str, state: FeedbackState, *, limit: int, next_token: str | None
    ) -> tuple[list[Feedback], str | None]:
        """The agency's feedback (open by due date, or answered the latest first), for its officers and
        leaders."""
        if not self._answers(principal, agency):
            raise Forbidden(
                Text(
                    vi="Chỉ chuyên viên và lãnh đạo của cơ quan mới xem được "
                    "phản ánh, kiến nghị gửi cơ quan.",
                    en="Only the agency's officers and leaders can see the feedback sent to it.",
                )
            )
        after = _after(next_token, f"{agency}#{state.value}")
        items, last = self.box.for_agency(agency, state, limit=limit, after=after)
        token = encode_token({"l": f"{agency}#{state.value}", "k": last}) if last else None
        return items, token

    def public(self, *, limit: int, next_token: str | None) -> tuple[list[Publication], str | None]:
        items, last = self.box.published(limit=limit, after=_after(next_token, "public"))
        return items, encode_token({"l": "public", "k": last}) if last else None

    # --- answering -----------------------------------------------------------------------------

    def answer(self, principal: Principal, feedback: Feedback, request: AnswerRequest) -> Feedback:
        """Record the answer (who, when) once: a second answer is a 409. The citizen is told by email
        and SMS through the table's stream."""
        self._check_officer(principal, feedback)
        answered = feedback.answered(
            Answer(text=request.text, by=principal.username, by_name=principal.name, at=self.clock.now())
        )
        self.box.answer(answered)
        count("FeedbackAnswered")
        return answered

    def publish(self, principal: Principal, feedback: Feedback, request: PublicationRequest) -> Feedback:
        """Put the answered feedback on the public page, with the texts the officer edited for it."""
        self._check_officer(principal, feedback)
        answer = feedback.answer
        now = self.clock.now()
        published = feedback.publish(
            Publication(
                agency=feedback.agency,
                subject=request.subject,
                question=request.question,
                answer=request.answer,
                sent_on=feedback.sent_at.astimezone(VIETNAM_TZ).date(),
                answered_at=answer.at if answer else now,
                published_at=now,
                published_by=principal.username,
            )
        )
        try:
            self.box.publish(published)
        except FeedbackChanged:
            raise Conflict(
                Text(
                    vi="Phản ánh, kiến nghị vừa được thay đổi; vui lòng tải lại.",
                    en="The feedback has just been changed; please reload it.",
                ),
                code="feedback_changed",
            ) from None
        count("FeedbackPublished")
        return published

    def for_officer(self, principal: Principal, code: str) -> Feedback:
        """A feedback the caller may answer or publish: 404 when they may not see it, 403 when they may
        see it but not answer it (its sender)."""
        feedback = self.get(principal, code)
        self._check_officer(principal, feedback)
        return feedback

    def _check_officer(self, principal: Principal, feedback: Feedback) -> None:
        if not self._answers(principal, feedback.agency):
            raise Forbidden(
                Text(
                    vi="Chỉ chuyên viên và lãnh đạo của cơ quan mới trả lời được phản ánh, kiến nghị.",
                    en="Only the agency's officers and leaders can answer feedback.",
                )
            )

    # --- views ---------------------------------------------------------------------------------

    def view(self, feedback: Feedback, *, staff: bool) -> FeedbackView:
        answer = feedback.answer
        return FeedbackView(
            code=feedback.code,
            agency=feedback.agency,
            agency_name=self._agency_name(feedback.agency),
            dossier_code=feedback.dossier_code,
            subject=feedback.subject,
            text=feedback.text,
            state=feedback.state,
            sent_at=feedback.sent_at,
            due_at=feedback.due_at,
            overdue=feedback.overdue(self.clock.now()),
            answer=AnswerView(
                text=answer.text, at=answer.at, by=(answer.by_name or answer.by) if staff else None
            )
            if answer
            else None,
            published=self.public_view(feedback.published) if feedback.published else None,
            sender=(feedback.name or "—") if staff else None,
            told_by=_told_by(feedback) if staff else None,
        )

    def public_view(self, publication: Publication) -> PublicationView:
        return PublicationView(
            agency=publication.agency,
            agency_name=self._agency_name(publication.agency),
            subject=publication.subject,
            question=publication.question,
            answer=publication.answer,
            sent_on=publication.sent_on.isoformat(),
            answered_at=publication.answered_at,
            published_at=publication.published_at,
        )

    def _agency_name(self, code: str) -> Text:
        agency = self.province.agencies_by_code.get(code)
        return agency.name if agency else Text(vi=code, en=code)


def _told_by(feedback: Feedback) -> list[str]:
    told = []
    if feedback.contacts.email:
        told.append(mask_address("email", feedback.contacts.email))
    if feedback.contacts.phone:
        told.append(mask_address("sms", feedback.contacts.phone))
    return told


def _after(token: str | None, listing: str) -> str | None:
    """The key a token continues from, if it was made for this very listing (400 otherwise)."""
    if token is None:
        return None
    value = decode_token(token)
    if value.get("l") != listing or not isinstance(value.get("k"), str):
        raise _bad_token()
    return str(value["k"])


def _bad_token() -> Exception:
    from motcua.domain.errors import BadRequest

    return BadRequest(
        Text(vi="next_token không hợp lệ.", en="The next_token is not valid."), code="invalid_next_token"
    )


# --- telling the citizen --------------------------------------------------------------------------


def answer_messages(feedback: Feedback, portal_url: str) -> list[tuple[str, OutgoingMessage]]:
    """The once-only key and the message of each channel the sender verified, telling of the answer."""
    answer = feedback.answer
    if answer is None:
        return []
    link = f"{portal_url.rstrip('/')}/#/me/feedback"
    found: list[tuple[str, OutgoingMessage]] = []
    en = feedback.language == "en"
    if feedback.contacts.email:
        if en:
            subject = f"Your feedback {feedback.code} has been answered"
            lines = [
                f"Dear {feedback.name or 'citizen'},",
                "",
                f"The agency has answered your feedback {feedback.code} “{feedback.subject}”:",
                "",
                answer.text,
                "",
                f"See it on the portal: {link}",
            ]
        else:
            subject = f"Phản ánh, kiến nghị {feedback.code} đã được trả lời"
            lines = [
                f"Kính gửi {feedback.name or 'ông/bà'},",
                "",
                f"Cơ quan đã trả lời phản ánh, kiến nghị {feedback.code} “{feedback.subject}” của ông/bà:",
                "",
                answer.text,
                "",
                f"Xem trên cổng dịch vụ công: {link}",
            ]
        found.append(
            (
                f"{feedback.code}#answered#email",
                OutgoingMessage(
                    channel="email", to=feedback.contacts.email, subject=subject, text="\n".join(lines) + "\n"
                ),
            )
        )
    phone = normalise_phone(feedback.contacts.phone) if feedback.contacts.phone else None
    if phone is not None and is_mobile(phone):
        if en:
            sms = f"Feedback {feedback.code} has been answered. See: {link}"
        else:
            sms = f"Phan anh kien nghi {feedback.code} da duoc tra loi. Xem: {link}"
        sms = " ".join(ascii_fold(sms).split())[:SMS_LIMIT]
        found.append((f"{feedback.code}#answered#sms", OutgoingMessage(channel="sms", to=phone, text=sms)))
    return found


class FeedbackNotices:
    """Sends the answer's email and SMS, each once, through the dossiers' messengers."""

    def __init__(
        self, *, messengers: Mapping[str, Messenger], once: OnceOnly, clock: Clock, portal_url: str
    ) -> None:
        self.messengers = messengers
        self.once = once
        self.clock = clock
        self.portal_url = portal_url

    def notify(self, feedback: Feedback) -> int:
        messages = answer_messages(feedback, self.portal_url)
        for key, message in messages:
            self.once.run(key, functools.partial(self._deliver, message))
        return len(messages)

    def _deliver(self, message: OutgoingMessage) -> dict[str, str]:
        provider_id = self.messengers[message.channel].send(message)
        count("NotificationSent", channel=message.channel)
        return {
            "channel": message.channel,
            "provider_id": provider_id,
            "sent_at": self.clock.now().isoformat(),
        }
