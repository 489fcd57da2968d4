"""Feedback on moto: parallel senders get gap-free codes; the answer is written once and its note reaches
the notification pipe; the public list holds no code; the agency's lists page by their keys."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest

from infra.devstack.streams import matches
from motcua.adapters.feedback import feedback_from_stream
from motcua.domain.feedback import AlreadyAnswered, FeedbackState
from motcua.domain.models import Principal, PrincipalKind
from motcua.domain.roles import Role
from motcua.resources import NOTIFY_PATTERN
from motcua.services.feedback import AnswerRequest, FeedbackRequest, PublicationRequest

FINANCE = "000.00.01.H99"
ASK = FeedbackRequest(agency=FINANCE, subject="Thái độ phục vụ", text="Cán bộ hướng dẫn chưa rõ ràng.")


def citizen() -> Principal:
    sub = str(uuid.uuid4())
    return Principal(
        sub=sub, kind=PrincipalKind.CITIZEN, username=sub, name="Lê Văn Cường", email=f"{sub}@example.vn",
        email_verified=True,
    )  # fmt: skip


OFFICER = Principal(sub="cv", kind=PrincipalKind.STAFF, username="cv", agency=FINANCE, role=Role.OFFICER)


def test_parallel_senders_get_consecutive_codes_without_gaps(
    container: Any, aws_requests_atomic: Any
) -> None:
    codes: list[str] = []
    start = threading.Barrier(6)

    def one() -> None:
        who = citizen()
        start.wait()
        codes.append(container.feedback.send(who, ASK).code)

    threads = [threading.Thread(target=one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [f"PAKN-{FINANCE}-261117-000{n}" for n in range(1, 7)]
    assert container.feedback_box.last_sequence(FINANCE, container.clock.now().date()) == 6


def test_the_answer_is_written_once_and_its_note_reaches_the_notification_pipe(container: Any) -> None:
    sent = container.feedback.send(citizen(), ASK)
    read = container.feedback.get(OFFICER, sent.code)
    answered = container.feedback.answer(OFFICER, read, AnswerRequest(text="Đã nhắc nhở cán bộ, xin cảm ơn."))
    with pytest.raises(AlreadyAnswered):  # a second officer, who read it before the answer
        container.feedback.answer(OFFICER, read, AnswerRequest(text="Một câu trả lời khác nữa."))
    box = container.feedback_box
    note = box.client.get_item(
        TableName=container.settings.table_name, Key={"PK": {"S": f"FB#{sent.code}"}, "SK": {"S": "A"}}
    )["Item"]
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": note}}
    assert matches(NOTIFY_PATTERN, record)
    assert feedback_from_stream(record) == answered
    # The feedback's own item, rewritten, is not a message to send.
    item = box.client.get_item(
        TableName=container.settings.table_name, Key={"PK": {"S": f"FB#{sent.code}"}, "SK": {"S": "F"}}
    )["Item"]
    assert feedback_from_stream({"eventName": "MODIFY", "dynamodb": {"NewImage": item}}) is None
    assert container.feedback.get(OFFICER, sent.code).state is FeedbackState.ANSWERED


def test_lists_page_by_due_date_and_the_public_list_names_no_code(container: Any) -> None:
    sent = []
    for _ in range(3):
        sent.append(container.feedback.send(citizen(), ASK).code)
        container.clock.advance(timedelta(days=1))
    first, token = container.feedback.inbox(OFFICER, FINANCE, FeedbackState.OPEN, limit=2, next_token=None)
    rest, _ = container.feedback.inbox(OFFICER, FINANCE, FeedbackState.OPEN, limit=2, next_token=token)
    assert [f.code for f in first + rest] == sent
    for n, code in enumerate(sent[:2], start=1):
        found = container.feedback.get(OFFICER, code)
        answered = container.feedback.answer(OFFICER, found, AnswerRequest(text="Trả lời cho công dân."))
        container.feedback.publish(
            OFFICER,
            answered,
            PublicationRequest(subject="Thái độ", question=f"Câu hỏi số {n}.", answer="Câu trả lời."),
        )
        container.clock.advance(timedelta(minutes=1))
    page, token = container.feedback.public(limit=1, next_token=None)
    more, _ = container.feedback.public(limit=1, next_token=token)
    assert [p.question for p in page + more] == ["Câu hỏi số 2.", "Câu hỏi số 1."]  # the latest first
    assert token is not None
    assert not any(code in token for code in sent)
    answered_list, _ = container.feedback.inbox(
        OFFICER, FINANCE, FeedbackState.ANSWERED, limit=10, next_token=None
    )
    assert [f.code for f in answered_list] == [sent[1], sent[0]]
