"""Feedback rules on the in-memory fakes: codes in sequence without gaps, the due date on the province's
calendar, open → answered (once) → published, who may see and answer, the answer's email and SMS."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from motcua.domain.calendar import VIETNAM_TZ
from motcua.domain.errors import Forbidden, InvalidInput
from motcua.domain.feedback import (
    AlreadyAnswered,
    FeedbackCode,
    FeedbackNotFound,
    FeedbackSequenceTaken,
    FeedbackState,
    NotAnswered,
)
from motcua.domain.roles import Role
from motcua.services.feedback import AnswerRequest, FeedbackRequest, PublicationRequest
from tests.conftest import DEMO_PROVINCE
from tests.fakes.world import World

FINANCE, TAX, MERGED_INTO_FINANCE = "000.00.01.H99", "000.00.20.H99", "000.00.07.H99"
BUSINESS = "2.001610"  # received by Finance


@pytest.fixture
def world() -> World:
    return World(DEMO_PROVINCE)


def ask(
    agency: str | None = FINANCE, dossier: str | None = None, subject: str = "Thái độ phục vụ"
) -> FeedbackRequest:
    return FeedbackRequest(
        agency=agency,
        dossier_code=dossier,
        subject=subject,
        text="Cán bộ hướng dẫn chưa rõ ràng, đề nghị xem xét.",
    )


def test_codes_follow_the_agencys_day_counter_without_gaps_and_start_again_the_next_day(world: World) -> None:
    an = world.citizen()
    codes = [world.container.feedback.send(an, ask()).code for _ in range(3)]
    other = world.container.feedback.send(an, ask(TAX)).code
    world.clock.advance(timedelta(days=1))
    tomorrow = world.container.feedback.send(an, ask()).code
    assert codes == [f"PAKN-{FINANCE}-261117-000{n}" for n in (1, 2, 3)]
    assert other == f"PAKN-{TAX}-261117-0001"  # each agency its own counter
    assert tomorrow == f"PAKN-{FINANCE}-261118-0001"
    # A dossier filed the same day keeps its own numbering: feedback never takes a dossier's number.
    assert world.file(an, BUSINESS).code == f"{FINANCE}-261118-0001"
    assert FeedbackCode.parse(codes[2]) == FeedbackCode(agency=FINANCE, day=date(2026, 11, 17), sequence=3)


def test_a_number_another_sender_took_first_is_never_given_twice_nor_skipped(world: World) -> None:
    # Between the service's read of the counter and its write, another sender takes the number.
    box, service = world.feedback, world.container.feedback
    real_last = box.last_sequence
    raced = []

    def stale_once(agency: str, day: date) -> int:
        seen = real_last(agency, day)
        if not raced:
            raced.append("")
            box.last_sequence = real_last  # type: ignore[method-assign]
            raced[0] = service.send(world.citizen(), ask()).code  # takes number seen + 1
        return seen

    box.last_sequence = stale_once  # type: ignore[method-assign]
    mine = service.send(world.citizen(), ask())
    assert raced == [f"PAKN-{FINANCE}-261117-0001"]
    assert mine.code == f"PAKN-{FINANCE}-261117-0002"
    with pytest.raises(FeedbackSequenceTaken):
        box.add(
            mine.model_copy(update={"code": f"PAKN-{FINANCE}-261117-0002"}),
            sequence=2,
            expires_at=mine.due_at,
        )


def test_the_due_date_counts_working_days_on_the_provinces_calendar(world: World) -> None:
    # Sent Tuesday 17/11/2026 09:00. Ten working days, by hand: 18, 19, 20, 23, (24: Vietnam Culture Day,
    # a day off in 2026), 25, 26, 27, 30/11, 1/12, 2/12 → due Wednesday 2/12 at the end of the office day.
    feedback = world.container.feedback.send(world.citizen(), ask())
    assert feedback.due_at == datetime(2026, 12, 2, 17, 0, tzinfo=VIETNAM_TZ)
    # Sent on Saturday 21/11: received on Monday 23/11 (not counted), then 25, 26, 27, 30/11, 1, 2, 3,
    # 4, 7, 8/12 → due Tuesday 8/12.
    world.clock.set(datetime(2026, 11, 21, 3, 0, tzinfo=UTC))
    weekend = world.container.feedback.send(world.citizen(), ask())
    assert weekend.due_at == datetime(2026, 12, 8, 17, 0, tzinfo=VIETNAM_TZ)


def test_feedback_about_a_dossier_goes_to_its_agency_and_must_be_the_senders_own(world: World) -> None:
    an, binh = world.citizen("Nguyễn Văn An"), world.citizen("Trần Thị Bình")
    code = world.file(an, BUSINESS).code
    feedback = world.container.feedback.send(an, ask(agency=None, dossier=code))
    assert (feedback.agency, feedback.dossier_code) == (FINANCE, code)
    with pytest.raises(InvalidInput) as someone_elses:
        world.container.feedback.send(binh, ask(agency=None, dossier=code))
    assert someone_elses.value.fields[0].field == "dossier_code"
    with pytest.raises(InvalidInput) as neither:
        world.container.feedback.send(an, ask(agency=None))
    assert neither.value.fields[0].field == "agency"
    # An agency that merged: the feedback goes to the one that does its work today.
    assert world.container.feedback.send(an, ask(MERGED_INTO_FINANCE)).agency == FINANCE
    with pytest.raises(Forbidden):
        world.container.feedback.send(world.staff(FINANCE), ask())


def test_open_then_answered_once_then_published_and_overdue_when_late(world: World) -> None:
    service = world.container.feedback
    an = world.citizen("Nguyễn Văn An")
    officer = world.staff(FINANCE, Role.OFFICER, name="Lê Văn Xử")
    feedback = service.send(an, ask())
    assert feedback.state is FeedbackState.OPEN
    assert not feedback.overdue(world.clock.now())
    with pytest.raises(NotAnswered):
        service.publish(
            officer, feedback, PublicationRequest(subject="Sss", question="q" * 10, answer="a" * 10)
        )
    world.clock.set(datetime(2026, 12, 2, 10, 1, tzinfo=UTC))  # 17:01 on the due day
    assert service.get(officer, feedback.code).overdue(world.clock.now())
    answered = service.answer(officer, feedback, AnswerRequest(text="Đã nhắc nhở cán bộ, xin cảm ơn ông."))
    assert answered.state is FeedbackState.ANSWERED
    assert answered.answer is not None
    assert (answered.answer.by, answered.answer.at) == (officer.username, world.clock.now())
    assert answered.overdue(world.clock.now())  # answered after its due date: late
    with pytest.raises(AlreadyAnswered):
        service.answer(officer, answered, AnswerRequest(text="Một câu trả lời khác nữa."))
    with pytest.raises(AlreadyAnswered):  # the stale copy read before the answer: the box refuses it
        service.answer(officer, feedback, AnswerRequest(text="Một câu trả lời khác nữa."))
    published = service.publish(
        officer,
        service.get(officer, feedback.code),
        PublicationRequest(
            subject="Thái độ phục vụ", question="Cán bộ hướng dẫn chưa rõ.", answer="Đã nhắc nhở."
        ),
    )
    assert published.published is not None
    items, _ = service.public(limit=10, next_token=None)
    assert [p.question for p in items] == ["Cán bộ hướng dẫn chưa rõ."]


def test_a_published_text_may_not_name_a_dossier_code() -> None:
    with pytest.raises(ValueError, match="dossier code"):
        PublicationRequest(
            subject="Hồ sơ chậm", question=f"Hồ sơ {FINANCE}-261117-0001 chậm.", answer="Đã xử lý."
        )


def test_only_the_sender_and_the_agencys_officers_and_leaders_see_it_and_only_the_latter_answer(
    world: World,
) -> None:
    service = world.container.feedback
    an = world.citizen()
    feedback = service.send(an, ask())
    for who in (world.staff(FINANCE, Role.OFFICER), world.staff(FINANCE, Role.LEADER), an):
        assert service.get(who, feedback.code).code == feedback.code
    for who in (world.citizen(), world.staff(TAX, Role.OFFICER), world.staff(FINANCE, Role.RECEIVER)):
        with pytest.raises(FeedbackNotFound):
            service.get(who, feedback.code)
    with pytest.raises(Forbidden):
        service.answer(an, feedback, AnswerRequest(text="Tôi tự trả lời câu hỏi."))
    with pytest.raises(Forbidden):
        service.inbox(
            world.staff(FINANCE, Role.RECEIVER), FINANCE, FeedbackState.OPEN, limit=10, next_token=None
        )


def test_the_agencys_list_is_by_due_date_and_pages_without_repeating(world: World) -> None:
    service, officer = world.container.feedback, world.staff(FINANCE)
    sent = []
    for _ in range(5):
        sent.append(service.send(world.citizen(), ask()).code)
        world.clock.advance(timedelta(days=1))
    first, token = service.inbox(officer, FINANCE, FeedbackState.OPEN, limit=3, next_token=None)
    rest, end = service.inbox(officer, FINANCE, FeedbackState.OPEN, limit=3, next_token=token)
    assert [f.code for f in first + rest] == sent  # sent earlier, due earlier
    assert end is None
    answered, _ = service.inbox(officer, FINANCE, FeedbackState.ANSWERED, limit=3, next_token=None)
    assert answered == []


def test_the_citizen_is_told_of_the_answer_by_email_and_sms_once(world: World) -> None:
    an = world.citizen("Nguyễn Văn An", phone="+84912345678")
    service = world.container.feedback
    feedback = service.send(an, ask())
    assert world.deliver() == []  # sending tells nobody yet
    service.answer(
        world.staff(FINANCE), feedback, AnswerRequest(text="Chúng tôi đã xem xét và trả lời như sau.")
    )
    sent = world.deliver()
    assert world.deliver() == sent  # nothing more the second time
    email = next(m for m in sent if m.channel == "email")
    sms = next(m for m in sent if m.channel == "sms")
    assert email.to == an.email
    assert feedback.code in (email.subject or "")
    assert "Chúng tôi đã xem xét và trả lời như sau." in email.text
    assert email.text.rstrip().endswith("/#/me/feedback")
    assert (sms.to, feedback.code in sms.text) == ("+84912345678", True)
